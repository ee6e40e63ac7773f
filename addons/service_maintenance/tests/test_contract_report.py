from datetime import date, datetime

from freezegun import freeze_time
from odoo import Command
from odoo.addons.service_rma.tests.test_billing import BillingCase
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from ..models.service_contract_report import period_of, previous_period
from .common import MaintenanceCase


class ContractReportCase(MaintenanceCase, BillingCase):
    """A running contract over the customer's two units, reported monthly to
    Ada (the customer's contact), and a known March 2026 of service: four
    requests of the contract (one urgent, one serious, two normal, one of them
    about no unit), one of another customer and one of February; their SLA
    clocks; two ratings; a repair with two parts; a service call; an
    inspection of both units with one failed item."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Contract = cls.env["service.contract"].with_user(cls.maint_manager)
        cls.contract = Contract.create({
            "partner_id": cls.customer.id, "date_start": "2026-01-01", "user_id": cls.maint_engineer.id,
            "lot_ids": [Command.set((cls.lot | cls.lot2).ids)], "report_frequency": "monthly",
            "report_contact_id": cls.customer_contact.id,
        })
        cls.contract.action_standard_periods()
        cls.contract.action_start()

    @classmethod
    def _request_on(cls, when, severity, lot=None, partner=None, **sla):
        """A request reported at ``when`` whose SLA clocks ended as ``sla`` says."""
        request = cls.env["service.request"].create({
            "title": f"{severity} case", "partner_id": (partner or cls.customer).id, "severity": severity,
            "lot_id": lot.id if lot else False, "description": f"Fault of the {severity} case",
        })
        with deciding():
            request.date_request = when
            request.write({"response_sla": False, "arrival_sla": False, "resolution_sla": False, **sla})
        return request

    @classmethod
    def _rate(cls, request, value):
        cls.env["rating.rating"].create({
            "res_model_id": cls.env["ir.model"]._get_id("service.request"), "res_id": request.id,
            "partner_id": request.partner_id.id, "rating": value, "consumed": True,
        })

    @classmethod
    def _repair_unit(cls, code, parts):
        """Scan, receive, diagnose and repair the unit with ``parts`` as the shop."""
        Rma = cls.env["service.rma"].with_user(cls.repair_user)
        rma = Rma.browse(Rma.scan(code)["rma_id"])
        rma.action_create_receipt()
        cls._validate(rma.receipt_picking_id)
        rma.action_diagnose()
        rma.action_start_repair()
        repair = rma.repair_id.with_user(cls.repair_user)
        repair.move_ids = [
            Command.create({"product_id": product.id, "product_uom_qty": qty, "repair_line_type": "add"})
            for product, qty in parts
        ]
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        return rma

    @classmethod
    def _march(cls):
        cls.urgent = cls._request_on(
            datetime(2026, 3, 2, 9), "urgent", cls.lot, response_sla="met", resolution_sla="missed",
            arrival_sla="met",
        )
        cls.serious = cls._request_on(datetime(2026, 3, 9, 9), "serious", cls.lot2, response_sla="met")
        cls.normal = cls._request_on(datetime(2026, 3, 20, 9), "normal", response_sla="missed")
        cls.normal2 = cls._request_on(datetime(2026, 3, 31, 22), "normal", cls.lot)
        cls._request_on(datetime(2026, 3, 10, 9), "urgent", cls.cn_lots, partner=cls.owner_cn,
                        response_sla="missed")
        cls._request_on(datetime(2026, 2, 27, 9), "urgent", cls.lot, response_sla="missed")
        cls._rate(cls.urgent, 5)
        cls._rate(cls.serious, 2)
        with freeze_time("2026-03-10 10:00:00"):
            cls.rma = cls._repair_unit("RMA-0001", [(cls.part_valued, 2)])
        visit = cls.env["service.visit"].create({
            "request_id": cls.urgent.id, "user_id": cls.engineer.id, "date_planned": datetime(2026, 3, 2, 11),
        })
        with deciding():
            visit.write({"state": "done", "date_arrived": datetime(2026, 3, 2, 10),
                         "date_finished": datetime(2026, 3, 2, 12)})
        inspection = cls.env["service.visit"].with_user(cls.maint_manager).create({
            "visit_type": "inspection", "contract_id": cls.contract.id, "user_id": cls.maint_engineer.id,
            "date_planned": datetime(2026, 3, 15, 1),
        }).with_user(cls.maint_engineer)
        with freeze_time("2026-03-15 02:00:00"):
            inspection.action_arrive()
            checklists = inspection.checklist_ids
            for checklist in checklists:
                results = checklist.result_ids
                results.result = "pass"
                if checklist.lot_id == cls.lot:
                    results[0].write({"result": "fail", "note": "Connector loose"})
                checklist.action_done()
            inspection.action_finish()
        cls.failed = checklists.result_ids.filtered(lambda result: result.result == "fail")


@tagged("post_install", "-at_install")
class TestContractReport(ContractReportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._march()

    def test_periods_are_calendar_months_and_quarters(self):
        self.assertEqual(period_of("monthly", date(2026, 2, 14)), (date(2026, 2, 1), date(2026, 2, 28)))
        self.assertEqual(period_of("quarterly", date(2026, 11, 3)), (date(2026, 10, 1), date(2026, 12, 31)))
        self.assertEqual(previous_period("quarterly", date(2026, 1, 5)),
                         (date(2025, 10, 1), date(2025, 12, 31)))
        self.assertEqual(previous_period("monthly", date(2026, 3, 1)), (date(2026, 2, 1), date(2026, 2, 28)))

    def test_the_monthly_report_counts_the_period_of_the_contract(self):
        with freeze_time("2026-04-01 06:00:00"):
            report = self.env["service.contract"]._cron_periodic_reports()
        self.assertEqual(len(report), 1)
        self.assertEqual((report.contract_id, report.period_start, report.period_end),
                         (self.contract, date(2026, 3, 1), date(2026, 3, 31)))
        self.assertEqual(report.contact_id, self.customer_contact)
        self.assertEqual(
            (report.request_count, report.urgent_count, report.serious_count, report.normal_count),
            (4, 1, 1, 2),
            "the other customer's request and February's are not the contract's March",
        )
        self.assertEqual((report.sla_met_count, report.sla_missed_count), (3, 2))
        self.assertAlmostEqual(report.sla_rate, 60.0)
        self.assertAlmostEqual(report.response_sla_rate, 66.7)
        self.assertEqual((report.arrival_sla_rate, report.resolution_sla_rate), (100.0, 0.0))
        self.assertEqual(report.repair_count, 1)
        self.assertEqual([(part.product_id, part.quantity) for part in report.part_ids],
                         [(self.part_valued, 2.0)])
        self.assertEqual((report.visit_count, report.inspection_count), (2, 1),
                         "a service call, an inspection")
        self.assertEqual((report.checklist_count, report.finding_count), (2, 1))
        self.assertEqual((report.rating_count, report.rating_avg, report.satisfied_rate), (2, 3.5, 50.0))

    def test_the_cron_sends_each_due_report_once_by_the_mail_queue(self):
        with freeze_time("2026-04-01 06:00:00"):
            report = self.env["service.contract"]._cron_periodic_reports()
            self.assertFalse(self.env["service.contract"]._cron_periodic_reports(),
                             "a second run makes nothing")
        with freeze_time("2026-04-20 06:00:00"):
            self.assertFalse(self.env["service.contract"]._cron_periodic_reports(), "April is not over")
        self.assertEqual(report.state, "sent")
        self.assertEqual(self.contract.report_count, 1)
        mail = self.env["mail.mail"].search([("model", "=", report._name), ("res_id", "=", report.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent")
        self.assertEqual(mail.recipient_ids, self.customer_contact)
        self.assertIn(self.contract.name, mail.subject)
        pdf = report._get_pdf_attachment()
        self.assertIn(pdf, mail.attachment_ids)
        content = pdf.raw.decode()
        for expected in ("Connector loose", self.part_valued.name, "60.0", self.customer.name):
            self.assertIn(expected, content)
        with self.assertRaises(UserError):
            report.typical_request_ids = [Command.link(self.urgent.id)]
        with freeze_time("2026-05-01 06:00:00"):
            april = self.env["service.contract"]._cron_periodic_reports()
        self.assertEqual((april.period_start, april.request_count), (date(2026, 4, 1), 0))

    def test_on_demand_the_current_period_once_with_the_typical_cases_picked(self):
        with freeze_time("2026-03-25 10:00:00"):
            action = self.contract.with_user(self.maint_engineer).action_generate_report()
            report = self.env["service.contract.report"].browse(action["res_id"])
            self.assertEqual((report.state, report.period_start, report.period_end),
                             ("draft", date(2026, 3, 1), date(2026, 3, 25)))
            self.assertEqual(report.request_count, 3, "the requests up to today")
        picks = [Command.set((self.urgent | self.serious).ids)]
        report.with_user(self.maint_engineer).typical_request_ids = picks
        with self.assertRaises(AccessError):
            report.with_user(self.maint_engineer).request_count = 10
        with freeze_time("2026-03-31 12:00:00"):
            again = self.contract.with_user(self.maint_engineer).action_generate_report()
        self.assertEqual(again["res_id"], report.id, "one report per period: the draft is refreshed")
        self.assertEqual((report.period_end, report.request_count), (date(2026, 3, 31), 4))
        self.assertEqual(report.typical_request_ids, self.urgent | self.serious, "the picks are kept")
        with freeze_time("2026-04-01 06:00:00"):
            # The cron finishes March's draft: full period, then sent.
            sent = self.env["service.contract"]._cron_periodic_reports()
        self.assertEqual(sent, report)
        self.assertEqual((report.state, report.period_end, report.request_count),
                         ("sent", date(2026, 3, 31), 4))
        content = report._get_pdf_attachment().raw.decode()
        self.assertIn(self.urgent.name, content)
        self.assertIn("Fault of the serious case", content)
        self.assertEqual(self.contract.report_count, 1)

    def test_the_engineer_sends_the_draft_report_in_the_contacts_language(self):
        self.customer_contact.lang = "zh_CN"
        with freeze_time("2026-03-25 10:00:00"):
            action = self.contract.with_user(self.maint_engineer).action_generate_report()
            Report = self.env["service.contract.report"].with_user(self.maint_engineer)
            report = Report.browse(action["res_id"])
            report.summary = "<p>A quiet month, one urgent case solved on site.</p>"
            report.action_send()
        self.assertEqual(report.state, "sent")
        mail = self.env["mail.mail"].search([("model", "=", report._name), ("res_id", "=", report.id)])
        self.assertEqual((mail.state, mail.recipient_ids), ("outgoing", self.customer_contact))
        pdf = report._get_pdf_attachment()
        content = pdf.raw.decode()
        self.assertIn("A quiet month", content)
        self.assertIn("2026/03/01", content, "dates as the contact's language writes them (en: 03/01/2026)")
        posted = report.message_ids.filtered(lambda message: pdf in message.attachment_ids)
        self.assertEqual(posted.subtype_id, self.env.ref("mail.mt_comment"), "in the report's chatter")
        with self.assertRaises(UserError):
            report.action_send()

    def test_a_contact_without_email_gets_the_portal_and_the_engineer_a_todo(self):
        self.customer_contact.email = False
        with freeze_time("2026-04-01 06:00:00"):
            report = self.env["service.contract"]._cron_periodic_reports()
        self.assertEqual(report.state, "draft")
        self.assertFalse(report.can_send)
        self.assertEqual(self.contract.activity_ids.user_id, self.maint_engineer)
        with self.assertRaises(UserError):
            report.action_send()

    def test_reports_are_made_by_the_server_only(self):
        with self.assertRaises(AccessError):
            self.env["service.contract.report"].with_user(self.maint_engineer).create({
                "contract_id": self.contract.id, "period_start": "2026-03-01", "period_end": "2026-03-31",
            })
        with self.assertRaises(UserError):
            self.env["service.contract"].with_user(self.maint_manager).create({
                "partner_id": self.customer.id, "date_start": "2026-01-01",
            }).action_generate_report()


@tagged("post_install", "-at_install")
class TestContractReportPortal(HttpCase, ContractReportCase):
    def test_the_customer_downloads_the_sent_reports_of_their_contract(self):
        with freeze_time("2026-04-01 06:00:00"):
            report = self.env["service.contract"]._cron_periodic_reports()
        with freeze_time("2026-04-10 06:00:00"):
            draft = self.env["service.contract.report"].browse(
                self.contract.action_generate_report()["res_id"]
            )
        self.authenticate("sd_portal", "sd_portal")
        page = self.url_open(f"/my/service-contracts/{self.contract.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/my/service-contracts/{self.contract.id}/reports/{report.id}", page.text)
        self.assertNotIn(f"/reports/{draft.id}", page.text, "a draft is not the customer's yet")
        pdf = self.url_open(f"/my/service-contracts/{self.contract.id}/reports/{report.id}")
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        self.assertEqual(pdf.content, report._get_pdf_attachment().raw)
        refused = self.url_open(f"/my/service-contracts/{self.contract.id}/reports/{draft.id}")
        self.assertNotIn("pdf", refused.headers.get("Content-Type", ""))
        self.authenticate("sd_portal_other", "sd_portal_other")
        other = self.url_open(f"/my/service-contracts/{self.contract.id}/reports/{report.id}")
        self.assertNotIn("pdf", other.headers.get("Content-Type", ""), "another customer gets nothing")
        self.assertNotEqual(other.content, report._get_pdf_attachment().raw)
