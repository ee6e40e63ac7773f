"""Claims back to the vendor: a unit the manufacturer's warranty still covers
goes to its vendor and comes back repaired, replaced or refused, or the
vendor credits it; the RMA goes on from the vendor's answer."""

from datetime import date

from freezegun import freeze_time
from odoo import Command
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RmaCase

DAY = "2026-12-01 10:00:00"


class VendorClaimCase(RmaCase):
    """Two ventilators bought from Medi Parts on 1 September 2026 (a real
    receipt), delivered to the customer on 15 September; the pumps of
    ``RmaCase`` came into stock without a receipt, and Pump Works is their
    product's vendor. The manufacturer's warranty is 24 months."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.manufacturer_months = 24
        Partner = cls.env["res.partner"]
        cls.vendor = Partner.create({"name": "Medi Parts Ltd", "email": "rma@mediparts.example.com"})
        cls.main_vendor = Partner.create({"name": "Pump Works Inc"})
        cls.device = cls.env["product.product"].create({
            "name": "Ventilator V-9",
            "is_storable": True,
            "tracking": "serial",
            "list_price": 2000.0,
            "standard_price": 1200.0,
            "warranty_policy_id": cls.policy.id,
        })
        cls.env["product.supplierinfo"].create([
            {"partner_id": cls.main_vendor.id, "product_tmpl_id": template.id, "price": 1100.0}
            for template in (cls.product.product_tmpl_id, cls.device.product_tmpl_id)
        ])
        with freeze_time("2026-09-01 09:00:00"):
            cls.receipt = cls._receive_from_vendor(cls.device, ["VENT-0001", "VENT-0002"], cls.vendor)
        with freeze_time("2026-09-15 09:00:00"):
            order = cls._sell([(cls.device, 2)])
            cls._validate(order.picking_ids)
        cls.vent = cls.receipt.move_line_ids.lot_id.filtered(lambda lot: lot.name == "VENT-0001")
        cls.vent2 = cls.receipt.move_line_ids.lot_id - cls.vent
        cls.vent_warranty = cls.vent.warranty_id
        # The pump's certificate: delivered on 15 September too.
        cls.warranty.date_delivery = date(2026, 9, 15)
        cls.clerk = new_test_user(
            cls.env, login="vc_clerk", groups="service_warranty.group_aftersales_user", name="Clara Clerk"
        )
        cls.finance_user = new_test_user(
            cls.env, login="vc_finance", groups="account.group_account_invoice", name="Fred Finance"
        )
        cls.portal_user = new_test_user(
            cls.env, login="vc_portal", groups="base.group_portal", name="Polly Portal",
            partner_id=Partner.create({"name": "Polly Portal", "parent_id": cls.customer.id}).id,
        )
        cls.rma_location = cls.warehouse._get_rma_location()
        cls.vendor_location = cls.vendor.property_stock_supplier

    @classmethod
    def _receive_from_vendor(cls, product, serials, vendor, warehouse=None):
        """A receipt of ``serials`` from ``vendor`` into stock, validated."""
        warehouse = warehouse or cls.warehouse
        lots = cls.env["stock.lot"].create([{"name": name, "product_id": product.id} for name in serials])
        picking = cls.env["stock.picking"].create({
            "picking_type_id": warehouse.in_type_id.id,
            "partner_id": vendor.id,
            "location_id": vendor.property_stock_supplier.id,
            "location_dest_id": warehouse.lot_stock_id.id,
            "move_ids": [Command.create({
                "product_id": product.id,
                "product_uom_qty": len(serials),
                "product_uom": product.uom_id.id,
                "location_id": vendor.property_stock_supplier.id,
                "location_dest_id": warehouse.lot_stock_id.id,
            })],
        })
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        cls.env["stock.move.line"].create([{
            "move_id": move.id, "picking_id": picking.id, "product_id": product.id, "lot_id": lot.id,
            "quantity": 1, "location_id": move.location_id.id, "location_dest_id": move.location_dest_id.id,
        } for lot in lots])
        move.picked = True
        picking._action_done()
        assert picking.state == "done", picking.state
        return picking

    def _received(self, serial="VENT-0001", diagnose=True):
        """The unit's RMA, as the repair shop scans and receives it."""
        Rma = self.env["service.rma"].with_user(self.repair_user)
        rma = Rma.browse(Rma.scan(serial)["rma_id"])
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        if diagnose:
            rma.action_diagnose()
        return rma

    def _claim(self, rma):
        action = rma.with_user(self.repair_user).action_claim_vendor()
        self.assertEqual(action["res_model"], "service.vendor.claim")
        return self.env["service.vendor.claim"].with_user(self.repair_user).browse(action["res_id"])

    def _at_vendor(self, rma, reference="MP-RMA-7781", turnaround=10):
        """Claim the RMA's unit, record the vendor's number, send the unit."""
        claim = self._claim(rma)
        claim.write({"vendor_reference": reference, "turnaround_days": turnaround})
        claim.action_send()
        self._validate_unit_picking(claim.picking_out_id)
        self.assertEqual(claim.state, "at_vendor")
        return claim


@tagged("post_install", "-at_install")
class TestVendorClaim(HttpCase, VendorClaimCase):
    def test_vendor_is_the_receipts_partner_else_the_products_main_vendor(self):
        with freeze_time(DAY):
            rma = self._received("VENT-0001")
            self.assertEqual(rma.vendor_id, self.vendor, "the partner of the receipt that brought it in")
            self.assertEqual(rma.vendor_warranty_end, date(2028, 8, 31), "24 months from the receipt")
            self.assertTrue(rma.vendor_covered)
            self.assertTrue(rma.can_claim_vendor)
            claim = self._claim(rma)
            self.assertEqual(claim.partner_id, self.vendor)
            self.assertEqual((claim.rma_id, claim.lot_id, claim.state), (rma, self.vent, "draft"))
            self.assertTrue(claim.name.startswith("VC/"), claim.name)

            pump_rma = self._received("RMA-0001")
            self.assertEqual(pump_rma.vendor_id, self.main_vendor, "no receipt: the product's main vendor")
            self.assertEqual(pump_rma.vendor_warranty_end, date(2028, 9, 14),
                             "no receipt: 24 months from the customer's warranty start")
            pump_claim = self._claim(pump_rma)
            self.assertEqual(pump_claim.partner_id, self.main_vendor)
            # The repair shop may choose another vendor until the unit leaves.
            pump_claim.partner_id = self.vendor
            pump_claim.action_send()
            self.assertEqual(pump_claim.picking_out_id.partner_id, self.vendor)
            with self.assertRaises(AccessError):
                pump_claim.partner_id = self.main_vendor

    def test_no_claim_without_the_vendors_warranty(self):
        with freeze_time("2028-09-05 10:00:00"):
            rma = self._received("VENT-0001")
            self.assertEqual(rma.vendor_warranty_end, date(2028, 8, 31))
            self.assertFalse(rma.vendor_covered)
            self.assertFalse(rma.can_claim_vendor)
            with self.assertRaisesRegex(UserError, "not possible"):
                rma.action_claim_vendor()
            with self.assertRaisesRegex(UserError, "cannot be claimed from the vendor"):
                self.env["service.vendor.claim"].with_user(self.repair_user).create({"rma_id": rma.id})
        # A unit with no vendor at all is not claimable either, whatever the term.
        self.env["product.supplierinfo"].search(
            [("product_tmpl_id", "=", self.product.product_tmpl_id.id)]
        ).unlink()
        self.policy.manufacturer_months = 36
        with freeze_time(DAY):
            pump_rma = self._received("RMA-0001")
            self.assertTrue(pump_rma.vendor_warranty_end)
            self.assertFalse(pump_rma.vendor_id)
            self.assertFalse(pump_rma.can_claim_vendor)

    def test_claim_end_to_end_back_repaired(self):
        with freeze_time(DAY):
            rma = self._received("VENT-0001")
            self.assertEqual(rma.remedy, "repair")
            claim = self._claim(rma)
            claim.write({"vendor_reference": "MP-RMA-7781", "turnaround_days": 10})
            claim.action_send()
            out = claim.picking_out_id
            move = out.move_ids
            self.assertEqual((move.service_vendor_claim_id, move.service_kind), (claim, "vendor_out"))
            self.assertEqual(out.picking_type_id, self.warehouse.out_type_id, "the receipts' return type")
            self.assertEqual(out.location_id, self.rma_location)
            self.assertEqual(out.location_dest_id, self.vendor_location)
            self.assertEqual(out.partner_id, self.vendor)
            self.assertEqual(out.move_line_ids.lot_id, self.vent)
            self.assertEqual(claim.state, "draft", "at the vendor once the unit has left")
            self._validate_unit_picking(out)
            self.assertEqual(claim.state, "at_vendor")
            self.assertEqual(claim.date_sent, date(2026, 12, 1))
            self.assertEqual(claim.date_expected, date(2026, 12, 11))
            self.assertEqual(rma.at_vendor_since, date(2026, 12, 1))
            self.assertEqual(rma.customer_status, "At the vendor since 2026-12-01")
            self.assertEqual(self.vent._service_internal_location(), self.env["stock.location"])
            self.assertFalse(rma.can_start_repair, "the unit is with the vendor")
            with self.assertRaisesRegex(UserError, "claimed from its vendor"):
                rma.action_start_repair()
            self.assertIn("Medi Parts Ltd", rma.message_ids[:1].body)
        with freeze_time("2026-12-09 15:00:00"):
            claim.invalidate_recordset(["days_out"])
            self.assertEqual(claim.days_out, 8)
            self.assertFalse(claim.is_overdue)
            claim.action_receive_repaired()
            back = claim.picking_back_id
            self.assertEqual(back.move_ids.service_kind, "vendor_back")
            self.assertEqual(back.picking_type_id, self.warehouse.in_type_id)
            self.assertEqual(back.location_id, self.vendor_location)
            self.assertEqual(back.location_dest_id, self.rma_location)
            self.assertEqual(back.move_line_ids.lot_id, self.vent)
            self.assertEqual(claim.state, "at_vendor", "until the unit is back")
            self._validate_unit_picking(back)
            self.assertEqual((claim.state, claim.outcome), ("done", "repaired"))
            self.assertEqual(claim.date_back, date(2026, 12, 9))
            self.assertEqual(claim.days_out, 8)
            self.assertEqual(self.vent._service_internal_location(), self.rma_location)
            self.assertEqual(rma.state, "ready", "as after a repair of our own")
            self.assertFalse(rma.at_vendor_since)
            rma.action_create_return()
            self._validate_unit_picking(rma.return_picking_id)
        self.assertEqual(rma.state, "done")
        self.assertEqual(self.vent._service_internal_location(), self.env["stock.location"])
        self.assertEqual(self.vent_warranty.extension_ids.days, 8, "received on the 1st, back on the 9th")

    def test_claim_back_as_a_replacement_serial_moves_the_certificate(self):
        with freeze_time(DAY):
            rma = self._received("VENT-0001")
            claim = self._at_vendor(rma)
            with self.assertRaisesRegex(UserError, "replacement unit"):
                claim.action_receive_replacement()
            replacement = self.env["stock.lot"].with_user(self.repair_user).create(
                {"name": "VENT-R-0100", "product_id": self.device.id}
            )
            claim.replacement_lot_id = replacement
            claim.action_receive_replacement()
            back = claim.picking_back_id
            self.assertEqual(back.move_line_ids.lot_id, replacement)
            self._validate_unit_picking(back)
            self.assertEqual((claim.state, claim.outcome), ("done", "replaced"))
            with self.assertRaises(AccessError):
                claim.replacement_lot_id = self.vent2
            self.assertEqual(rma.replacement_lot_id, replacement)
            self.assertEqual(rma.state, "diagnosed", "closed when the replacement reaches the customer")
            self.assertFalse(rma.can_start_repair or rma.can_reject or rma.can_exchange or rma.can_refund)
            exchange = rma.exchange_picking_id
            self.assertEqual(exchange.move_ids.service_kind, "exchange")
            self.assertEqual(exchange.location_id, self.rma_location)
            self.assertEqual(exchange.move_line_ids.lot_id, replacement)
            self._validate_unit_picking(exchange)
        self.assertEqual(rma.state, "done")
        old = self.vent_warranty
        self.assertEqual(old.state, "replaced")
        new = old.replaced_by_id
        self.assertEqual((new.lot_id, new.partner_id, new.state), (replacement, self.customer, "active"))
        self.assertEqual(new.date_end, old.date_end, "the policy's rule: the remaining term")
        last_move = self.env["stock.move.line"].search(
            [("lot_id", "=", self.vent.id), ("state", "=", "done")], order="id desc", limit=1
        )
        self.assertEqual(last_move.location_dest_id, self.vendor_location, "the vendor kept the unit")

    def test_refused_claim_leaves_the_rma_to_its_own_verdict(self):
        with freeze_time(DAY):
            rma = self._received("VENT-0001")
            claim = self._at_vendor(rma)
            claim.action_receive_refused()
            self.assertEqual(claim.picking_back_id.move_line_ids.lot_id, self.vent)
            self._validate_unit_picking(claim.picking_back_id)
            self.assertEqual((claim.state, claim.outcome), ("done", "refused"))
            self.assertEqual(rma.state, "diagnosed")
            self.assertIn("refused", rma.message_ids[:1].body)
            self.assertFalse(rma.can_claim_vendor, "the vendor said no")
            self.assertTrue(rma.can_start_repair)
            rma.action_start_repair()
            self.assertEqual(rma.state, "in_repair")
            self.assertTrue(rma.repair_id.under_warranty, "our own warranty still covers it")

    def test_credit_note_leaves_an_exchange_from_stock(self):
        with freeze_time(DAY):
            rma = self._received("VENT-0001")
            claim = self._at_vendor(rma, reference="MP-CN-42")
            claim.action_credit_note()
            self.assertEqual((claim.state, claim.outcome), ("done", "credit_note"))
            self.assertEqual(claim.date_back, date(2026, 12, 1))
            credit_note = claim.sudo().credit_note_id
            self.assertEqual((credit_note.move_type, credit_note.state), ("in_refund", "draft"))
            self.assertEqual((credit_note.partner_id, credit_note.ref), (self.vendor, "MP-CN-42"))
            self.assertEqual(credit_note.invoice_line_ids.product_id, self.device)
            self.assertEqual(credit_note.invoice_line_ids.price_unit, 1200.0, "the unit at its cost")
            self.assertFalse(claim.picking_back_id, "the vendor keeps the unit")
            self.assertEqual(rma.remedy, "repair")
            self.assertTrue(rma.unit_kept_by_vendor)
            self.assertFalse(rma.can_start_repair or rma.can_reject)
            self.assertTrue(rma.can_exchange, "the customer gets a unit from stock, whatever the verdict")
            spare = self._make_lots(self.device, ["VENT-SPARE-1"])
            rma._exchange(spare)
            self._validate_unit_picking(rma.exchange_picking_id)
        self.assertEqual(rma.state, "done")
        self.assertEqual(self.vent_warranty.replaced_by_id.lot_id, spare)

    def test_overdue_claims_are_found_by_search(self):
        Claim = self.env["service.vendor.claim"]
        with freeze_time(DAY):
            late = self._at_vendor(self._received("VENT-0001"), turnaround=10)
            on_time = self._at_vendor(self._received("VENT-0002"), reference="MP-RMA-7782", turnaround=30)
        ours = [("id", "in", (late | on_time).ids)]
        with freeze_time("2026-12-15 10:00:00"):
            (late | on_time).invalidate_recordset(["is_overdue", "days_out"])
            self.assertEqual((late.is_overdue, on_time.is_overdue), (True, False))
            self.assertEqual(Claim.search([*ours, ("is_overdue", "=", True)]), late)
            self.assertEqual(Claim.search([*ours, ("is_overdue", "=", False)]), on_time)
            self.assertEqual(Claim.search([*ours, ("is_overdue", "!=", True)]), on_time)
            self.assertEqual((late.days_out, on_time.days_out), (14, 14))
            late.action_receive_repaired()
            self._validate_unit_picking(late.picking_back_id)
            late.invalidate_recordset(["is_overdue"])
            self.assertFalse(late.is_overdue, "back: no longer overdue")
            self.assertFalse(Claim.search([*ours, ("is_overdue", "=", True)]))

    def test_one_open_claim_per_rma(self):
        with freeze_time(DAY):
            rma = self._received("VENT-0001")
            Claim = self.env["service.vendor.claim"].with_user(self.repair_user)
            # Both pass the check before either is saved: PostgreSQL settles it.
            with mute_logger("odoo.sql_db"), self.assertRaises(ConcurrencyError):
                Claim.create([{"rma_id": rma.id}, {"rma_id": rma.id}])
            claim = self._claim(rma)
            self.assertFalse(rma.can_claim_vendor)
            with self.assertRaisesRegex(UserError, "cannot be claimed"):
                Claim.create({"rma_id": rma.id})
            claim.action_send()
            claim.action_cancel()
            self.assertEqual(claim.state, "cancel")
            self.assertEqual(claim.sudo().picking_out_id.state, "cancel")
            self.assertTrue(rma.can_claim_vendor, "a cancelled claim can be made again")

    def test_vendor_transfers_follow_the_warehouse_steps(self):
        """In a warehouse that receives in three steps and ships in three, the
        unit leaves for the vendor in one step (as Odoo returns a receipt)
        and comes back through input and quality control to the repair
        location; the claim is done when it arrives."""
        big = self.env["stock.warehouse"].create({
            "name": "Central depot", "code": "CDP", "company_id": self.company.id,
            "reception_steps": "three_steps", "delivery_steps": "pick_pack_ship",
        })
        with freeze_time(DAY):
            Rma = self.env["service.rma"].with_user(self.repair_user)
            rma = Rma.browse(Rma.scan("VENT-0001")["rma_id"])
            rma.warehouse_id = big
            rma.action_create_receipt()
            for _step in range(3):
                picking = self._service_pickings(rma, "service_rma_id", "receipt").filtered(
                    lambda p: p.state != "done")
                self._validate_step(picking)
            self.assertEqual(rma.state, "received")
            claim = self._claim(rma)
            claim.action_send()
            out = claim.picking_out_id
            self.assertEqual(out.picking_type_id, big.out_type_id)
            self.assertEqual(out.location_id, big.rma_location_id)
            self.assertEqual(out.location_dest_id, self.vendor_location)
            self._validate_unit_picking(out)
            self.assertEqual(claim.state, "at_vendor")
            self.assertEqual(self._service_pickings(claim, "service_vendor_claim_id", "vendor_out"), out,
                             "one step to the vendor")
            claim.action_receive_repaired()
            expected = big.in_type_id | big.qc_type_id | big.store_type_id
            for index, picking_type in enumerate(expected):
                picking = self._service_pickings(claim, "service_vendor_claim_id", "vendor_back").filtered(
                    lambda p: p.state != "done")
                self.assertEqual(picking.picking_type_id, picking_type, f"step {index + 1}")
                self.assertEqual(claim.state, "at_vendor", f"step {index + 1}: not back yet")
                self._validate_step(picking)
            self.assertEqual(claim.state, "done")
            self.assertEqual(self.vent._service_internal_location(), big.rma_location_id)
            self.assertEqual(rma.state, "ready")

    def _service_pickings(self, document, field, kind):
        moves = self.env["stock.move"].search([(field, "=", document.id), ("service_kind", "=", kind)])
        return moves.picking_id

    def _validate_step(self, picking):
        self.assertEqual(len(picking), 1, picking.mapped("name"))
        picking.action_assign()
        self._validate_unit_picking(picking)

    def test_access_per_role(self):
        with freeze_time(DAY):
            rma = self._received("VENT-0001")
            # A plain after-sales user (sales) reads claims but moves none.
            with self.assertRaises(AccessError):
                rma.with_user(self.clerk).action_claim_vendor()
            with self.assertRaises(AccessError):
                self.env["service.vendor.claim"].with_user(self.clerk).create({"rma_id": rma.id})
            claim = self._claim(rma)
            claim.vendor_reference = "MP-RMA-7781"
            as_clerk = claim.with_user(self.clerk)
            self.assertEqual(as_clerk.read(["vendor_reference"])[0]["vendor_reference"], "MP-RMA-7781")
            self.assertEqual(rma.with_user(self.clerk).vendor_claim_count, 1)
            with self.assertRaises(AccessError):
                as_clerk.vendor_reference = "changed"
            with self.assertRaises(AccessError):
                as_clerk.action_send()
            # Finance reads them (it posts the vendors' credit notes).
            as_finance = claim.with_user(self.finance_user)
            self.assertEqual(as_finance.partner_id, self.vendor)
            with self.assertRaises(AccessError):
                as_finance.turnaround_days = 3
            # The repair shop runs them.
            claim.action_send()
            self._validate_unit_picking(claim.picking_out_id.with_user(self.repair_user))
            self.assertEqual(claim.state, "at_vendor")
            # A customer knows where the unit is, never which vendor has it.
            Claim = self.env["service.vendor.claim"].with_user(self.portal_user)
            with self.assertRaises(AccessError):
                Claim.search([])
            with self.assertRaises(AccessError):
                rma.with_user(self.portal_user).read(["vendor_claim_ids"])
            with self.assertRaises(AccessError):
                rma.with_user(self.portal_user).read(["vendor_id"])
            seen = rma.with_user(self.portal_user).read(["at_vendor_since"])[0]
            self.assertEqual(seen["at_vendor_since"], date(2026, 12, 1))
        self.authenticate("vc_portal", "vc_portal")
        page = self.url_open(f"/my/returns/{rma.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("At the vendor since", page.text)
        self.assertIn("12/01/2026", page.text)
        listing = self.url_open("/my/returns")
        self.assertIn("At the vendor since 2026-12-01", listing.text)
        chatter = self.make_jsonrpc_request(
            "/mail/chatter_fetch", {"thread_model": "service.rma", "thread_id": rma.id}
        )
        for secret in ("Medi Parts", "mediparts", "MP-RMA-7781", claim.name):
            self.assertNotIn(secret, page.text)
            self.assertNotIn(secret, listing.text)
            self.assertNotIn(secret, str(chatter))

    def test_protected_fields_are_refused_through_a_write(self):
        with freeze_time(DAY):
            rma = self._received("VENT-0001")
            other = self._received("VENT-0002")
            claim = self._at_vendor(rma)
            for values in ({"state": "done"}, {"outcome": "repaired"}, {"date_sent": "2026-11-01"},
                           {"date_back": "2026-12-02"}, {"date_expected": "2027-01-01"},
                           {"picking_out_id": False}, {"credit_note_id": False}, {"rma_id": other.id},
                           {"lot_id": self.vent2.id}, {"partner_id": self.main_vendor.id}):
                for user in (self.repair_user, self.manager):
                    with self.subTest(values=values, user=user.login), self.assertRaises(AccessError):
                        claim.with_user(user).write(values)
            self.assertEqual((claim.state, claim.rma_id, rma.lot_id), ("at_vendor", rma, self.vent))
            for values in ({"at_vendor_since": False},
                           {"vendor_claim_ids": [Command.create({"partner_id": self.vendor.id})]}):
                with self.subTest(values=values), self.assertRaises(AccessError):
                    rma.with_user(self.manager).write(values)
            self.assertEqual(rma.at_vendor_since, date(2026, 12, 1))
            with self.assertRaises(AccessError):
                self.env["service.vendor.claim"].with_user(self.repair_user).create(
                    {"rma_id": other.id, "state": "at_vendor"}
                )
            # What the repair shop records stays writable while the claim runs.
            claim.write({"vendor_reference": "MP-RMA-9999", "turnaround_days": 20})
            self.assertEqual(claim.date_expected, date(2026, 12, 21))
