from datetime import date

from freezegun import freeze_time
from markupsafe import escape
from odoo.tests import HttpCase, tagged

from .inspection_common import InspectionCase


@tagged("post_install", "-at_install")
class TestInspectionReport(HttpCase, InspectionCase):
    """The inspection report (巡检报告): its content, its due date three
    working days after the visit with the engineer's to-do and the overdue
    marker, its sending, and its download in the customer's portal only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = cls.customer.email or "it@acme-hospital.example.com"
        cls.other_lot = cls._own(cls.other_customer, cls.product, ["OTHER-0001"])
        cls.other_contract = cls._contract(cls.other_customer, cls.other_lot)

    def _visit(self, contract=None, when="2027-05-13 01:00:00"):
        return self.env["service.visit"].with_user(self.maint_manager).create({
            "visit_type": "inspection", "contract_id": (contract or self.contract).id,
            "user_id": self.maint_engineer.id, "date_planned": when,
        })

    def _finished(self, contract=None, fail_note="Fan bearing noisy"):
        visit = self._visit(contract)
        # Thursday 13 May 2027, 10:00 in Shanghai.
        with freeze_time("2027-05-13 02:00:00"):
            visit = self._inspect(visit, fail_note)
            visit.write({
                "findings": "<p>Dust in the cabinet of the second pump.</p>",
                "recommendations": "<p>Replace the fan at the next inspection.</p>",
            })
            visit.action_finish()
        return visit

    def test_an_inspection_checks_every_unit_of_its_contract(self):
        visit = self._visit()
        self.assertEqual((visit.partner_id, visit.company_id), (self.customer, self.contract.company_id))
        self._inspect(visit)
        self.assertEqual(visit.checklist_ids.lot_id, self.lot | self.lot2)
        self.assertEqual(set(visit.checklist_ids.mapped("customer_engineer")), {"Wang Wei"})
        self.assertTrue(all(visit.checklist_ids.mapped("result_ids")))

    def test_the_report_shows_units_items_results_findings_and_signatures(self):
        visit = self._finished()
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "service_maintenance.action_report_inspection", visit.ids
        )
        html = html.decode()
        self.assertIn(visit.name, html)
        self.assertIn(self.contract.name, html)
        for lot in self.lot | self.lot2:
            self.assertIn(lot.name, html)
        for line in visit.checklist_ids.result_ids:
            self.assertIn(str(escape(line.name)), html)
        self.assertEqual(html.count("o_service_inspection_fail"), 1, "the one failed check is marked")
        self.assertIn("Fan bearing noisy", html)
        self.assertIn("Dust in the cabinet", html)
        self.assertIn("Replace the fan", html)
        self.assertIn("Wang Wei", html, "recorded with the customer's engineer")
        self.assertIn("Engineer's signature", html)
        self.assertIn("Customer's signature", html)
        self.assertIn(self.maint_engineer.name, html)

    def test_the_report_is_due_three_working_days_later_across_the_weekend(self):
        visit = self._finished()
        self.assertEqual(visit.report_deadline, date(2027, 5, 18), "Thursday + 3 working days: Tuesday")
        activity = visit.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, date(2027, 5, 18))
        self.assertEqual(activity.user_id, self.maint_engineer)
        self.assertEqual(activity.activity_type_id,
                         self.env.ref("service_maintenance.mail_activity_type_inspection_report"))
        Visit = self.env["service.visit"]
        with freeze_time("2027-05-18 08:00:00"):
            visit.invalidate_recordset(["report_overdue"])
            self.assertFalse(visit.report_overdue, "due today: not overdue yet")
            self.assertNotIn(visit, Visit.search([("report_overdue", "=", True)]))
        with freeze_time("2027-05-19 08:00:00"):
            visit.invalidate_recordset(["report_overdue"])
            self.assertTrue(visit.report_overdue)
            self.assertIn(visit, Visit.search([("report_overdue", "=", True)]))
            self.assertNotIn(visit, Visit.search([("report_overdue", "=", False)]))

    def test_sending_the_report_mails_the_pdf_and_closes_the_to_do(self):
        visit = self._finished()
        visit.with_user(self.maint_engineer).action_send_report()
        self.assertTrue(visit.report_sent_on)
        self.assertFalse(visit.activity_ids, "the engineer's to-do is done")
        message = visit.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn(self.customer, message.partner_ids)
        self.assertEqual(len(message.attachment_ids), 1, "the inspection report attached")
        with freeze_time("2027-06-30"):
            visit.invalidate_recordset(["report_overdue"])
            self.assertFalse(visit.report_overdue, "a sent report is never overdue")
        self.assertFalse(visit.can_send_report, "sent once")

    def test_the_customer_downloads_their_report_and_no_one_else_does(self):
        visit = self._finished()
        other_visit = self._finished(self.other_contract)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open("/my/inspections")
        self.assertEqual(page.status_code, 200)
        self.assertIn(visit.name, page.text)
        self.assertNotIn(other_visit.name, page.text)
        contract_page = self.url_open(f"/my/service-contracts/{self.contract.id}")
        self.assertIn(f"/my/inspections/{visit.id}/report", contract_page.text)
        response = self.url_open(f"/my/inspections/{visit.id}/report")
        self.assertEqual(response.status_code, 200)
        response = self.url_open(f"/my/inspections/{other_visit.id}/report")
        self.assertIn(response.status_code, (403, 404))
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        self.assertIn(self.url_open(f"/my/inspections/{visit.id}/report").status_code, (403, 404))
        self.assertEqual(self.url_open(f"/my/inspections/{other_visit.id}/report").status_code, 200)
