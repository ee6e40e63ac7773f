"""The risky operations through real JSON-RPC, as the people who tried them:
a form's readonly protects nothing there, the server must refuse."""

from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from .common import RmaCase, RpcCase


@tagged("post_install", "-at_install")
class TestRpcAccess(RpcCase, RmaCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="rpc_portal", groups="base.group_portal", partner_id=cls.customer.id
        )
        # The other unit's warranty is over: its RMA is a repair billed at cost.
        cls.lot2.warranty_id.write({"date_sale": date(2023, 1, 10), "date_delivery": date(2023, 1, 10)})
        cls.warranty.notes = "<p>Internal: keep an eye on this customer</p>"
        Rma = cls.env["service.rma"].with_user(cls.repair_user)
        cls.rma = Rma.browse(Rma.scan("RMA-0002")["rma_id"])
        cls.rma.action_create_receipt()
        picking = cls.rma.receipt_picking_id
        picking.move_ids.picked = True
        picking.button_validate()
        cls.rma.sudo()._override_remedy("repair_at_cost", "Internal: dropped on the floor")

    def test_repair_shop_cannot_make_a_paid_repair_free(self):
        self._refused("rma_shop", "service.rma", "write", [self.rma.id],
                      {"remedy_override": "repair", "override_reason": "x"})
        self._refused("rma_shop", "service.rma", "write", [self.rma.id],
                      {"remedy": "repair", "covered": True})
        self.rma.invalidate_recordset()
        self.assertEqual(self.rma.remedy, "repair_at_cost")
        self.assertFalse(self.rma.covered)

    def test_repair_shop_cannot_extend_a_warranty(self):
        warranty = self.lot2.warranty_id
        self._refused("rma_shop", "service.warranty.extension", "create",
                      {"warranty_id": warranty.id, "days": 1000, "reason": "x"})
        warranty.invalidate_recordset()
        self.assertEqual(warranty.state, "expired")
        self.assertFalse(warranty.extension_ids)

    def test_repair_shop_cannot_jump_to_done(self):
        self._refused("rma_shop", "service.rma", "write", [self.rma.id], {"state": "done"})
        self.rma.invalidate_recordset()
        self.assertEqual(self.rma.state, "received")

    def test_sales_cannot_rewrite_an_active_certificate(self):
        for values in ({"date_delivery": "2026-01-01"}, {"state": "active"},
                       {"partner_id": self.other_customer.id}):
            with self.subTest(values=values):
                self._refused("sw_sales", "service.warranty", "write", [self.warranty.id], values)
        expired = self.lot2.warranty_id
        self._refused("sw_sales", "service.warranty", "write", [expired.id], {"state": "active"})
        self.warranty.invalidate_recordset()
        self.assertEqual(self.warranty.partner_id, self.customer)

    def test_sales_cannot_revive_a_void_certificate(self):
        self.warranty._void("Sold back")
        self._refused("sw_sales", "service.warranty", "write", [self.warranty.id], {"state": "active"})

    def test_portal_cannot_read_internal_fields(self):
        self._refused("rpc_portal", "service.warranty", "read", [self.warranty.id], ["notes"])
        self._refused("rpc_portal", "service.rma", "read", [self.rma.id], ["override_reason"])
        # ... but reads what is theirs.
        values = self._call("rpc_portal", "service.rma", "read", [self.rma.id],
                            ["name", "state", "fault_description", "remedy"])
        self.assertEqual(values[0]["state"], "received")

    def test_manager_overrides_through_the_action(self):
        wizard = self._call("sw_manager", "service.rma.override", "create",
                            {"rma_id": self.rma.id, "remedy": "repair", "reason": "Goodwill: key account"})
        self._call("sw_manager", "service.rma.override", "action_apply", [wizard])
        self.rma.invalidate_recordset()
        self.assertEqual(self.rma.remedy, "repair")
        self.assertTrue(self.rma.covered)
        self.assertTrue(any("Goodwill: key account" in message.body for message in self.rma.message_ids))
