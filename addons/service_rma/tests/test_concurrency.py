from uuid import uuid4

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RaceCase


@tagged("post_install", "-at_install")
class TestConcurrency(RaceCase):
    """Two workers, two real database transactions, racing for the same unit.
    Data is committed on purpose (each worker needs to see it) and undone at
    the end."""

    def _setup_committed(self):
        serial = self.serial = f"RACE-{uuid4().hex[:10]}"

        def make(env):
            policy = env["service.warranty.policy"].create({"name": "Race policy"})
            product = env["product.product"].create({
                "name": "Race unit", "is_storable": True, "tracking": "serial",
                "warranty_policy_id": policy.id,
            })
            partner = env["res.partner"].create({"name": "Race customer"})
            lot = env["stock.lot"].create({"name": serial, "product_id": product.id})
            warranty = env["service.warranty"].create({
                "lot_id": lot.id, "partner_id": partner.id, "policy_id": policy.id,
                "date_delivery": "2026-01-10", "state": "active",
            })
            loaner = env["stock.lot"].create({"name": serial + "-LOAN", "product_id": product.id,
                                              "is_loaner": True})
            env["stock.quant"]._update_available_quantity(
                product, env["stock.warehouse"].search([], limit=1).lot_stock_id, 1, lot_id=loaner
            )
            return {"policy": policy.id, "product": product.id, "partner": partner.id, "lot": lot.id,
                    "warranty": warranty.id, "loaner": loaner.id}

        ids = self._in_new_cursor(make)
        self.addCleanup(self._cleanup, ids)
        return ids

    def _cleanup(self, ids):
        """Undo what the races committed, so later tests see a quiet unit."""

        def clean(env):
            rmas = env["service.rma"].search([("lot_id", "=", ids["lot"])])
            loans = env["service.loan"].search([("rma_id", "in", rmas.ids)])
            pickings = loans.picking_out_id | loans.picking_back_id
            pickings.action_cancel()
            loans.unlink()
            pickings.unlink()
            rmas.unlink()
            env["service.warranty"].browse(ids["warranty"])._void("concurrency test data")
            env["stock.lot"].browse([ids["lot"], ids["loaner"]]).is_loaner = False

        self._in_new_cursor(clean)

    def test_two_scanners_same_unit_one_rma(self):
        ids = self._setup_committed()
        first, second = self._race(lambda env: env["service.rma"].scan(self.serial))
        self.assertTrue(first["created"])
        self.assertFalse(second["created"], "the second scanner gets the first one's RMA, no error")
        self.assertEqual(first["rma_id"], second["rma_id"])
        count = self._in_new_cursor(
            lambda env: env["service.rma"].search_count([("lot_id", "=", ids["lot"])])
        )
        self.assertEqual(count, 1)

    def test_same_loaner_lent_once(self):
        ids = self._setup_committed()
        rma_id = self._in_new_cursor(lambda env: env["service.rma"].scan(self.serial)["rma_id"])

        def lend(env):
            Loan = env["service.loan"]
            unit = Loan._find_available_unit(env["product.product"].browse(ids["product"]))
            if not unit:
                return "none available"
            return Loan.create({"rma_id": rma_id, "lot_id": unit.id}).id

        first, second = self._race(lend)
        self.assertIsInstance(first, int)
        self.assertEqual(second, "none available", "the unit lent a moment ago is not lent again")
        open_loans = self._in_new_cursor(lambda env: env["service.loan"].search_count(
            [("lot_id", "=", ids["loaner"]), ("state", "in", ("draft", "out"))]
        ))
        self.assertEqual(open_loans, 1)

    def test_two_clerks_bill_the_same_repair_once(self):
        serial = f"BILLRACE-{uuid4().hex[:10]}"

        def make(env):
            env.company.service_labour_cost_rate = 40.0
            policy = env["service.warranty.policy"].create(
                {"name": "Race billing", "post_warranty_mode": "at_cost"}
            )
            product = env["product.product"].create({
                "name": "Race billing unit", "is_storable": True, "tracking": "serial",
                "warranty_policy_id": policy.id,
            })
            partner = env["res.partner"].create({"name": "Race billing customer"})
            lot = env["stock.lot"].create({"name": serial, "product_id": product.id})
            env["service.warranty"].create({
                "lot_id": lot.id, "partner_id": partner.id, "policy_id": policy.id,
                "date_delivery": "2020-01-10", "state": "active",
            })
            rma = env["service.rma"].browse(env["service.rma"].scan(serial)["rma_id"])
            rma.action_create_receipt()
            rma.receipt_picking_id.move_ids.picked = True
            rma.receipt_picking_id.button_validate()
            rma.action_diagnose()
            rma.action_start_repair()
            rma.repair_id.labour_hours = 2.0
            rma.repair_id.action_validate()
            rma.repair_id.action_repair_start()
            rma.repair_id.action_repair_end()
            assert rma.billing_state == "to_bill", rma.billing_state
            return rma.id

        rma_id = self._in_new_cursor(make)
        self.addCleanup(self._in_new_cursor, lambda env: self._unbill(env, rma_id))

        def bill(env):
            try:
                return env["service.rma"].browse(rma_id).bill_at_cost()["invoices"][0]["id"]
            except UserError as error:
                return str(error)

        first, second = self._race(bill)
        self.assertIsInstance(first, int)
        self.assertIn("already billed", second, "the second clerk is told, no traceback, no second bill")
        bills = self._in_new_cursor(lambda env: env["account.move.line"].search(
            [("service_rma_id", "=", rma_id), ("parent_state", "!=", "cancel")]
        ).move_id.ids)
        self.assertEqual(bills, [first])

    @staticmethod
    def _unbill(env, rma_id):
        rma = env["service.rma"].browse(rma_id)
        rma.bill_line_ids.move_id.button_cancel()
        rma.sale_order_id._action_cancel()
