from datetime import date

from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RmaCase


@tagged("post_install", "-at_install")
class TestLifecycle(RmaCase):
    def _scan(self, code="RMA-0001"):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        return Rma.browse(Rma.scan(code)["rma_id"])

    def test_covered_repair_end_to_end_extends_warranty(self):
        # Delivered in June: by November refund and exchange windows are over.
        self.warranty.date_delivery = date(2026, 6, 1)
        end_before = self.warranty.date_end
        self.assertEqual(end_before, date(2027, 5, 31))
        with freeze_time("2026-11-02 10:00:00"):
            rma = self._scan()
            rma.fault_description = "Display flickers"
            rma.action_create_receipt()
            receipt = rma.receipt_picking_id
            self.assertEqual(receipt.picking_type_id.code, "incoming")
            self.assertEqual(receipt.move_line_ids.lot_id, self.lot)
            self._validate_unit_picking(receipt.with_user(self.repair_user))
            self.assertEqual(rma.state, "received")
            self.assertEqual(self.lot.quant_ids.filtered(lambda q: q.quantity > 0).location_id,
                             rma._get_warehouse().rma_location_id)
            rma.action_diagnose()
            self.assertEqual(rma.state, "diagnosed")
            self.assertEqual(rma.remedy, "repair")
            rma.action_start_repair()
            repair = rma.repair_id
            self.assertTrue(repair.under_warranty)
            self.assertEqual(repair.lot_id, self.lot)
            self.assertEqual(rma.state, "in_repair")
        with freeze_time("2026-11-12 16:00:00"):
            repair.action_validate()
            repair.action_repair_start()
            repair.action_repair_end()
            self.assertEqual(repair.state, "done")
            self.assertEqual(rma.state, "ready")
            rma.action_create_return()
            self.assertEqual(rma.return_picking_id.picking_type_id.code, "outgoing")
            self._validate_unit_picking(rma.return_picking_id.with_user(self.repair_user))
        self.assertEqual(rma.state, "done")
        extension = self.warranty.extension_ids
        self.assertEqual(extension.days, 10, "received on the 2nd, back on the 12th")
        self.assertEqual((self.warranty.date_end - end_before).days, 10)
        self.assertIn(repair, self.lot.service_repair_ids)

    def test_not_covered_repair_does_not_extend(self):
        rma = self._scan()
        rma.exclusion_ids = self.excl_accident
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        rma.action_diagnose()
        self.assertEqual(rma.remedy, "repair_at_cost")
        rma.action_start_repair()
        self.assertFalse(rma.repair_id.under_warranty)
        rma.repair_id.action_validate()
        rma.repair_id.action_repair_start()
        rma.repair_id.action_repair_end()
        rma.action_create_return()
        self._validate_unit_picking(rma.return_picking_id)
        self.assertEqual(rma.state, "done")
        self.assertFalse(self.warranty.extension_ids)

    def test_rejected_unit_goes_back_with_reason(self):
        self.policy.post_warranty_mode = "none"
        rma = self._scan()
        rma.exclusion_ids = self.excl_misuse
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        rma.action_diagnose()
        self.assertEqual(rma.remedy, "rejected")
        with self.assertRaisesRegex(UserError, "not a repair"):
            rma.action_start_repair()
        rma.action_reject()
        self.assertEqual(rma.state, "ready")
        self.assertIn("Returned unrepaired", rma.message_ids[:1].body)
        rma.action_create_return()
        self._validate_unit_picking(rma.return_picking_id)
        self.assertEqual(rma.state, "done")

    def test_loaner_lend_and_return_and_rma_waits_for_it(self):
        rma = self._scan()
        rma.expected_repair_hours = 24
        self.assertTrue(rma.loaner_suggested)
        Loan = self.env["service.loan"].with_user(self.repair_user)
        unit = Loan._find_available_unit(self.product)
        self.assertIn(unit, self.loaners)
        loan = Loan.create({"rma_id": rma.id, "lot_id": unit.id, "date_due": date(2026, 12, 31)})
        self.assertEqual(loan.picking_out_id.move_line_ids.lot_id, unit)
        self._validate_unit_picking(loan.picking_out_id)
        self.assertEqual(loan.state, "out")
        self.assertTrue(rma.loaner_out)
        self.assertFalse(rma.loaner_suggested)
        self.assertNotEqual(Loan._find_available_unit(self.product), unit, "a lent unit is not offered")
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        rma.action_reject()
        rma.action_create_return()
        with self.assertRaisesRegex(UserError, "still has a loaner"):
            self._validate_unit_picking(rma.return_picking_id)
        loan.action_receive_back()
        self._validate_unit_picking(loan.picking_back_id)
        self.assertEqual(loan.state, "returned")
        self._validate_unit_picking(rma.return_picking_id)
        self.assertEqual(rma.state, "done")

    def test_overdue_loaner_flagged(self):
        rma = self._scan()
        loan = self.env["service.loan"].create(
            {"rma_id": rma.id, "lot_id": self.loaners[0].id, "date_due": date(2026, 1, 10)}
        )
        self._validate_unit_picking(loan.picking_out_id)
        with freeze_time("2026-01-11"):
            loan.invalidate_recordset(["is_overdue"])
            self.assertTrue(loan.is_overdue)
            self.assertEqual(self.env["service.rma"]._cron_sla_and_loaners()["loans"], 1)
        self.assertTrue(rma.activity_ids.filtered(lambda a: "loaner" in a.summary))

    def test_public_page_shows_one_status_line(self):
        rma = self._scan()
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        values = self.lot._get_public_service_values()
        self.assertTrue(values["service_status"].startswith("Received for service on"))
        self.assertNotIn(rma.name, values["service_status"])


@tagged("post_install", "-at_install")
class TestRemedies(RmaCase):
    def _received(self, code="RMA-0001"):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        rma = Rma.browse(Rma.scan(code)["rma_id"])
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        return rma

    def test_exchange_replacement_inherits_remaining_term(self):
        # Sold and delivered within the 30-day exchange window (a sale date after
        # the frozen day would be refused as a future date).
        self.warranty.write({"date_sale": date(2026, 10, 20), "date_delivery": date(2026, 10, 20)})
        self.warranty.extension_ids = [(0, 0, {"days": 5, "reason": "earlier repair"})]
        with freeze_time("2026-11-05 10:00:00"):
            rma = self._received()
            self.assertEqual(rma.remedy, "exchange")
            spare = self._make_lots(self.product, ["SPARE-1"])
            wizard = Form(self.env["service.rma.exchange"].with_user(self.repair_user).with_context(
                default_rma_id=rma.id))
            self.assertEqual(wizard.lot_id, spare, "a unit in stock is proposed")
            wizard.save().action_exchange()
            picking = rma.exchange_picking_id
            self.assertEqual(picking.picking_type_id.code, "outgoing")
            self.assertEqual(picking.move_line_ids.lot_id, spare)
            self._validate_unit_picking(picking)
        self.assertEqual(rma.state, "done")
        self.assertEqual(self.warranty.state, "replaced")
        new = self.warranty.replaced_by_id
        self.assertEqual(new.lot_id, spare)
        self.assertEqual(new.partner_id, self.customer)
        self.assertEqual(new.state, "active")
        self.assertEqual(new.date_end, self.warranty.date_end, "the replacement keeps the remaining term")
        self.assertEqual(self.env["service.warranty"].search_count(
            [("lot_id", "=", spare.id), ("state", "in", ("draft", "active"))]), 1)

    def test_exchange_replacement_new_term(self):
        self.policy.replacement_term = "new"
        self.warranty.write({"date_sale": date(2026, 10, 20), "date_delivery": date(2026, 10, 20)})
        with freeze_time("2026-11-05 10:00:00"):
            rma = self._received()
            spare = self._make_lots(self.product, ["SPARE-2"])
            rma._exchange(spare)
            self._validate_unit_picking(rma.exchange_picking_id)
            new = self.warranty.replaced_by_id
            self.assertEqual(new.date_start, date(2026, 11, 5))
            self.assertEqual(new.date_end, date(2027, 11, 4))

    def test_refund_credit_note_against_invoice(self):
        invoice = self.order._create_invoices()
        invoice.action_post()
        self.warranty.date_delivery = fields.Date.today()
        rma = self._received()
        self.assertEqual(rma.remedy, "refund")
        rma.action_refund()
        credit_note = rma.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.invoice_line_ids.quantity, 1)
        self.assertEqual(credit_note.invoice_line_ids.price_unit, self.order.order_line.price_unit)
        self.assertEqual(self.warranty.state, "void")
        self.assertEqual(rma.state, "done")

    def test_refund_without_invoice_is_a_draft_credit_note(self):
        self.warranty.date_delivery = fields.Date.today()
        rma = self._received()
        rma.action_refund()
        self.assertFalse(rma.credit_note_id.reversed_entry_id)
        self.assertEqual(rma.credit_note_id.partner_id, self.customer)

    def test_wrong_remedy_refused(self):
        self.warranty.date_delivery = date(2026, 1, 10)
        with freeze_time("2026-06-01"):
            rma = self._received()
            self.assertEqual(rma.remedy, "repair")
            with self.assertRaisesRegex(UserError, "not a refund"):
                rma.action_refund()
            with self.assertRaisesRegex(UserError, "not an exchange"):
                rma._exchange(self._make_lots(self.product, ["SPARE-3"]))
