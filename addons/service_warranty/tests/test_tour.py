import time
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestTour(HttpCase, WarrantyCase):
    def test_open_certificate_from_sale_and_print_card(self):
        order, picking = self._deliver(self.product, ["TOUR-0001"])
        order.user_id = self.sales_user  # salespeople see their own orders
        warranty = picking.warranty_ids
        self.assertEqual(len(warranty), 1)
        Report = type(self.env["ir.actions.report"])
        rendered = []
        original = Report._render_qweb_pdf

        def spy(report_self, report_ref, res_ids=None, data=None):
            rendered.append((report_ref, list(res_ids or [])))
            return original(report_self, report_ref, res_ids=res_ids, data=data)

        with patch.object(Report, "_render_qweb_pdf", spy):
            self.start_tour(
                f"/odoo/action-sale.action_orders/{order.id}",
                "service_warranty_print_card",
                login="sw_sales",
            )
            # The download request may still be in flight when the tour ends.
            deadline = time.monotonic() + 10
            while not rendered and time.monotonic() < deadline:
                time.sleep(0.1)
        self.assertIn(
            ("service_warranty.report_warranty_card", warranty.ids), rendered,
            "clicking Print card rendered this certificate's card",
        )
