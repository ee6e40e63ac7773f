from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import RmaCase
from .test_billing import BillingCase


@tagged("post_install", "-at_install")
class TestRmaTour(HttpCase, RmaCase):
    def test_scan_receive_repair_loaner_return(self):
        # A product of its own, so the delivery and the pool hold only the tour's units.
        product = self.env["product.product"].create({
            "name": "Tour pump", "default_code": "TP-1", "is_storable": True, "tracking": "serial",
            "warranty_policy_id": self.policy.id,
        })
        _order, picking = self._deliver(product, ["RMA-TOUR-1"])
        lot = picking.warranty_ids.lot_id
        self.assertEqual(lot.name, "RMA-TOUR-1")
        # Delivered two months ago: past the refund and exchange windows, so a repair.
        lot.warranty_id.date_delivery = fields.Date.subtract(fields.Date.today(), days=60)
        loaner = self._make_lots(product, ["LOAN-TOUR-1"])
        loaner.is_loaner = True
        self.start_tour("/odoo/action-service_rma.service_rma_action", "service_rma_repair_with_loaner",
                        login="rma_shop")
        rma = self.env["service.rma"].search([("lot_id", "=", lot.id)])
        self.assertEqual(rma.state, "done")
        self.assertEqual(rma.repair_id.state, "done")
        self.assertEqual(rma.loan_ids.state, "returned")
        self.assertEqual(rma.loan_ids.lot_id, loaner)
        self.assertEqual(rma.return_picking_id.state, "done")


@tagged("post_install", "-at_install")
class TestBillingTour(HttpCase, BillingCase):
    def test_finance_bills_from_the_list(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=1.0).sudo()
        self.assertEqual(rma.billing_state, "to_bill")
        self.start_tour("/odoo/action-service_rma.service_rma_action_to_bill", "service_rma_bill_at_cost",
                        login="rma_finance")
        self.assertEqual(rma.billing_state, "billed")
        self.assertEqual(rma.bill_id.create_uid, self.finance_user)
        self.assertEqual(rma.bill_id.amount_untaxed, 70.0)
