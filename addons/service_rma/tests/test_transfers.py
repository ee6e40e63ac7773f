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
        loan = self.env["service.loan"].with_user(self.repair_user).create(
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

    def _steps(self, document, kind, field="service_rma_id"):
        """Every step of ``document``'s ``kind`` of transfer, in order."""
        moves = self.env["stock.move"].search(
            [(field, "=", document.id), ("service_kind", "=", kind)], order="id"
        )
        return moves.picking_id

    def _walk(self, document, kind, expected_types, field="service_rma_id", before_last=None):
        """Validate each step of the transfer as Odoo's push rules make it,
        checking its operation type and that it moves the document's unit;
        ``before_last`` is called before the last one is validated."""
        done = self.env["stock.picking"]
        for index, picking_type in enumerate(expected_types):
            picking = self._steps(document, kind, field) - done
            self.assertEqual(len(picking), 1, f"step {index + 1}: {picking.picking_type_id.mapped('name')}")
            self.assertEqual(picking.picking_type_id, picking_type, f"step {index + 1}")
            if index == len(expected_types) - 1 and before_last:
                before_last()
            picking.action_assign()
            self.assertEqual(picking.move_ids.move_line_ids.lot_id, document.lot_id if kind != "exchange"
                             else document.replacement_lot_id, f"step {index + 1} moves the document's unit")
            self._validate_unit_picking(picking)
            done |= picking
        self.assertEqual(self._steps(document, kind, field), done, "no step beyond the last")
        return done

    def test_three_step_reception_and_pick_pack_ship_delivery(self):
        """In a warehouse that receives in three steps and delivers in
        three, the returned unit comes in through input and quality control
        to the repair location (never the saleable stock) and goes back
        through pick, pack and ship; the RMA moves on when the unit arrives."""
        big = self.env["stock.warehouse"].create({
            "name": "Central depot", "code": "CDP", "company_id": self.company.id,
            "reception_steps": "three_steps", "delivery_steps": "pick_pack_ship",
        })
        self.policy.post_warranty_mode = "none"
        rma = self._scan("RMA-0001")
        rma.warehouse_id = big
        rma.exclusion_ids = self.excl_misuse
        rma.action_create_receipt()
        self.assertEqual(rma.receipt_picking_id.location_dest_id, big.wh_input_stock_loc_id)

        def still_in_transit():
            self.assertEqual(rma.state, "draft", "not received until it reaches the repair location")

        self._walk(rma, "receipt", big.in_type_id | big.qc_type_id | big.store_type_id,
                   before_last=still_in_transit)
        self.assertEqual(rma.state, "received")
        self.assertEqual(self.lot._service_internal_location(), big.rma_location_id)
        self.assertFalse(self.lot.quant_ids.filtered(
            lambda quant: quant.quantity > 0 and quant.location_id._child_of(big.lot_stock_id)
        ), "a customer's unit is never in the saleable stock")

        rma.action_diagnose()
        rma.action_reject()
        rma.action_create_return()
        self.assertEqual(rma.return_picking_id.picking_type_id, big.pick_type_id)
        self.assertEqual(rma.return_picking_id.location_id, big.rma_location_id)

        def not_yet_back():
            self.assertEqual(rma.state, "ready", "done only once the unit is shipped")

        self._walk(rma, "return", big.pick_type_id | big.pack_type_id | big.out_type_id,
                   before_last=not_yet_back)
        self.assertEqual(rma.state, "done")
        self.assertEqual(self.lot.quant_ids.filtered(lambda quant: quant.quantity > 0).location_id,
                         self.customer.property_stock_customer)

    def test_loans_follow_the_warehouse_steps(self):
        """A loaner leaves in two steps (pick, ship) and comes back in two
        (input, then to the loaner pool, not the saleable stock)."""
        rma = self._scan("RMA-0001")
        rma.warehouse_id = self.warehouse2
        self.warehouse2.write({"reception_steps": "two_steps", "delivery_steps": "pick_ship"})
        pool = self.warehouse2._get_loaner_location()
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(self.product, pool, 1, lot_id=self.loaners[0])
        Quant._update_available_quantity(self.product, self.stock_location, -1, lot_id=self.loaners[0])
        loan = self.env["service.loan"].with_user(self.repair_user).create(
            {"rma_id": rma.id, "lot_id": self.loaners[0].id}
        )
        self._walk(loan, "loan_out", self.warehouse2.pick_type_id | self.warehouse2.out_type_id,
                   field="service_loan_id",
                   before_last=lambda: self.assertEqual(loan.state, "draft"))
        self.assertEqual(loan.state, "out")
        self.assertFalse(self.loaners[0].sudo().warranty_ids, "a loaner is lent, not sold: no certificate")
        loan.with_user(self.repair_user).action_receive_back()
        self._walk(loan, "loan_back", self.warehouse2.in_type_id | self.warehouse2.store_type_id,
                   field="service_loan_id",
                   before_last=lambda: self.assertEqual(loan.state, "out"))
        self.assertEqual(loan.state, "returned")
        self.assertEqual(self.loaners[0]._service_internal_location(), pool)

    def test_the_service_route_follows_the_reception_setup(self):
        route = self.warehouse2._get_service_route()
        self.assertFalse(route.rule_ids, "one step: nothing after the receipt")
        self.warehouse2.reception_steps = "three_steps"
        self.assertEqual(self.warehouse2._get_service_route(), route)
        self.assertEqual(
            set(route.rule_ids.mapped(lambda rule: (rule.location_src_id, rule.location_dest_id))),
            {(self.warehouse2.wh_input_stock_loc_id, self.warehouse2.wh_qc_stock_loc_id),
             (self.warehouse2.wh_qc_stock_loc_id, self.warehouse2.view_location_id)},
        )
        self.warehouse2.reception_steps = "two_steps"
        self.warehouse2._get_service_route()
        self.assertEqual(
            route.rule_ids.mapped(lambda rule: (rule.location_src_id, rule.location_dest_id)),
            [(self.warehouse2.wh_input_stock_loc_id, self.warehouse2.view_location_id)],
        )

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
