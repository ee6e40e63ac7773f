import logging
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import RmaCase

_logger = logging.getLogger(__name__)


class BillingCase(RmaCase):
    """Post-warranty units repaired at cost: a part valued by stock valuation,
    a consumable part with no valuation, labour and a visit fee."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.service_labour_cost_rate = 40.0
        cls.policy.visit_fee = 25.0
        cls.part_valued = cls.env["product.product"].create(
            {
                "name": "Pump motor",
                "is_storable": True,
                "standard_price": 30.0,
                "list_price": 99.0,
            }
        )
        cls.part_plain = cls.env["product.product"].create(
            {
                "name": "Seal kit",
                "type": "consu",
                "is_storable": False,
                "standard_price": 8.0,
                "list_price": 15.0,
            }
        )
        # Units of another model, so that deliveries never pick the loaner pool.
        cls.unit_product = cls.env["product.product"].create(
            {
                "name": "Syringe Driver SD-3",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 700.0,
                "standard_price": 400.0,
                "warranty_policy_id": cls.policy.id,
            }
        )
        cls.rma_location = cls.warehouse._get_rma_location()
        # Parts are kept where Odoo's repair takes them: the warehouse's stock.
        cls.env["stock.quant"]._update_available_quantity(cls.part_valued, cls.stock_location, 500)
        cls.finance_user = new_test_user(
            cls.env, login="rma_finance", groups="account.group_account_invoice", name="Fiona Finance"
        )
        # Both units were delivered long ago: the warranty is over.
        (cls.warranty | cls.lot2.warranty_id).date_delivery = date(2023, 1, 10)

    @classmethod
    def _units(cls, partner, count, prefix):
        """``count`` more units of ``partner`` out of warranty; their serials."""
        serials = [f"{prefix}-{n:03d}" for n in range(count)]
        _order, picking = cls._deliver(cls.unit_product, serials, partner)
        picking.warranty_ids.date_delivery = date(2023, 1, 10)
        return serials

    def _scan(self, code):
        Rma = self.env["service.rma"].with_user(self.repair_user)
        return Rma.browse(Rma.scan(code)["rma_id"])

    def _repair(self, code, parts=(), hours=0.0, on_site=False, finish=True):
        """Scan, receive, diagnose and repair the unit as the repair shop."""
        rma = self._scan(code)
        rma.on_site = on_site
        rma.action_create_receipt()
        self._validate_unit_picking(rma.receipt_picking_id)
        rma.action_diagnose()
        rma.action_start_repair()
        repair = rma.repair_id.with_user(self.repair_user)
        repair.write(
            {
                "labour_hours": hours,
                "move_ids": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": qty, "repair_line_type": "add"}
                    )
                    for product, qty in parts
                ],
            }
        )
        if finish:
            repair.action_validate()
            repair.action_repair_start()
            repair.action_repair_end()
        return rma

    def _enable_pricelists(self):
        self.env.ref("base.group_user").implied_ids |= self.env.ref("product.group_product_pricelist")

    def _cost_lines(self, rma):
        return rma.sale_order_id.order_line.filtered("service_cost_kind")


@tagged("post_install", "-at_install")
class TestAtCostPrice(BillingCase):
    def test_parts_labour_and_visit_at_cost(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 2), (self.part_plain, 3)], hours=1.5, on_site=True)
        self.assertEqual(rma.remedy, "repair_at_cost")
        self.assertFalse(rma.repair_id.under_warranty)
        order = rma.sale_order_id
        self.assertTrue(order, "finishing an at-cost repair makes its quotation")
        self.assertEqual(order.state, "sale", "and confirms it: the price is final")
        lines = {line.service_cost_kind + ":" + line.product_id.name: line for line in self._cost_lines(rma)}
        valued = lines["part:Pump motor"]
        self.assertEqual(
            (valued.product_uom_qty, valued.price_unit, valued.discount),
            (2, 30.0, 0.0),
            "valued at what stock valuation recorded, not the list price of 99",
        )
        self.assertEqual(lines["part:Seal kit"].price_unit, 8.0, "no valuation: the cost price")
        labour = lines["labour:Repair labour at cost"]
        self.assertEqual((labour.product_uom_qty, labour.price_unit), (1.5, 40.0))
        visit = lines["visit:On-site visit fee at cost"]
        self.assertEqual((visit.product_uom_qty, visit.price_unit), (1, 25.0))
        self.assertEqual(rma.amount_at_cost, 60 + 24 + 60 + 25)
        self.assertEqual(order.amount_untaxed, 169.0, "nothing else on the quotation")
        for line in self._cost_lines(rma):
            self.assertIn("at cost", line.name.lower())
            self.assertIn(rma.name, line.name)
            self.assertEqual(line.service_rma_id, rma)
        self.assertEqual(rma.billing_state, "to_bill")

    def test_valuation_wins_over_a_later_cost_price(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 1), (self.part_plain, 1)], finish=False)
        rma.repair_id.action_create_sale_order()
        self.part_valued.standard_price = 33.0
        rma.repair_id.labour_hours = 0.5  # re-prices the quotation
        lines = self._cost_lines(rma)
        part = lines.filtered(lambda line: line.product_id == self.part_valued)
        self.assertEqual(part.price_unit, 33.0, "not consumed yet, so not valued: today's cost price")
        self.assertEqual(rma.amount_at_cost, 33 + 8 + 20)
        repair = rma.repair_id.with_user(self.repair_user)
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        move = repair.move_ids.filtered(lambda m: m.product_id == self.part_valued)
        self.assertEqual(move.value, 33.0, "stock valuation recorded the consumption at 33")
        self.part_valued.standard_price = 45.0
        self.part_plain.standard_price = 9.0
        rma.repair_id.labour_hours = 1.0
        self.assertEqual(part.price_unit, 33.0, "consumed at 33: the cost it was valued at, not today's 45")
        self.assertEqual(lines.filtered(lambda line: line.product_id == self.part_plain).price_unit, 8.0)
        self.assertEqual(rma.amount_at_cost, 33 + 8 + 40)

    def test_policy_rate_and_no_visit_fee_in_the_shop(self):
        self.policy.labour_cost_rate = 55.0
        rma = self._repair("RMA-0001", hours=2.0, on_site=False)
        kinds = self._cost_lines(rma).mapped("service_cost_kind")
        self.assertEqual(kinds, ["labour"], "no part, no visit: labour only")
        self.assertEqual(rma.amount_at_cost, 110.0)

    def test_pricelist_markup_does_not_apply(self):
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Premium +50%",
                "item_ids": [
                    Command.create(
                        {
                            "compute_price": "formula",
                            "base": "standard_price",
                            "price_markup": 50.0,
                            "applied_on": "3_global",
                        }
                    )
                ],
            }
        )
        self._enable_pricelists()
        self.customer.property_product_pricelist = pricelist
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=1.0)
        self.assertEqual(rma.sale_order_id.pricelist_id, pricelist)
        self.assertEqual(rma.amount_at_cost, 30.0 + 40.0)
        rma.sale_order_id.order_line.product_uom_qty = 1  # a recompute must not bring the markup back
        self.assertEqual(rma.amount_at_cost, 30.0 + 40.0)

    def test_other_currency_converted_at_the_rate(self):
        eur = self.env.ref("base.EUR")
        if eur == self.company.currency_id:
            eur = self.env.ref("base.USD")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "company_id": self.company.id,
                "name": "2020-01-01",
                "rate": 0.5,
            }
        )
        self._enable_pricelists()
        self.customer.property_product_pricelist = self.env["product.pricelist"].create(
            {"name": "Foreign", "currency_id": eur.id}
        )
        rma = self._repair("RMA-0001", [(self.part_valued, 2)], hours=1.0, on_site=True)
        self.assertEqual(rma.currency_id, eur)
        self.assertAlmostEqual(rma.amount_at_cost, (60 + 40 + 25) * 0.5)
        invoices = rma.with_user(self.finance_user).bill_at_cost()["invoices"]
        self.assertEqual(invoices[0]["currency"], eur.name)
        bill = self.env["account.move"].browse(invoices[0]["id"])
        self.assertAlmostEqual(bill.amount_untaxed, 62.5)
        self.assertAlmostEqual(
            bill.amount_untaxed_signed, 125.0, msg="125 in the company's currency: the cost"
        )

    def test_labour_added_after_the_quotation_is_priced_too(self):
        rma = self._repair("RMA-0001", [(self.part_plain, 1)], finish=False)
        rma.repair_id.action_create_sale_order()
        order = rma.sale_order_id
        self.assertEqual(order.state, "draft")
        self.assertEqual(rma.amount_at_cost, 8.0)
        rma.repair_id.with_user(self.repair_user).write(
            {
                "labour_hours": 3.0,
                "move_ids": [
                    Command.create(
                        {"product_id": self.part_valued.id, "product_uom_qty": 1, "repair_line_type": "add"}
                    )
                ],
            }
        )
        self.assertEqual(rma.amount_at_cost, 8.0 + 30.0 + 120.0)
        self.assertEqual(rma.billing_state, "pending", "repair not finished")
        repair = rma.repair_id.with_user(self.repair_user)
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(order.state, "sale")
        self.assertEqual(rma.billing_state, "to_bill")
        self.assertEqual(rma.amount_at_cost, 158.0)


@tagged("post_install", "-at_install")
class TestCoveredRepairs(BillingCase):
    def _covered_rma(self):
        self.warranty.write({"date_delivery": date.today(), "date_sale": date.today()})
        self.policy.write({"refund_days": 0, "exchange_days": 0})
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=2.0, on_site=True)
        self.assertEqual(rma.remedy, "repair")
        self.assertTrue(rma.covered)
        return rma

    def test_covered_repair_is_free_and_never_billed(self):
        rma = self._covered_rma()
        self.assertTrue(rma.repair_id.under_warranty)
        self.assertEqual(rma.billing_state, "none")
        self.assertFalse(rma.sale_order_id, "no at-cost quotation for a covered repair")
        rma.repair_id.action_create_sale_order()  # Odoo's own button, pressed by the repair shop
        order = rma.sale_order_id
        self.assertEqual(order.amount_total, 0.0)
        self.assertFalse(order.order_line.filtered("service_cost_kind"), "no labour or visit line")
        with self.assertRaisesRegex(ValidationError, "covered by the warranty"):
            order.order_line.price_unit = 10.0
        with self.assertRaisesRegex(UserError, "covered by the warranty"):
            rma.with_user(self.finance_user).bill_at_cost()

    def test_override_to_paid_repair_is_logged_and_priced_at_cost(self):
        self.warranty.write({"date_delivery": date.today(), "date_sale": date.today()})
        self.policy.write({"refund_days": 0, "exchange_days": 0})
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=2.0, finish=False)
        self.assertTrue(rma.repair_id.under_warranty)
        wizard = Form(
            self.env["service.rma.override"].with_user(self.manager).with_context(default_rma_id=rma.id)
        )
        wizard.remedy = "repair_at_cost"
        wizard.reason = "Water damage found inside the housing"
        wizard.save().action_apply()
        self.assertEqual(rma.remedy, "repair_at_cost")
        self.assertFalse(rma.repair_id.under_warranty)
        self.assertIn("Water damage found inside the housing", rma.message_ids[:1].body)
        repair = rma.repair_id.with_user(self.repair_user)
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(rma.billing_state, "to_bill")
        self.assertEqual(rma.amount_at_cost, 30.0 + 80.0)

    def test_override_to_covered_makes_the_quotation_free(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=2.0, on_site=True, finish=False)
        rma.repair_id.action_create_sale_order()
        self.assertEqual(rma.amount_at_cost, 30.0 + 80.0 + 25.0)
        rma.with_user(self.manager)._override_remedy("repair", "Goodwill: key account")
        order = rma.sale_order_id
        self.assertEqual(order.amount_total, 0.0)
        self.assertEqual(order.order_line.product_id, self.part_valued, "labour and visit lines removed")
        self.assertEqual(rma.billing_state, "none")


@tagged("post_install", "-at_install")
class TestBatchBilling(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serials_a = ["RMA-0001", "RMA-0002", *cls._units(cls.customer, 1, "BILL-A")]
        cls.serials_b = cls._units(cls.other_customer, 2, "BILL-B")

    def _repair_all(self):
        rmas = self.env["service.rma"]
        for n, serial in enumerate(self.serials_a + self.serials_b):
            rmas |= self._repair(serial, [(self.part_valued, 1)], hours=0.5 * (n + 1))
        return rmas

    def test_one_invoice_per_customer_lines_trace_back(self):
        rmas = self._repair_all()
        Rma = self.env["service.rma"].with_user(self.finance_user)
        to_bill = Rma.search([("billing_state", "=", "to_bill")])
        self.assertEqual(to_bill, rmas)
        result = to_bill.bill_at_cost("partner")
        self.assertEqual(sorted(result["billed"]), sorted(rmas.ids))
        self.assertEqual(result["skipped"], [])
        invoices = self.env["account.move"].browse([invoice["id"] for invoice in result["invoices"]])
        self.assertEqual(len(invoices), 2)
        self.assertEqual(invoices.partner_id, self.customer | self.other_customer)
        self.assertEqual(set(invoices.mapped("state")), {"draft"}, "drafts for finance to check and post")
        for rma in rmas:
            self.assertEqual(rma.billing_state, "billed")
            lines = rma.bill_id.invoice_line_ids.filtered(lambda line, r=rma: line.service_rma_id == r)
            self.assertEqual(len(lines), 2, "the part and the labour")
            self.assertEqual(lines.sale_line_ids.order_id, rma.sale_order_id)
            self.assertIn(rma.repair_id.name, lines[0].name, "each line names its RMA and repair")
            self.assertAlmostEqual(sum(lines.mapped("price_subtotal")), rma.amount_at_cost)
        bill_a = invoices.filtered(lambda move: move.partner_id == self.customer)
        self.assertEqual(
            sorted(bill_a.invoice_line_ids.service_rma_id.lot_id.mapped("name")), sorted(self.serials_a)
        )
        self.assertAlmostEqual(bill_a.amount_untaxed, 3 * 30 + (0.5 + 1.0 + 1.5) * 40)

    def test_one_invoice_per_rma_setting(self):
        self.company.service_bill_grouping = "rma"
        rmas = self._repair_all()
        wizard = Form(
            self.env["service.rma.bill"]
            .with_user(self.finance_user)
            .with_context(active_model="service.rma", active_ids=rmas.ids)
        )
        self.assertEqual(wizard.grouping, "rma")
        self.assertEqual((wizard.count, wizard.customer_count), (5, 2))
        action = wizard.save().action_bill()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(len(rmas.bill_id), 5)
        self.assertEqual(rmas.bill_id.invoice_line_ids.service_rma_id, rmas)

    def test_never_twice_and_cancel_frees_it(self):
        rmas = self._repair_all()
        billing = rmas.with_user(self.finance_user)
        first = billing.bill_at_cost()
        with self.assertRaisesRegex(UserError, "already billed"):
            billing.bill_at_cost()
        invoice_a = rmas.bill_id.filtered(lambda move: move.partner_id == self.customer)
        invoice_a.with_user(self.finance_user).action_post()
        with self.assertRaisesRegex(UserError, "already billed"):
            billing[0].bill_at_cost()
        self.assertEqual(len(first["invoices"]), 2)
        invoice_a.with_user(self.finance_user).button_draft()
        invoice_a.with_user(self.finance_user).button_cancel()
        freed = rmas.filtered(lambda rma: rma.partner_id == self.customer)
        self.assertEqual(set(freed.mapped("billing_state")), {"to_bill"}, "cancelling frees the repairs")
        self.assertEqual(
            rmas.filtered(lambda rma: rma.billing_state == "billed").partner_id, self.other_customer
        )
        again = billing.bill_at_cost()
        self.assertEqual(sorted(again["billed"]), sorted(freed.ids))
        self.assertEqual({item["rma_id"] for item in again["skipped"]}, set((rmas - freed).ids))
        self.assertTrue(all("already billed" in item["reason"] for item in again["skipped"]))
        with self.assertRaisesRegex(UserError, "billed again"):
            invoice_a.with_user(self.finance_user).button_draft()

    def test_analytic_distribution_models_still_apply(self):
        plan = self.env["account.analytic.plan"].create({"name": "Service"})
        account = self.env["account.analytic.account"].create({"name": "Post-warranty repairs",
                                                                "plan_id": plan.id})
        self.env["account.analytic.distribution.model"].create({
            "product_id": self.env.ref("service_rma.product_labour_at_cost").id,
            "analytic_distribution": {str(account.id): 100},
        })
        rmas = self._repair_all()
        rmas.with_user(self.finance_user).bill_at_cost("partner")
        lines = rmas.bill_id.invoice_line_ids
        labour = lines.filtered(lambda line: line.product_id.default_code == "AS-LABOUR")
        self.assertEqual(len(labour), 5)
        for line in labour:
            self.assertEqual(line.analytic_distribution, {str(account.id): 100.0}, "every labour line")
        self.assertFalse(any((lines - labour).mapped("analytic_distribution")))

    def test_unfinished_repair_is_not_billable(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], finish=False)
        rma.repair_id.action_create_sale_order()
        self.assertEqual(rma.billing_state, "pending")
        with self.assertRaisesRegex(UserError, "not finished"):
            rma.with_user(self.finance_user).bill_at_cost()

    def test_query_count_grows_per_invoice_not_per_repair(self):
        """Billing 3 repairs or 9 of the same two customers costs the same
        number of queries, give or take a few."""
        more_a = self._units(self.customer, 3, "MORE-A")
        more_b = self._units(self.other_customer, 1, "MORE-B")
        counts = []
        for serials in (
            self.serials_a[:2] + self.serials_b[:1],
            self.serials_a[2:] + self.serials_b[1:] + more_a + more_b,
        ):
            rmas = self.env["service.rma"]
            for serial in serials:
                rmas |= self._repair(serial, [(self.part_valued, 1), (self.part_plain, 1)], hours=1.0)
            billing = rmas.with_user(self.finance_user)
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            result = billing.bill_at_cost("partner")
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(result["invoices"]), 2)
            self.assertEqual(len(result["billed"]), len(serials))
        small, large = counts
        _logger.info("billing 3 repairs: %s queries; 9 repairs: %s queries", small, large)
        self.assertLessEqual(large - small, 10, f"3 repairs: {small} queries, 9 repairs: {large}")


@tagged("post_install", "-at_install")
class TestBillingAccess(BillingCase):
    def test_repair_shop_sees_price_but_cannot_bill(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=1.0)
        shop = rma.with_user(self.repair_user)
        self.assertEqual(shop.amount_at_cost, 70.0)
        self.assertEqual(shop.billing_state, "to_bill")
        with self.assertRaisesRegex(AccessError, "Only invoicing users"):
            shop.bill_at_cost()
        with self.assertRaises(AccessError):
            self.env["service.rma.bill"].with_user(self.repair_user).create(
                {"rma_ids": [Command.set(rma.ids)]}
            )
        self.assertEqual(rma.billing_state, "to_bill")

    def test_sales_user_cannot_bill(self):
        rma = self._repair("RMA-0001", hours=1.0)
        with self.assertRaises(AccessError):
            rma.with_user(self.sales_user).bill_at_cost()

    def test_finance_reads_the_list_and_bills(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=1.0)
        Rma = self.env["service.rma"].with_user(self.finance_user)
        view = self.env.ref("service_rma.service_rma_view_list_to_bill")
        fields_in_list = [name for name in Rma._fields if f'name="{name}"' in view.arch]
        rows = Rma.search_read([("billing_state", "=", "to_bill")], fields_in_list)
        self.assertEqual([row["id"] for row in rows], rma.ids)
        self.assertEqual(rows[0]["lot_id"][1], "RMA-0001")
        Rma.browse(rma.id).action_bill_at_cost()
        self.assertEqual(rma.billing_state, "billed")
        self.assertEqual(rma.bill_id.create_uid, self.finance_user)

    def test_finance_opens_the_rma_form(self):
        rma = self._repair("RMA-0001", [(self.part_valued, 1)], hours=1.0)
        form = Form(rma.with_user(self.finance_user))
        self.assertEqual(form.billing_state, "to_bill")
        self.assertEqual(form.warranty_id, self.warranty)
        self.assertEqual(form.amount_at_cost, 70.0)

    def test_other_company_rmas_are_out_of_reach(self):
        rma = self._repair("RMA-0001", hours=1.0)
        other = self.env["res.company"].create({"name": "Other Co"})
        outsider = new_test_user(
            self.env,
            login="rma_finance_other",
            groups="account.group_account_invoice",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        with self.assertRaises(AccessError):
            rma.with_user(outsider).bill_at_cost()
        self.assertEqual(rma.billing_state, "to_bill")
