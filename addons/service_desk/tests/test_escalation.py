from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

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

    # -- loaner ------------------------------------------------------------------

    def test_lend_a_loaner_from_the_request_through_the_units_rma(self):
        request = self._request(user=self.desk_repair, lot_id=self.lot.id, description="Pump stops")
        self.assertTrue(request.can_lend_loaner)
        action = request.action_lend_loaner()
        rma = request.rma_ids
        self.assertEqual(len(rma), 1, "the loan needs an RMA: the unit's is opened for the request")
        self.assertEqual(rma.lot_id, self.lot)
        self.assertEqual(rma.service_request_id, request)
        self.assertEqual(request.state, "in_progress")
        self.assertEqual(action["res_model"], "service.loan")
        self.assertEqual(action["context"]["default_rma_id"], rma.id)

        Loan = self.env["service.loan"].with_user(self.desk_repair).with_context(**action["context"])
        loan_form = Form(Loan, view="service_rma.service_loan_view_form_lend")
        self.assertEqual(loan_form.lot_id, self.loaners[0], "the pool unit longest in stock, as the RMA does")
        loan = loan_form.save()
        picking = loan.picking_out_id
        self.assertEqual(picking.picking_type_id.code, "outgoing")
        self.assertEqual(picking.move_line_ids.lot_id, self.loaners[0])
        self.assertEqual(loan.state, "draft")
        self._validate_unit_picking(picking)

        self.assertEqual(loan.state, "out")
        self.assertTrue(loan.date_out)
        at_customer = self.loaners[0].quant_ids.filtered(lambda quant: quant.quantity > 0).location_id
        self.assertEqual(at_customer, self.customer.property_stock_customer)
        self.assertEqual(rma.loan_ids, loan)
        self.assertTrue(rma.loaner_out)
        self.assertEqual(request.loan_ids, loan, "the request shows the loaner")
        self.assertEqual(request.loan_count, 1)
        self.assertFalse(request.can_lend_loaner, "one loaner at a time")
        self.assertEqual(self.env["service.loan"].search(request.action_view_loans()["domain"]), loan)
        with self.assertRaisesRegex(UserError, "Lending a loaner is not possible"):
            request.with_user(self.desk_repair).action_lend_loaner()

    def test_a_loaner_goes_on_the_rma_the_unit_was_taken_in_with(self):
        request = self._request(user=self.desk_repair, lot_id=self.lot.id)
        rma = self.env["service.rma"].browse(request.action_take_unit_in()["res_id"])
        action = request.action_lend_loaner()
        self.assertEqual(action["context"]["default_rma_id"], rma.id)
        self.assertEqual(request.rma_ids, rma)

    def test_only_the_repair_shop_lends_loaners(self):
        request = self._request(lot_id=self.lot.id)
        with self.assertRaises(AccessError):
            request.with_user(self.desk_user).action_lend_loaner()
        self.assertFalse(request.rma_ids)

    # -- advance replacement -------------------------------------------------------

    def _in_repair_period(self):
        """Delivered two months ago: past the refund and exchange windows,
        still under warranty (a free repair is the verdict)."""
        delivered = fields.Date.today() - timedelta(days=60)
        self.warranty.write({"date_sale": delivered, "date_delivery": delivered})

    def _advance_replace(self, request):
        action = request.action_open_advance_replacement()
        self.assertEqual(action["res_model"], "service.advance.replacement")
        Wizard = self.env[action["res_model"]].with_user(self.desk_repair).with_context(**action["context"])
        return Form(Wizard)

    def test_advance_replacement_swaps_the_unit_with_the_real_transfers(self):
        self._in_repair_period()
        spare = self._make_lots(self.product, ["SPARE-AR1"])
        request = self._request(user=self.desk_repair, lot_id=self.lot.id, severity="urgent",
                                support_mode="on_site", description="No flow")
        self.assertTrue(request.can_advance_replace)
        wizard = self._advance_replace(request)
        self.assertEqual(wizard.faulty_lot_id, self.lot)
        self.assertEqual(wizard.replacement_lot_id, spare, "a unit of the product in stock, no loaner")
        self.assertNotIn(self.loaners[0], wizard.available_lot_ids)
        wizard.save().action_replace()

        rma = request.rma_ids
        self.assertEqual(len(rma), 1)
        self.assertEqual(rma.lot_id, self.lot, "the RMA is the faulty unit's")
        self.assertTrue(rma.advance_replacement)
        self.assertEqual(rma.remedy, "repair")
        self.assertTrue(rma.covered)
        self.assertEqual(rma.state, "draft")
        self.assertEqual(rma.replacement_lot_id, spare)
        exchange, receipt = rma.exchange_picking_id, rma.receipt_picking_id
        self.assertEqual(exchange.picking_type_id.code, "outgoing")
        self.assertEqual(exchange.move_line_ids.lot_id, spare)
        self.assertEqual(receipt.picking_type_id.code, "incoming")
        self.assertEqual(receipt.move_line_ids.lot_id, self.lot, "the faulty unit's receipt is made")
        self.assertFalse(request.can_advance_replace)
        self.assertFalse(rma.can_cancel, "the replacement is on its way: the faulty unit must come back")
        self.assertEqual(request.support_mode, "on_site", "swapped on site, not carried in")

        self._validate_unit_picking(exchange)
        at_customer = spare.quant_ids.filtered(lambda quant: quant.quantity > 0).location_id
        self.assertEqual(at_customer, self.customer.property_stock_customer)
        self.assertEqual(self.warranty.state, "replaced")
        new = self.warranty.replaced_by_id
        self.assertEqual(new.lot_id, spare)
        self.assertEqual(new.partner_id, self.customer)
        self.assertEqual(new.state, "active")
        self.assertEqual(new.date_end, self.warranty.date_end,
                         "the policy: the replacement keeps the remaining term")
        self.assertEqual(rma.state, "draft", "the RMA waits for the faulty unit")
        self.assertTrue(rma.date_resolved)

        self._validate_unit_picking(receipt)
        self.assertEqual(rma.state, "done", "the faulty unit is back: the RMA is done")
        self.assertTrue(rma.date_received)
        in_house = self.lot.quant_ids.filtered(lambda quant: quant.quantity > 0).location_id
        self.assertEqual(in_house.usage, "internal")
        self.assertEqual(self.env["service.warranty"].search_count(
            [("lot_id", "=", spare.id), ("state", "in", ("draft", "active"))]), 1)

    def test_advance_replacement_with_a_new_term_by_the_policy(self):
        self._in_repair_period()
        self.policy.replacement_term = "new"
        spare = self._make_lots(self.product, ["SPARE-AR2"])
        request = self._request(user=self.desk_repair, lot_id=self.lot.id)
        picking = request.with_user(self.desk_repair)._advance_replace(spare)
        self._validate_unit_picking(picking)
        new = self.warranty.replaced_by_id
        self.assertEqual(new.lot_id, spare)
        self.assertEqual(new.date_start, fields.Date.context_today(new))
        self.assertGreater(new.date_end, self.warranty.date_end)

    def test_the_faulty_unit_back_first_then_the_replacement_closes_the_rma(self):
        self._in_repair_period()
        spare = self._make_lots(self.product, ["SPARE-AR3"])
        request = self._request(user=self.desk_repair, lot_id=self.lot.id)
        exchange = request.with_user(self.desk_repair)._advance_replace(spare)
        rma = request.rma_ids
        self._validate_unit_picking(rma.receipt_picking_id)
        self.assertEqual(rma.state, "received")
        self._validate_unit_picking(exchange)
        self.assertEqual(rma.state, "done")
        self.assertEqual(self.warranty.replaced_by_id.lot_id, spare)

    def test_no_advance_replacement_after_the_warranty(self):
        self.warranty.write({"date_sale": "2020-01-10", "date_delivery": "2020-01-10"})
        self.warranty._sync_state_with_dates()
        self.assertEqual(self.warranty.state, "expired")
        request = self._request(user=self.desk_repair, lot_id=self.lot.id)
        self.assertFalse(request.can_advance_replace)
        self.assertTrue(request.can_take_unit_in, "out of warranty, the unit goes to the shop")
        spare = self._make_lots(self.product, ["SPARE-AR4"])
        with self.assertRaisesRegex(UserError, "Replacing the unit in advance is not possible"):
            request.with_user(self.desk_repair)._advance_replace(spare)
        self.assertFalse(request.rma_ids)
        self.assertEqual(spare.quant_ids.filtered(lambda quant: quant.quantity > 0).location_id,
                         self.stock_location)

    def test_only_the_repair_shop_replaces_in_advance(self):
        self._in_repair_period()
        spare = self._make_lots(self.product, ["SPARE-AR5"])
        request = self._request(lot_id=self.lot.id)
        with self.assertRaises(AccessError):
            request.with_user(self.desk_user)._advance_replace(spare)
        self.assertEqual(self.warranty.state, "active")
