from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestEscalation(DeskCase):
    def test_take_the_unit_in_opens_an_rma_linked_both_ways(self):
        request = self._request(user=self.desk_repair, lot_id=self.lot.id, severity="urgent",
                                description="Display dead")
        self.assertTrue(request.can_take_unit_in)
        action = request.action_take_unit_in()
        rma = self.env["service.rma"].browse(action["res_id"])
        self.assertEqual(rma.lot_id, self.lot)
        self.assertEqual(rma.partner_id, self.customer)
        self.assertEqual(rma.warranty_id, self.warranty, "the RMA's intake took it from the certificate")
        self.assertEqual(rma.state, "draft")
        self.assertEqual(rma.priority, "urgent")
        self.assertEqual(rma.fault_description, "Display dead")
        self.assertEqual(rma.service_request_id, request)
        self.assertEqual(request.rma_ids, rma)
        self.assertEqual(request.rma_count, 1)
        self.assertEqual(request.state, "in_progress")
        self.assertEqual(request.support_mode, "carry_in")
        self.assertFalse(request.can_take_unit_in, "one open RMA at a time")

    def test_the_units_open_rma_is_reused(self):
        existing = self.env["service.rma"].with_user(self.repair_user).browse(
            self.env["service.rma"].with_user(self.repair_user).scan(self.lot.name)["rma_id"]
        )
        request = self._request(user=self.desk_repair, lot_id=self.lot.id)
        request.action_take_unit_in()
        self.assertEqual(request.rma_ids, existing)
        self.assertEqual(self.env["service.rma"].search_count([("lot_id", "=", self.lot.id)]), 1)

    def test_a_unit_without_certificate_goes_in_for_the_requests_customer(self):
        lot = self._make_lots(self.product, ["NOCERT-1"])
        request = self._request(user=self.desk_repair, lot_id=lot.id)
        request.action_take_unit_in()
        self.assertEqual(request.rma_ids.partner_id, self.customer)
        self.assertEqual(request.rma_ids.lot_id, lot)

    def test_only_the_repair_shop_takes_units_in(self):
        request = self._request(lot_id=self.lot.id)
        with self.assertRaises(AccessError):
            request.with_user(self.desk_user).action_take_unit_in()
        self.assertFalse(request.rma_ids)
