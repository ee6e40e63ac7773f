import shutil
import unittest

from odoo.tests import HttpCase, tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestReports(WarrantyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order, cls.picking = cls._deliver(cls.product, ["RP-0001", "RP-0002"])
        cls.warranties = cls.picking.warranty_ids
        cls.env["repair.order"].create(
            {"product_id": cls.product.id, "lot_id": cls.warranties[0].lot_id.id,
             "partner_id": cls.customer.id, "under_warranty": True}
        )
        cls.Report = cls.env["ir.actions.report"].with_user(cls.sales_user)

    def test_card_html_has_the_certificate_fields(self):
        warranty = self.warranties.sorted("id")[0]
        html, _fmt = self.Report._render_qweb_html(
            "service_warranty.action_report_warranty_card", warranty.ids
        )
        html = html.decode()
        for expected in (warranty.name, warranty.lot_id.name, "Infusion Pump IP-7", "IP-7",
                         self.customer.name, self.company.name, "Warranty until", "Repair log",
                         "data:image/png;base64,"):
            self.assertIn(expected, html)

    def test_labels_html_one_qr_per_unit(self):
        lots = self.warranties.lot_id
        html, _fmt = self.Report._render_qweb_html(
            "service_warranty.action_report_service_label", lots.ids
        )
        html = html.decode()
        self.assertEqual(html.count('class="o_service_label"'), 2)
        self.assertEqual(html.count("data:image/png;base64,"), 2)
        for lot in lots:
            self.assertIn(lot.name, html)

    def test_print_labels_action_creates_missing_tokens(self):
        lot = self._make_lots(self.product, ["RP-NOTOKEN"])
        self.assertFalse(lot.sudo().service_token)
        action = lot.with_user(self.sales_user).action_print_service_labels()
        self.assertEqual(action["report_name"], "service_warranty.report_service_label")
        self.assertTrue(lot.sudo().service_token)


@tagged("post_install", "-at_install")
class TestReportsPdf(HttpCase, WarrantyCase):
    """wkhtmltopdf fetches the report's stylesheets from the running server:
    an HttpCase lets the server answer within the test transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _order, picking = cls._deliver(cls.product, ["PDF-0001", "PDF-0002"])
        cls.warranties = picking.warranty_ids
        cls.Report = cls.env["ir.actions.report"].with_user(cls.sales_user)

    @unittest.skipUnless(shutil.which("wkhtmltopdf"), "wkhtmltopdf is not installed")
    def test_card_and_labels_render_as_pdf(self):
        Report = self.Report.with_context(force_report_rendering=True)
        # One card: several cards in one PDF need a wkhtmltopdf with patched Qt.
        pdf, fmt = Report._render_qweb_pdf(
            "service_warranty.action_report_warranty_card", self.warranties[:1].ids
        )
        self.assertEqual(fmt, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        pdf, fmt = Report._render_qweb_pdf(
            "service_warranty.action_report_service_label", self.warranties.lot_id.ids
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
