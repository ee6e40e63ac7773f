from odoo import Command
from odoo.addons.service_desk.tests.test_visit_billing import VisitBillingCase
from odoo.addons.service_rma.tests.test_billing import BillingCase
from odoo.tests import tagged

from .common import MaintenanceCase


@tagged("post_install", "-at_install")
class TestCoverageBilling(MaintenanceCase, VisitBillingCase, BillingCase):
    """At-cost pricing under a maintenance contract: the customer's two units
    are long out of their certificates' warranty (delivered in 2023), so the
    at-cost path prices every repair and visit; the contract's period on the
    day decides what it charges. A part valued at 30.00 (two used), labour at
    40.00 an hour, a visit fee of 25.00."""

    def _contract(self, level):
        """A running contract over both units whose ``level`` period covers today."""
        contract = self.env["service.contract"].with_user(self.maint_manager).create({
            "partner_id": self.customer.id, "date_start": "2025-01-01",
            "lot_ids": [Command.set((self.lot | self.lot2).ids)],
            "period_ids": [Command.create({"level": level, "date_from": "2025-01-01"})],
        })
        contract.action_start()
        return contract

    def _priced(self, document):
        lines = document.sudo().sale_order_id.order_line.filtered("service_cost_kind")
        return sorted((line.service_cost_kind, line.product_uom_qty, line.price_unit) for line in lines)

    def test_without_a_contract_everything_at_cost(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 2)], hours=1.5, on_site=True)
        self.assertEqual(rma._service_cost_terms(), {"parts": True, "labour": True, "visit_fee": True})
        self.assertEqual(rma.amount_at_cost, 60 + 60 + 25)

    def test_maintenance_charges_the_parts_only_in_the_shop_and_on_site(self):
        self._contract("maintenance")
        rma = self._repair("RMA-0001", [(self.part_valued, 2)], hours=1.5, on_site=True)
        self.assertEqual(rma._service_cost_terms(), {"parts": True, "labour": False, "visit_fee": False})
        self.assertEqual(self._priced(rma), [("part", 2.0, 30.0)], "no labour, no visit fee")
        self.assertEqual(rma.amount_at_cost, 60.0)
        visit = self._finished_visit(self.lot2, [(self.fuse, 2)], hours=2.0)
        self.assertTrue(visit.service_at_cost)
        self.assertEqual(visit._service_cost_terms(), {"parts": True, "labour": False, "visit_fee": False})
        self.assertEqual(self._priced(visit), [("part", 2.0, 2.0)])
        self.assertEqual(visit.amount_at_cost, 4.0)

    def test_lifetime_service_charges_everything_at_cost(self):
        self._contract("lifetime")
        rma = self._repair("RMA-0001", [(self.part_valued, 2)], hours=1.5, on_site=True)
        self.assertEqual(self._priced(rma),
                         [("labour", 1.5, 40.0), ("part", 2.0, 30.0), ("visit", 1.0, 25.0)])
        self.assertEqual(rma.amount_at_cost, 60 + 60 + 25)
        visit = self._finished_visit(self.lot2, [(self.fuse, 2)], hours=2.0)
        self.assertEqual(self._priced(visit),
                         [("labour", 2.0, 40.0), ("part", 2.0, 2.0), ("visit", 1.0, 25.0)])
        self.assertEqual(visit.amount_at_cost, 4 + 80 + 25)

    def test_the_contracts_warranty_period_is_free(self):
        self._contract("warranty")
        rma = self._repair("RMA-0001", [(self.part_valued, 2)], hours=1.5, on_site=True)
        self.assertEqual(rma._service_cost_terms(), {"parts": False, "labour": False, "visit_fee": False})
        self.assertEqual(rma.amount_at_cost, 0.0)
        self.assertEqual([price for _kind, _qty, price in self._priced(rma)], [0.0] * len(self._priced(rma)))
        visit = self._finished_visit(self.lot2, [(self.fuse, 2)], hours=2.0)
        self.assertFalse(visit.sale_order_id, "nothing to charge: no quotation")
        self.assertEqual(visit.billing_state, "none")

    def test_a_cancelled_contract_covers_nothing_the_policy_prices(self):
        contract = self._contract("warranty")
        contract.action_cancel()
        rma = self._repair("RMA-0001", [(self.part_valued, 2)], hours=1.5, on_site=True)
        self.assertEqual(rma.amount_at_cost, 60 + 60 + 25, "a cancelled contract covers nothing")
