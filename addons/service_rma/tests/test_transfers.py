"""Service transfers go through the RMA's warehouse, are built by hooks an
integrator can hold, and are found from their own moves when validated."""

import importlib.util
from unittest.mock import patch

from odoo.addons.service_rma.models.stock_picking import StockPicking as ServicePicking
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import file_path

from .common import RmaCase


def load_migration():
    path = file_path("service_rma/migrations/19.0.1.1.0/post-migrate.py")
    spec = importlib.util.spec_from_file_location("service_rma_migration_19_0_1_1_0", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestTransfers(RmaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse2 = cls.env["stock.warehouse"].create(
            {"name": "North depot", "code": "NDP", "company_id": cls.company.id}
        )

    def _scan(self, code):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        return Rma.browse(Rma.scan(code)["rma_id"])

    def test_moves_carry_their_rma_and_kind(self):
        rma = self._scan("RMA-0001")
        self.assertEqual(rma.warehouse_id, self.warehouse, "the warehouse that delivered the unit")
        rma.action_create_receipt()
        move = rma.receipt_picking_id.move_ids
        self.assertEqual((move.service_rma_id, move.service_kind), (rma, "receipt"))
        self._validate_unit_picking(rma.receipt_picking_id)
        self.assertEqual(rma.state, "received")

    def test_rma_and_its_loans_use_its_warehouse(self):
        rma = self._scan("RMA-0001")
        rma.warehouse_id = self.warehouse2
        rma.action_create_receipt()
        receipt = rma.receipt_picking_id
        self.assertEqual(receipt.picking_type_id, self.warehouse2.in_type_id)
        self.assertEqual(receipt.location_dest_id, self.warehouse2.rma_location_id)
        self._validate_unit_picking(receipt)
        self.assertEqual(rma.state, "received")
        with self.assertRaises(AccessError):
            rma.with_user(self.repair_user).warehouse_id = self.warehouse
        # A loaner kept in the second warehouse's pool goes out and back through it.
        pool = self.warehouse2._get_loaner_location()
        self.env["stock.quant"]._update_available_quantity(self.product, pool, 1, lot_id=self.loaners[0])
        self.env["stock.quant"]._update_available_quantity(
            self.product, self.stock_location, -1, lot_id=self.loaners[0]
        )
        loan = self.env["service.loaner"].with_user(self.repair_user).create(
            {"rma_id": rma.id, "lot_id": self.loaners[0].id}
        )
        self.assertEqual(loan.picking_out_id.picking_type_id, self.warehouse2.out_type_id)
        self.assertEqual(loan.picking_out_id.move_ids.service_loan_id, loan)
        self._validate_unit_picking(loan.picking_out_id)
        self.assertEqual(loan.state, "out")
        loan.with_user(self.repair_user).action_receive_back()
        self.assertEqual(loan.picking_back_id.picking_type_id, self.warehouse2.in_type_id)
        self.assertEqual(loan.picking_back_id.move_ids.service_kind, "loan_back")
        self._validate_unit_picking(loan.picking_back_id)
        self.assertEqual(loan.state, "returned")

    def test_an_integrators_hook_takes_effect(self):
        Rma = type(self.env["service.rma"])
        prepare = Rma._prepare_receipt_picking_vals

        def with_note(rma):
            return {**prepare(rma), "note": "Check the seal before opening"}

        rma = self._scan("RMA-0001")
        with patch.object(Rma, "_prepare_receipt_picking_vals", with_note):
            rma.action_create_receipt()
        self.assertIn("Check the seal", str(rma.receipt_picking_id.note))

    def test_an_unrelated_picking_costs_no_extra_query(self):
        """Validating a transfer that serves no RMA or loan costs what Odoo's
        own validation costs: the same query count with and without our
        override of ``_action_done``."""
        Picking = type(self.env["stock.picking"])
        service_action_done = Picking._action_done

        # The implementation that ours extends: the next one in the registry
        # class's MRO (Odoo's, with any other module's before ours).
        after_ours = Picking.__mro__[Picking.__mro__.index(ServicePicking) + 1:]
        odoo_action_done = next(klass.__dict__["_action_done"] for klass in after_ours
                                if "_action_done" in klass.__dict__)

        def delivery(serial):
            self._make_lots(self.product_no_policy, [serial])
            order = self._sell([(self.product_no_policy, 1)])
            picking = order.picking_ids
            picking.action_assign()
            picking.move_ids.picked = True
            return picking

        def count(picking, action_done):
            self.env.invalidate_all()
            with patch.object(Picking, "_action_done", action_done):
                before = self.cr.sql_log_count
                picking._action_done()
                self.env.flush_all()
                return self.cr.sql_log_count - before

        count(delivery("UNREL-0"), service_action_done)  # warm the caches
        with_ours = count(delivery("UNREL-1"), service_action_done)
        without = count(delivery("UNREL-2"), odoo_action_done)
        self.assertEqual(with_ours, without)
        self.assertTrue(service_action_done is not odoo_action_done)

    def test_transfers_made_before_the_upgrade_are_linked_by_the_migration(self):
        rma = self._scan("RMA-0001")
        rma.action_create_receipt()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_move SET service_rma_id = NULL, service_kind = NULL WHERE picking_id = %s",
            [rma.receipt_picking_id.id],
        )
        self.env.invalidate_all()
        load_migration().migrate(self.env.cr, "19.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(rma.receipt_picking_id.move_ids.service_kind, "receipt")
        self._validate_unit_picking(rma.receipt_picking_id)
        self.assertEqual(rma.state, "received")
