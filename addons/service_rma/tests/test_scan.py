from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import RmaCase


@tagged("post_install", "-at_install")
class TestScan(RmaCase):
    def test_scan_by_url_token_and_serial_opens_one_rma(self):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        token = self.lot.sudo().service_token
        first = Rma.scan(f"https://shop.example.com/service/d/{token}\n")
        self.assertTrue(first["created"])
        self.assertEqual(first["state"], "draft")
        self.assertEqual(first["serial"], "RMA-0001")
        self.assertTrue(first["verdict"]["covered"])
        self.assertIn(first["verdict"]["remedy"], ("refund", "exchange", "repair"))
        self.assertEqual(first["verdict"]["policy_remedy"], first["verdict"]["remedy"])
        self.assertFalse(first["verdict"]["overridden"])
        for code in (token, "rma-0001", "  RMA-0001 "):
            again = Rma.scan(code)
            self.assertEqual(again["rma_id"], first["rma_id"])
            self.assertFalse(again["created"])
        rma = Rma.browse(first["rma_id"])
        self.assertEqual(rma.partner_id, self.customer)
        self.assertEqual(rma.warranty_id, self.warranty)
        self.assertEqual(rma.policy_id, self.policy)

    def test_unknown_code_creates_nothing(self):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        before = Rma.search_count([])
        with self.assertRaisesRegex(UserError, "No unit matches NOPE-42"):
            Rma.scan("NOPE-42")
        self.assertEqual(Rma.search_count([]), before)

    def test_unit_without_certificate_is_refused(self):
        self._make_lots(self.product, ["RMA-NOCERT"])
        with self.assertRaisesRegex(UserError, "RMA-NOCERT has no warranty certificate"):
            self.env["service.rma"].with_user(self.repair_user).scan("RMA-NOCERT")

    def test_sales_user_reads_but_cannot_scan(self):
        with self.assertRaises(AccessError):
            self.env["service.rma"].with_user(self.sales_user).scan("RMA-0001")
        rma_id = self.env["service.rma"].with_user(self.repair_user).scan("RMA-0001")["rma_id"]
        rma = self.env["service.rma"].with_user(self.sales_user).browse(rma_id)
        self.assertEqual(rma.lot_id, self.lot)
        with self.assertRaises(AccessError):
            rma.fault_description = "sales may not edit RMAs"

    def test_other_company_rmas_hidden(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        lot = self.env["stock.lot"].create(
            {"name": "RMA-OTHERCO", "product_id": self.product.id, "company_id": other.id}
        )
        self.env["service.warranty"].create({
            "lot_id": lot.id, "partner_id": self.customer.id, "policy_id": self.policy.id,
            "company_id": other.id, "date_delivery": "2026-01-10", "state": "active"})
        rma_id = self.env["service.rma"].scan("RMA-OTHERCO")["rma_id"]
        self.assertEqual(self.env["service.rma"].browse(rma_id).company_id, other)
        self.assertFalse(
            self.env["service.rma"].with_user(self.repair_user).search([("id", "=", rma_id)]),
            "RMAs of a company the user is not in stay hidden",
        )
        with self.assertRaisesRegex(UserError, "No unit matches RMA-OTHERCO"):
            self.env["service.rma"].with_user(self.repair_user).scan("RMA-OTHERCO")

    def test_open_rma_found_in_one_query_same_answer(self):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        token = self.lot.sudo().service_token
        first = Rma.scan("RMA-0001")
        self.env.invalidate_all()
        # The found path: one query for the answer (ACL checks are cached).
        Rma.scan("RMA-0001")
        for code in ("RMA-0001", token, f"https://shop.example.com/service/d/{token}"):
            with self.assertQueryCount(1):
                again = Rma.scan(code)
            self.assertEqual(again, dict(first, created=False))
        self.assertEqual(first["product"], "[IP-7] Infusion Pump IP-7")
        # The answer is the ORM's, field for field.
        self.assertEqual(again, Rma.browse(first["rma_id"])._scan_result(False))

    def test_new_rma_inserted_with_its_verdict(self):
        """The first scan of a unit: the verdict, remedy and SLA deadlines go
        into the RMA's INSERT (precomputed), not an UPDATE after it, and the
        answer is the ORM's, field for field."""
        Rma = self.env["service.rma"].with_user(self.repair_user)
        lots = self._make_lots(self.product, ["RMA-Q1", "RMA-Q2"])
        self.env["service.warranty"].create([{
            "lot_id": lot.id, "partner_id": self.customer.id, "policy_id": self.policy.id,
            "date_delivery": "2026-01-10", "state": "active"} for lot in lots])
        Rma.scan("RMA-Q1")  # ACL and rule caches
        self.env.flush_all()
        self.env.invalidate_all()
        statements = []
        execute = type(self.env.cr).execute

        def spy(cr, query, params=None, log_exceptions=True):
            statements.append(str(query.code if hasattr(query, "code") else query))
            return execute(cr, query, params, log_exceptions)

        # 26 before the RMA had a warehouse; reading the one that delivered the
        # unit (delivery, its operation type, the warehouse's company) adds 3.
        with patch.object(type(self.env.cr), "execute", spy), self.assertQueryCount(29):
            answer = Rma.scan("RMA-Q2")
            self.env.flush_all()
        self.assertTrue(answer["created"])
        rma_updates = [q for q in statements if q.lstrip().startswith('UPDATE "service_rma"')]
        self.assertEqual(len(rma_updates), 1, "only billing_state is set after the INSERT")
        self.assertNotIn("policy_", rma_updates[0])
        self.assertNotIn("remedy", rma_updates[0])
        self.assertNotIn("deadline", rma_updates[0])
        rma = Rma.browse(answer["rma_id"])
        self.assertEqual(answer, rma._scan_result(True))
        self.assertEqual(answer["product"], "[IP-7] Infusion Pump IP-7")
        self.assertEqual(
            (rma.remedy, rma.covered, rma.policy_remedy, rma.policy_reason_code),
            tuple(answer["verdict"][key] for key in ("remedy", "covered", "policy_remedy", "reason")),
        )
        self.assertEqual(
            rma.response_deadline, rma.date_intake + timedelta(hours=self.policy.response_hours_normal)
        )

    def test_found_path_respects_shared_serials(self):
        """A serial that two units share (two products) designates no unit,
        even when one of them has an open RMA."""
        Rma = self.env["service.rma"].with_user(self.repair_user)
        Rma.scan("RMA-0001")
        other = self.env["product.product"].create({"name": "Other pump", "is_storable": True,
                                                    "tracking": "serial"})
        self.env["stock.lot"].create({"name": "RMA-0001", "product_id": other.id})
        with self.assertRaisesRegex(UserError, "No unit matches RMA-0001"):
            Rma.scan("RMA-0001")
        self.assertTrue(Rma.scan(self.lot.sudo().service_token)["rma_id"], "its label still works")

    def test_verdict_follows_exclusions_and_override(self):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        rma = Rma.browse(Rma.scan("RMA-0001")["rma_id"])
        rma.exclusion_ids = self.excl_misuse
        self.assertFalse(rma.covered)
        self.assertEqual(rma.remedy, "repair_at_cost")
        with self.assertRaisesRegex(UserError, "Only after-sales administrators"):
            rma._override_remedy("repair", "goodwill")
        rma.with_user(self.manager)._override_remedy("repair", "Goodwill: key account")
        self.assertEqual(rma.remedy, "repair")
        self.assertTrue(rma.covered)
        self.assertIn("Goodwill: key account", rma.message_ids[:1].body)
        verdict = Rma.scan("RMA-0001")["verdict"]
        self.assertEqual(
            (verdict["remedy"], verdict["covered"], verdict["overridden"], verdict["policy_remedy"]),
            ("repair", True, True, "repair_at_cost"),
            "the scan answers the RMA's decision and keeps the policy's remedy beside it",
        )

    def test_sla_deadlines_and_overdue(self):
        # Round the clock: the hours run straight (working hours are
        # test_sla_calendar's).
        self.policy.support_calendar_id = self.env.ref("service_warranty.resource_calendar_7x24")
        with freeze_time("2026-03-02 09:00:00"):
            rma = self.env["service.rma"].browse(self.env["service.rma"].scan("RMA-0001")["rma_id"])
            rma.priority = "urgent"
            self.assertEqual(rma.response_deadline, datetime(2026, 3, 2, 10, 0))
            self.assertEqual(rma.resolution_deadline, datetime(2026, 3, 2, 17, 0))
            rma.priority = "normal"
            self.assertEqual(rma.response_deadline, datetime(2026, 3, 3, 9, 0))
            self.assertEqual(rma.resolution_deadline, datetime(2026, 3, 5, 9, 0))
            self.assertFalse(rma.is_overdue)
        with freeze_time("2026-03-03 09:30:00"):
            rma.invalidate_recordset(["is_overdue"])
            self.assertTrue(rma.is_overdue)
            self.assertIn(rma, self.env["service.rma"].search([("is_overdue", "=", True)]))
        with freeze_time("2026-03-03 08:30:00"):
            result = self.env["service.rma"]._cron_sla_and_loaners()
            self.assertEqual(result["sla"], 1)
            self.assertEqual(len(rma.activity_ids), 1)
            self.env["service.rma"]._cron_sla_and_loaners()
            self.assertEqual(len(rma.activity_ids), 1, "warned once")
        self.assertEqual(rma.date_intake + timedelta(hours=24), rma.response_deadline)


@tagged("post_install", "-at_install")
class TestRmaPortal(HttpCase, RmaCase):
    def test_portal_customer_sees_own_rmas_only(self):
        portal_user = new_test_user(
            self.env, login="rma_portal", groups="base.group_portal",
            partner_id=self.env["res.partner"].create(
                {"name": "Pat Portal", "parent_id": self.customer.id}).id,
        )
        mine = self.env["service.rma"].browse(self.env["service.rma"].scan("RMA-0001")["rma_id"])
        other_lot = self._make_lots(self.product, ["RMA-OTHER"])
        self.env["service.warranty"].create({
            "lot_id": other_lot.id, "partner_id": self.other_customer.id, "policy_id": self.policy.id,
            "date_delivery": "2026-01-10", "state": "active"})
        theirs = self.env["service.rma"].browse(self.env["service.rma"].scan("RMA-OTHER")["rma_id"])
        self.assertEqual(self.env["service.rma"].with_user(portal_user).search([]), mine)
        self.authenticate("rma_portal", "rma_portal")
        listing = self.url_open("/my/returns")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(mine.name, listing.text)
        self.assertNotIn(theirs.name, listing.text)
        page = self.url_open(f"/my/returns/{mine.id}")
        self.assertIn("Return announced on", page.text)
        self.assertEqual(self.url_open(f"/my/returns/{theirs.id}", allow_redirects=False).status_code, 303)
