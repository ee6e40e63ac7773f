"""One test per finding of the integrity issue, each failing on the code
that had the bug: money that went missing and dates nobody could have."""

import ast
from datetime import date

from freezegun import freeze_time
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .test_billing import BillingCase


@tagged("post_install", "-at_install")
class TestPartsAndZeroTotals(BillingCase):
    def test_part_from_the_warehouse_stock_is_billed(self):
        """The part is stocked in WH/Stock, not in the repair location: the
        repair takes it from there and the bill has it (it used to cancel
        the part line at End repair, billing only the labour)."""
        self.assertEqual(self.stock_location, self.warehouse.lot_stock_id)
        rma = self._repair("RMA-0001", [(self.part_valued, 2)], hours=1.0)
        part_move = rma.repair_id.move_ids.filtered(lambda m: m.product_id == self.part_valued)
        self.assertEqual(part_move.state, "done")
        self.assertEqual(part_move.location_id, self.stock_location)
        self.assertEqual(rma.repair_id.location_id, self.warehouse.repair_type_id.default_location_src_id)
        lines = self._cost_lines(rma).filtered(lambda line: line.service_cost_kind == "part")
        self.assertEqual(
            (lines.product_id, lines.product_uom_qty, lines.price_unit), (self.part_valued, 2, 30.0)
        )
        self.assertEqual(rma.amount_at_cost, 2 * 30.0 + 40.0)

    def test_part_that_cannot_be_consumed_stops_the_end_of_the_repair(self):
        rare = self.env["product.product"].create(
            {"name": "Rare board", "is_storable": True, "standard_price": 300.0}
        )
        rma = self._repair("RMA-0001", [(rare, 1)], hours=1.0, finish=False)
        repair = rma.repair_id.with_user(self.repair_user)
        repair.action_validate()
        repair.action_repair_start()
        with self.assertRaisesRegex(UserError, "Rare board, 0.0 of 1.0"):
            repair.action_repair_end()
        self.assertEqual(repair.state, "under_repair")
        self.assertEqual(repair.move_ids.state, "confirmed", "the part line is kept, not cancelled")

    def test_zero_total_is_flagged_not_billed(self):
        self.company.service_labour_cost_rate = 0.0
        rma = self._repair("RMA-0001", hours=2.0)
        self.assertEqual(rma.amount_at_cost, 0.0)
        self.assertEqual(rma.billing_state, "zero")
        action = self.env["ir.actions.act_window"]._for_xml_id("service_rma.service_rma_action_to_bill")
        to_bill = self.env["service.rma"].search(ast.literal_eval(action["domain"]))
        self.assertIn(rma, to_bill, "finance sees it in the list, flagged")
        with self.assertRaisesRegex(UserError, "at-cost total is 0"):
            rma.with_user(self.finance_user).bill_at_cost()
        self.assertFalse(rma.bill_id)


@tagged("post_install", "-at_install")
class TestDatesAndWindows(BillingCase):
    def test_future_sale_date_refused(self):
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self.lot2.warranty_id.write({"date_sale": date(2030, 1, 1)})
        Issue = self.env["service.warranty.issue"].with_user(self.sales_user)
        lot = self._make_lots(self.unit_product, ["FUT-1"])
        wizard = Issue.create({"lot_ids": [(6, 0, lot.ids)], "partner_id": self.customer.id,
                               "date_sale": date(2030, 1, 1), "date_delivery": date(2030, 1, 1)})
        with self.assertRaisesRegex(ValidationError, "in the future"):
            wizard.action_issue()
        result = self.env["service.warranty"].with_user(self.sales_user).register_units(
            [{"line": 2, "serial": "FUT-2", "product": "", "customer": "x", "date_sale": "2030-01-01"}]
        )
        self.assertTrue(result["errors"])

    def test_ended_term_is_created_expired(self):
        lot = self._make_lots(self.unit_product, ["OLD-1"])
        wizard = self.env["service.warranty.issue"].with_user(self.sales_user).create({
            "lot_ids": [(6, 0, lot.ids)], "partner_id": self.customer.id,
            "date_sale": date(2023, 11, 1), "date_delivery": date(2023, 11, 3),
        })
        wizard.action_issue()
        self.assertEqual(lot.warranty_id.state, "expired", "not 'active' until the nightly cron")
        self.assertEqual(lot.warranty_id.date_end, date(2024, 11, 2))

    def test_windows_count_from_installation_for_installed_systems(self):
        policy = self.policy.copy({"start_on": "installation", "install_grace_days": 60})
        self.assertEqual(policy.windows_from, "start", "installed systems count from the handover")
        lot = self._make_lots(self.unit_product, ["INS-1"])
        with freeze_time("2026-11-20"):
            warranty = self.env["service.warranty"].create({
                "lot_id": lot.id, "partner_id": self.customer.id, "policy_id": policy.id,
                "date_sale": date(2026, 10, 1), "date_delivery": date(2026, 10, 1),
                "date_install": date(2026, 11, 10), "state": "active",
            })
            self.assertEqual(warranty.refund_until, date(2026, 11, 17), "7 days from the installation")
            self.assertEqual(warranty.exchange_until, date(2026, 12, 10))
            verdict = lot.get_service_coverage(date(2026, 11, 15))
            self.assertEqual(verdict["remedy"], "refund")
        policy.windows_from = "delivery"
        self.assertEqual(warranty.refund_until, date(2026, 10, 8))


@tagged("post_install", "-at_install")
class TestVerdictLanguage(BillingCase):
    def test_reason_is_stored_as_a_code_and_rendered_for_the_reader(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["res.lang"]._activate_lang("fr_FR")
        rma = self._scan("RMA-0001")
        self.assertEqual(rma.policy_reason_code, "expired")
        self.assertEqual(rma.policy_reason_params, {"date": "2024-01-09"})
        self.assertEqual(rma.with_context(lang="en_US").policy_reason, "The warranty ended on 01/09/2024.")
        self.assertIn("09/01/2024", rma.with_context(lang="fr_FR").policy_reason,
                      "dates in the reader's format")
        Rma = self.env["service.rma"].with_user(self.repair_user).with_context(lang="fr_FR")
        answer = Rma.scan("RMA-0001")
        self.assertEqual(answer["verdict"]["reason"], "expired")
        self.assertIn("09/01/2024", answer["verdict"]["reason_text"])
