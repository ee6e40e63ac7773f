from odoo.addons.mail.tests.common import MailCommon
from odoo.tests import tagged

MAIL = """Return-Path: {return_path}
To: {to}
cc: {cc}
From: {email_from}
Subject: {subject}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Date: {date}
Message-ID: {msg_id}
{extra}

{body}
"""


@tagged("post_install", "-at_install", "mail_gateway")
class TestMailGateway(MailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["service.team"].create({
            "name": "Hotline", "alias_name": "service", "alias_domain_id": cls.mail_alias_domain.id,
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Acme Hospital", "email": "it@acme-hospital.example.com",
        })
        cls.alias_email = f"service@{cls.alias_domain}"

    def _process(self, subject, body, email_from="Acme IT <it@acme-hospital.example.com>", extra="",
                 msg_id=False):
        return self.format_and_process(
            MAIL, email_from, self.alias_email, subject=subject, extra=extra, msg_id=msg_id,
            target_model="service.request", target_field="title", body=body,
        )

    def test_an_email_to_the_alias_creates_a_request_and_replies_thread_onto_it(self):
        request = self._process("Monitor down in ward 3", "The monitor shows error 17.",
                                msg_id="<first-report@acme-hospital.example.com>")
        self.assertEqual(len(request), 1)
        self.assertEqual(request.channel, "email")
        self.assertEqual(request.team_id, self.team)
        self.assertEqual(request.partner_id, self.customer)
        self.assertEqual(request.state, "new")
        self.assertRegex(request.name, r"^SR\d{4}-\d{5}$", "the ticket number, not the subject")
        self.assertIn("error 17", request.description)
        self.assertFalse(request.user_id, "the gateway's user is not made responsible")
        self.assertIn(self.customer, request.message_partner_ids)

        request.action_start()
        request.action_wait_customer()
        self._process(
            "Re: Monitor down in ward 3", "It happens again every morning.",
            extra="In-Reply-To: <first-report@acme-hospital.example.com>\n"
                  "References: <first-report@acme-hospital.example.com>",
        )
        self.assertEqual(self.env["service.request"].search_count([("team_id", "=", self.team.id)]), 1)
        self.assertIn("every morning", "\n".join(request.message_ids.mapped("body")))
        self.assertEqual(request.state, "in_progress", "the customer answered")

    def test_an_unknown_sender_becomes_the_customer(self):
        request = self._process(
            "Printer jam", "Paper stuck.", email_from="New Clinic <desk@new-clinic.example.com>"
        )
        self.assertEqual(request.partner_id.email, "desk@new-clinic.example.com")
        self.assertEqual(request.contact_email, "desk@new-clinic.example.com")
