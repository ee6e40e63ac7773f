import lxml.html
from odoo import http
from odoo.addons.service_warranty.decisions import deciding
from odoo.tests import HttpCase, tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestRmaRating(HttpCase, DeskCase):
    """An RMA done sends the customer the satisfaction survey, as a closed
    request does; the rating is stored on the RMA and shown on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.template = cls.env.ref("service_desk.mail_template_service_rma_rating")
        # The survey's own zh_CN wording, whatever the shipped translation says.
        cls.template.update_field_translations("subject", {"zh_CN": "您对维修服务满意吗 {{ object.name }}"})

    def _done_rma(self):
        """The shortest way out of the shop: received, returned unrepaired."""
        Rma = self.env["service.rma"].with_user(self.desk_repair)
        rma = Rma.browse(Rma.scan("RMA-0001")["rma_id"])
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        rma.action_reject()
        rma.action_create_return()
        self._validate_unit_picking(rma.return_picking_id)
        self.assertEqual(rma.state, "done")
        return rma

    def _surveys(self, rma):
        return rma.message_ids.filtered(lambda message: "/rate/" in (message.body or ""))

    def test_an_rma_done_sends_one_survey_and_the_customer_rates_it_online(self):
        rma = self._done_rma()
        survey = self._surveys(rma)
        self.assertEqual(len(survey), 1)
        self.assertIn(self.customer, survey.partner_ids)
        self.assertEqual(survey.subject, f"How was our repair service? {rma.name}")
        rating = rma.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertEqual(rating.partner_id, self.customer)
        self.assertIn(f"/rate/{rating.access_token}/5", survey.body)
        with deciding():
            rma.write({"state": "done"})
        self.assertEqual(len(self._surveys(rma)), 1, "once: writing done again sends nothing")

        # The customer follows the e-mail's link: the portal rating page, then its form.
        self.authenticate(None, None)
        page = self.url_open(f"/rate/{rating.access_token}/5")
        page.raise_for_status()
        forms = lxml.html.fromstring(page.content).xpath("//form[@method='post']")
        self.assertIn(f"/rate/{rating.access_token}/submit_feedback", [form.get("action") for form in forms])
        self.assertFalse(rma.rating_last_value, "opening the page rates nothing")
        answer = self.url_open(f"/rate/{rating.access_token}/submit_feedback", data={
            "rate": 5, "feedback": "Back in two days", "csrf_token": http.Request.csrf_token(self),
        })
        answer.raise_for_status()
        rma.invalidate_recordset()
        self.assertEqual(rma.rating_last_value, 5)
        self.assertEqual(rma.rating_last_text, "top")
        self.assertEqual(rma.rating_last_feedback, "Back in two days")
        # Shown on the RMA's form, where the shop works.
        arch = rma.with_user(self.desk_repair).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="rating_last_text"', arch)
        self.assertIn('name="rating_last_feedback"', arch)

    def test_the_survey_is_in_the_customers_language(self):
        self.customer.lang = "zh_CN"
        rma = self._done_rma()
        survey = self._surveys(rma)
        self.assertEqual(len(survey), 1)
        self.assertEqual(survey.subject, f"您对维修服务满意吗 {rma.name}")

    def test_no_survey_without_an_address(self):
        self.customer.email = False
        rma = self._done_rma()
        self.assertFalse(rma.rating_ids)
        self.assertFalse(self._surveys(rma))

    def test_a_cancelled_rma_sends_no_survey(self):
        Rma = self.env["service.rma"].with_user(self.desk_repair)
        rma = Rma.browse(Rma.scan("RMA-0001")["rma_id"])
        rma.action_cancel()
        self.assertFalse(rma.rating_ids)
        self.assertFalse(self._surveys(rma))
