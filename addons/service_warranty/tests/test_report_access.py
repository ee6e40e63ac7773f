import re
import shutil
import unittest

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import WarrantyCase

LABEL = "service_warranty.report_service_label"
CARD = "service_warranty.report_warranty_card"


@tagged("post_install", "-at_install")
class TestReportAccess(HttpCase, WarrantyCase):
    """The label and card reports are internal documents: only after-sales
    users print them, on the records their rules let them read. Customers get
    their own card through the portal, never another's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lots = cls.env["stock.lot"].create([
            {"name": serial, "product_id": cls.product.id, "company_id": cls.company.id}
            for serial in ("RA-SERIAL-0001", "RA-SERIAL-0002")
        ])
        cls.mine = cls.env["service.warranty"].create({
            "lot_id": cls.lots[0].id, "partner_id": cls.customer.id, "policy_id": cls.policy.id,
            "date_delivery": "2026-01-10", "state": "active", "invoice_ref": "INV-RA-0001",
            "notes": "<p>RA-INTERNAL-NOTE: customer disputes the install date</p>",
        })
        cls.theirs = cls.env["service.warranty"].create({
            "lot_id": cls.lots[1].id, "partner_id": cls.other_customer.id, "policy_id": cls.policy.id,
            "date_delivery": "2026-01-10", "state": "active",
        })
        cls.tokens = cls.lots.sudo().mapped("service_token")
        cls.portal_user = new_test_user(
            cls.env, login="ra_portal", groups="base.group_portal", name="Rae Portal",
            partner_id=cls.env["res.partner"].create(
                {"name": "Rae Portal", "parent_id": cls.customer.id, "email": "rae@acme.example.com"}
            ).id,
        )
        cls.other_company = cls.env["res.company"].create({"name": "RA Other Co"})
        cls.other_company_user = new_test_user(
            cls.env, login="ra_other_co", groups="service_warranty.group_aftersales_user",
            company_id=cls.other_company.id, company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.employee = new_test_user(cls.env, login="ra_employee", groups="base.group_user")

    def _urls(self, report, records):
        ids = ",".join(str(record_id) for record_id in records.ids)
        return [f"/report/{converter}/{report}/{ids}" for converter in ("html", "pdf")]

    def _all_report_urls(self):
        return [
            *self._urls(LABEL, self.lots),
            # The same report named by its action's XML id.
            *self._urls("service_warranty.action_report_service_label", self.lots),
            *self._urls(CARD, self.mine),
            *self._urls(CARD, self.mine | self.theirs),
        ]

    def assertRefused(self, response, url):
        self.assertEqual(response.status_code, 403, url)
        for secret in (*self.tokens, *self.lots.mapped("name"), self.customer.name):
            self.assertNotIn(secret, response.text, url)

    def test_portal_user_cannot_print_labels_or_cards(self):
        self.authenticate("ra_portal", "ra_portal")
        for url in self._all_report_urls():
            self.assertRefused(self.url_open(url), url)

    def test_other_company_user_cannot_print_labels_or_cards(self):
        self.authenticate("ra_other_co", "ra_other_co")
        for url in self._all_report_urls():
            self.assertRefused(self.url_open(url), url)

    def test_employee_without_aftersales_rights_cannot_print(self):
        self.authenticate("ra_employee", "ra_employee")
        for url in self._all_report_urls():
            self.assertRefused(self.url_open(url), url)

    def test_public_user_is_sent_to_login(self):
        for url in self._all_report_urls():
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"], url)
            for token in self.tokens:
                self.assertNotIn(token, response.text, url)

    def test_aftersales_user_prints_labels_and_cards(self):
        self.authenticate("sw_sales", "sw_sales")
        for url in self._urls(LABEL, self.lots):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            for lot, token in zip(self.lots, self.tokens):
                self.assertIn(lot.name, response.text, url)
                self.assertIn(token, response.text, url)
        self.assertEqual(
            self.url_open(self._urls(LABEL, self.lots)[1]).headers["Content-Type"], "application/pdf"
        )
        for url in self._urls(CARD, self.mine):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertIn(self.mine.name, response.text, url)
            self.assertIn("RA-SERIAL-0001", response.text, url)

    def test_owner_downloads_own_card_as_pdf(self):
        self.authenticate("ra_portal", "ra_portal")
        response = self.url_open(f"/my/warranties/{self.mine.id}?report_type=pdf&download=true")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        disposition = response.headers["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment"), disposition)
        self.assertIn(re.sub(r"\W+", "_", self.mine.name) + ".pdf", disposition)
        theirs = self.url_open(
            f"/my/warranties/{self.theirs.id}?report_type=pdf&download=true", allow_redirects=False
        )
        self.assertEqual(theirs.status_code, 303, "another customer's card is refused")
        self.assertNotIn("RA-SERIAL-0002", theirs.text)

    def test_owner_card_leaves_out_internal_notes(self):
        self.authenticate("ra_portal", "ra_portal")
        for url in (f"/my/warranties/{self.mine.id}", f"/my/warranties/{self.mine.id}?report_type=html"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertIn("RA-SERIAL-0001", response.text, url)
            self.assertNotIn("RA-INTERNAL-NOTE", response.text, url)

    @unittest.skipUnless(shutil.which("wkhtmltopdf"), "wkhtmltopdf is not installed: no PDF to check")
    def test_owner_card_renders_as_pdf(self):
        # The portal renders the card as the request's route does, with sudo on
        # the certificate the customer may read; wkhtmltopdf cannot be run from
        # inside a test request (it fetches the stylesheets from this server).
        Report = self.env["ir.actions.report"].with_user(self.portal_user).sudo()
        pdf, fmt = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "service_warranty.action_report_warranty_card", self.mine.ids
        )
        self.assertEqual(fmt, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertIn(self.mine.name, self.mine._get_report_base_filename())
