from datetime import date, timedelta
from unittest.mock import patch
from uuid import uuid4

from odoo.addons.service_rma.tests.common import RaceCase
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import DeskCase


class VisitBillingCase(DeskCase):
    """Units serviced on site: RMA-0002 long out of warranty, RMA-0001 still
    under it; a part valued by stock valuation, a consumable with none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.support_calendar_id = cls.cal_7x24
        cls.company.service_labour_cost_rate = 40.0
        cls.policy.visit_fee = 25.0
        cls.lot2.warranty_id.write({"date_sale": date(2023, 1, 10), "date_delivery": date(2023, 1, 10)})
        cls.fuse = cls.env["product.product"].create({
            "name": "Fuse 5 A", "is_storable": True, "standard_price": 2.0, "list_price": 9.0,
        })
        cls.env["stock.quant"]._update_available_quantity(cls.fuse, cls.stock_location, 10)
        cls.seal = cls.env["product.product"].create({
            "name": "Seal kit", "type": "consu", "is_storable": False, "standard_price": 8.0,
            "list_price": 15.0,
        })
        cls.finance_user = new_test_user(
            cls.env, login="sd_finance", groups="account.group_account_invoice", name="Fiona Finance"
        )

    def _finished_visit(self, lot=None, parts=(), hours=0.0, **request_values):
        """A request for ``lot``, and its visit done by the engineer."""
        request = self._request(
            lot_id=lot.id if lot else False, support_mode="on_site", user_id=self.engineer.id,
            **request_values,
        )
        visit = self.env["service.visit"].with_user(self.engineer).create({
            "request_id": request.id, "user_id": self.engineer.id,
            "date_planned": request.date_request + timedelta(hours=1),
            "part_ids": [(0, 0, {"product_id": product.id, "quantity": qty}) for product, qty in parts],
        })
        visit.action_arrive()
        visit.write({"labour_hours": hours, "work_done": "Replaced the fuses and the seals."})
        visit.action_finish()
        return visit

    def _cost_lines(self, visit):
        return visit.sudo().sale_order_id.order_line.filtered("service_cost_kind")


@tagged("post_install", "-at_install")
class TestVisitBilling(VisitBillingCase):
    def test_post_warranty_visit_is_quoted_at_cost_with_the_visit_fee(self):
        visit = self._finished_visit(self.lot2, [(self.fuse, 2), (self.seal, 3)], hours=1.5)
        self.assertFalse(visit.covered)
        self.assertTrue(visit.service_at_cost)
        order = visit.sudo().sale_order_id
        self.assertTrue(order, "finishing a visit after the warranty quotes it")
        self.assertEqual(order.state, "sale", "and confirms the quotation: the price is final")
        self.assertEqual(order.partner_id, self.customer)
        lines = {f"{line.service_cost_kind}:{line.product_id.name}": line for line in self._cost_lines(visit)}
        self.assertEqual(sorted(lines), [
            "labour:Repair labour at cost", "part:Fuse 5 A", "part:Seal kit",
            "visit:On-site visit fee at cost",
        ])
        fuse_move = visit.sudo().move_ids.filtered(lambda move: move.product_id == self.fuse)
        self.assertEqual(fuse_move.value, 4.0, "stock valuation recorded the two fuses at 2.00")
        self.assertEqual(
            (lines["part:Fuse 5 A"].product_uom_qty, lines["part:Fuse 5 A"].price_unit), (2, 2.0),
            "valued at what stock valuation recorded, not the list price of 9",
        )
        self.assertEqual(lines["part:Seal kit"].price_unit, 8.0, "no valuation: the cost price")
        labour = lines["labour:Repair labour at cost"]
        self.assertEqual((labour.product_uom_qty, labour.price_unit), (1.5, 40.0))
        fee = lines["visit:On-site visit fee at cost"]
        self.assertEqual((fee.product_uom_qty, fee.price_unit), (1, 25.0))
        self.assertEqual(visit.amount_at_cost, 4 + 24 + 60 + 25)
        self.assertEqual(order.amount_untaxed, 113.0, "nothing else on the quotation")
        for line in self._cost_lines(visit):
            self.assertIn("at cost", line.name.lower())
            self.assertIn(visit.name, line.name)
            self.assertEqual(line.service_visit_id, visit)
        self.assertFalse(order.picking_ids, "the parts left with the visit: the quotation delivers nothing")
        self.assertEqual(self.fuse.qty_available, 8, "two fuses out of stock, once")
        self.assertEqual(visit.billing_state, "to_bill")

    def test_policy_labour_rate_wins(self):
        self.policy.labour_cost_rate = 55.0
        visit = self._finished_visit(self.lot2, hours=2.0)
        self.assertEqual(
            sorted(self._cost_lines(visit).mapped("service_cost_kind")), ["labour", "visit"],
            "no part: labour and the visit fee",
        )
        self.assertEqual(visit.amount_at_cost, 110.0 + 25.0)

    def test_covered_visit_is_free_and_never_billed(self):
        visit = self._finished_visit(self.lot, [(self.fuse, 1)], hours=2.0)
        self.assertTrue(visit.covered)
        self.assertFalse(visit.service_at_cost)
        self.assertFalse(visit.sale_order_id, "a visit under warranty is not quoted")
        self.assertEqual(visit.billing_state, "none")
        self.assertEqual(visit._service_cost_terms(), {"parts": False, "labour": False, "visit_fee": False})
        with self.assertRaisesRegex(UserError, "covered by the warranty"):
            visit.with_user(self.finance_user).bill_at_cost()
        self.assertFalse(visit.bill_id)

    def test_unfinished_visit_is_pending_and_not_billable(self):
        request = self._request(lot_id=self.lot2.id, support_mode="on_site", user_id=self.engineer.id)
        visit = self.env["service.visit"].with_user(self.engineer).create({
            "request_id": request.id, "user_id": self.engineer.id, "date_planned": request.date_request,
        })
        self.assertEqual(visit.billing_state, "pending")
        with self.assertRaisesRegex(UserError, "not finished"):
            visit.with_user(self.finance_user).bill_at_cost()

    def test_nothing_recorded_is_flagged_not_billed(self):
        self.policy.visit_fee = 0.0
        visit = self._finished_visit(self.lot2)
        self.assertEqual(visit.billing_state, "zero")
        with self.assertRaisesRegex(UserError, "at-cost total is 0"):
            visit.with_user(self.finance_user).bill_at_cost()

    def test_a_request_without_a_unit_follows_its_teams_policy(self):
        team = self.env["service.team"].create({"name": "Installed systems", "policy_id": self.policy.id})
        visit = self._finished_visit(hours=1.0, team_id=team.id)
        self.assertFalse(visit.lot_id)
        self.assertTrue(visit.service_at_cost, "no certificate: the policy's post-warranty mode, at cost")
        self.assertEqual(visit.amount_at_cost, 40.0 + 25.0)
        self.assertEqual(visit.billing_state, "to_bill")
        nobody = self._finished_visit(hours=1.0)
        self.assertFalse(nobody.service_at_cost, "no unit and no policy: nothing says to bill it")
        self.assertEqual(nobody.billing_state, "none")

    def test_cost_terms_hook_makes_labour_and_fee_free(self):
        """What a maintenance contract does: on-site labour and the fee free,
        parts at cost."""
        Visit = type(self.env["service.visit"])
        terms = {"parts": True, "labour": False, "visit_fee": False}
        with patch.object(Visit, "_service_cost_terms", lambda self: terms):
            visit = self._finished_visit(self.lot2, [(self.fuse, 2)], hours=3.0)
        self.assertEqual(self._cost_lines(visit).mapped("service_cost_kind"), ["part"])
        self.assertEqual(visit.amount_at_cost, 4.0)
        with patch.object(Visit, "_service_cost_terms", lambda self: dict.fromkeys(terms, False)):
            free = self._finished_visit(self.lot2, [(self.fuse, 1)], hours=1.0)
        self.assertFalse(free.sale_order_id, "everything free: nothing to quote")
        self.assertEqual(free.billing_state, "none")

    def test_billed_once_per_customer_and_cancel_frees_it(self):
        team = self.env["service.team"].create({"name": "Installed systems", "policy_id": self.policy.id})
        visits = (
            self._finished_visit(self.lot2, [(self.fuse, 1)], hours=1.0)
            | self._finished_visit(hours=0.5, team_id=team.id)
        )
        billing = visits.with_user(self.finance_user)
        result = billing.bill_at_cost()
        self.assertEqual(len(result["invoices"]), 1, "one invoice for the customer's two visits")
        self.assertEqual(sorted(result["invoices"][0]["visit_ids"]), sorted(visits.ids))
        self.assertEqual(result["skipped"], [])
        invoice = visits.bill_id
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.amount_untaxed, (2 + 40 + 25) + (20 + 25))
        self.assertEqual(invoice.invoice_line_ids.service_visit_id, visits)
        self.assertEqual(set(visits.mapped("billing_state")), {"billed"})
        with self.assertRaisesRegex(UserError, "already billed"):
            billing.bill_at_cost()
        invoice.with_user(self.finance_user).button_cancel()
        self.assertEqual(set(visits.mapped("billing_state")), {"to_bill"}, "cancelling frees the visits")
        again = billing.bill_at_cost("visit")
        self.assertEqual(len(again["invoices"]), 2, "one invoice per visit when asked")
        with self.assertRaisesRegex(UserError, "billed again"):
            invoice.with_user(self.finance_user).button_draft()
        with self.assertRaisesRegex(UserError, "Unknown grouping"):
            billing.bill_at_cost("rma")

    def test_bill_button_opens_the_invoice(self):
        visit = self._finished_visit(self.lot2, hours=1.0)
        action = visit.with_user(self.finance_user).action_bill_at_cost()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(action["res_id"], visit.bill_id.id)
        self.assertEqual(visit.bill_id.create_uid, self.finance_user)


@tagged("post_install", "-at_install")
class TestVisitBillingAccess(VisitBillingCase):
    def test_service_desk_cannot_bill_finance_can(self):
        visit = self._finished_visit(self.lot2, [(self.fuse, 1)], hours=1.0)
        for user in (self.desk_user, self.engineer, self.desk_manager):
            with self.assertRaisesRegex(AccessError, "Only invoicing users"):
                visit.with_user(user).bill_at_cost()
        self.assertEqual(visit.billing_state, "to_bill")
        Visit = self.env["service.visit"].with_user(self.finance_user)
        view = self.env.ref("service_desk.service_visit_view_list_to_bill")
        fields_in_list = [name for name in Visit._fields if f'name="{name}"' in view.arch]
        rows = Visit.search_read([("billing_state", "=", "to_bill")], fields_in_list)
        self.assertEqual([row["id"] for row in rows], visit.ids)
        self.assertEqual(rows[0]["amount_at_cost"], 67.0)
        Visit.browse(visit.id).bill_at_cost()
        self.assertEqual(visit.billing_state, "billed")

    def test_the_engineer_cannot_rewrite_what_is_billed(self):
        visit = self._finished_visit(self.lot2, hours=1.0)
        mine = visit.with_user(self.engineer)
        with self.assertRaisesRegex(AccessError, "cannot be written directly"):
            mine.labour_hours = 0.0
        with self.assertRaisesRegex(AccessError, "cannot be written directly"):
            mine.sale_order_id = False
        self.assertEqual(visit.amount_at_cost, 65.0)

    def test_other_company_visits_are_out_of_reach(self):
        visit = self._finished_visit(self.lot2, hours=1.0)
        other = self.env["res.company"].create({"name": "Other Co"})
        outsider = new_test_user(
            self.env, login="sd_finance_other", groups="account.group_account_invoice",
            company_id=other.id, company_ids=[(6, 0, other.ids)],
        )
        with self.assertRaises(AccessError):
            visit.with_user(outsider).bill_at_cost()
        self.assertEqual(visit.billing_state, "to_bill")


@tagged("post_install", "-at_install")
class TestVisitBillingRace(RaceCase):
    """Two clerks bill the same visit at the same moment, in two real
    transactions (as service_rma's billing race). Data is committed on
    purpose, each clerk needs to see it, and undone at the end."""

    def test_two_clerks_bill_the_same_visit_once(self):
        serial = f"VISITRACE-{uuid4().hex[:10]}"

        def make(env):
            env.company.service_labour_cost_rate = 40.0
            policy = env["service.warranty.policy"].create(
                {"name": "Visit race", "post_warranty_mode": "at_cost", "visit_fee": 25.0}
            )
            product = env["product.product"].create({
                "name": "Visit race unit", "is_storable": True, "tracking": "serial",
                "warranty_policy_id": policy.id,
            })
            partner = env["res.partner"].create({"name": "Visit race customer"})
            lot = env["stock.lot"].create({"name": serial, "product_id": product.id})
            warranty = env["service.warranty"].create({
                "lot_id": lot.id, "partner_id": partner.id, "policy_id": policy.id,
                "date_delivery": "2020-01-10", "state": "active",
            })
            request = env["service.request"].create(
                {"title": "Alarm", "partner_id": partner.id, "lot_id": lot.id, "support_mode": "on_site"}
            )
            visit = env["service.visit"].create(
                {"request_id": request.id, "date_planned": request.date_request, "labour_hours": 2.0}
            )
            visit.action_arrive()
            visit.work_done = "Reset the controller."
            visit.action_finish()
            assert visit.billing_state == "to_bill", visit.billing_state
            return {"visit": visit.id, "warranty": warranty.id}

        ids = self._in_new_cursor(make)
        self.addCleanup(self._in_new_cursor, lambda env: self._unbill(env, ids))

        def bill(env):
            try:
                return env["service.visit"].browse(ids["visit"]).bill_at_cost()["invoices"][0]["id"]
            except UserError as error:
                return str(error)

        first, second = self._race(bill)
        self.assertIsInstance(first, int)
        self.assertIn("already billed", second, "the second clerk is told, no traceback, no second bill")
        bills = self._in_new_cursor(lambda env: env["account.move.line"].search(
            [("service_visit_id", "=", ids["visit"]), ("parent_state", "!=", "cancel")]
        ).move_id.ids)
        self.assertEqual(bills, [first])
        amount = self._in_new_cursor(lambda env: env["account.move"].browse(first).amount_untaxed)
        self.assertEqual(amount, 80.0 + 25.0)

    @staticmethod
    def _unbill(env, ids):
        visit = env["service.visit"].browse(ids["visit"])
        visit.bill_line_ids.move_id.button_cancel()
        visit.sale_order_id._action_cancel()
        env["service.warranty"].browse(ids["warranty"])._void("visit billing race test data")
