from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestServiceApi(WarrantyCase):
    """The model methods the repair shop's scanner and the `aftersales`
    command call over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order, cls.picking = cls._deliver(cls.product, ["API-0001", "API-0002"])
        cls.order.user_id = cls.sales_user  # salespeople see their own orders
        cls.lot = cls.picking.warranty_ids.lot_id.filtered(lambda lot: lot.name == "API-0001")
        cls.token = cls.lot.sudo().service_token

    def test_find_by_code_url_token_serial(self):
        Lot = self.env["stock.lot"].with_user(self.sales_user)
        for code in (
            f"https://odoo.example.com/service/d/{self.token}",
            f"  http://x/service/d/{self.token}/?utm=label \n",
            self.token,
            "API-0001",
            "  api-0001 ",
        ):
            with self.subTest(code=code):
                self.assertEqual(Lot._find_by_service_code(code), self.lot)
        for code in ("", "API-9999", "https://x/service/d/" + "Z" * 32, "Z" * 32, "API-000",
                     "API-000_", "API%"):
            with self.subTest(code=code):
                self.assertFalse(Lot._find_by_service_code(code))

    def test_status(self):
        status = self.env["stock.lot"].with_user(self.sales_user).get_service_status(
            "api-0001", on_date=date(2026, 1, 1)
        )
        self.assertEqual(status["serial"], "API-0001")
        self.assertEqual(status["customer"], self.customer.display_name)
        self.assertEqual(status["certificate"]["state"], "active")
        self.assertEqual(status["certificate"]["date_end"], self.lot.warranty_id.date_end)
        self.assertIn(status["verdict"]["remedy"], ("refund", "exchange", "repair", "repair_at_cost"))
        self.assertTrue(status["service_url"].endswith(self.token))
        self.assertFalse(self.env["stock.lot"].get_service_status("nothing-like-this"))

    def test_labels_by_serials_picking_and_order(self):
        Lot = self.env["stock.lot"].with_user(self.sales_user)
        result = Lot.get_service_labels(serials=["API-0002", "NOPE-1"])
        self.assertEqual([label["serial"] for label in result["labels"]], ["API-0002"])
        self.assertEqual(result["unknown"], ["NOPE-1"])
        by_picking = Lot.get_service_labels(picking=self.picking.name)
        by_order = Lot.get_service_labels(sale_order=self.order.name)
        self.assertEqual(len(by_picking["labels"]), 2)
        self.assertEqual(by_picking, by_order)
        self.assertTrue(all("/service/d/" in label["url"] for label in by_order["labels"]))
        with self.assertRaisesRegex(UserError, "No transfer named WH/OUT/NOPE"):
            Lot.get_service_labels(picking="WH/OUT/NOPE")

    def test_labels_create_missing_tokens(self):
        lot = self._make_lots(self.product, ["API-NEW"])
        result = self.env["stock.lot"].with_user(self.sales_user).get_service_labels(serials=["API-NEW"])
        self.assertTrue(lot.sudo().service_token)
        self.assertTrue(result["labels"][0]["url"].endswith(lot.sudo().service_token))


@tagged("post_install", "-at_install")
class TestRegisterUnits(WarrantyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.ref = "CUST-ACME"
        cls.product.barcode = "4006381333931"

    def _rows(self):
        return [
            {"line": 2, "serial": "REG-1", "product": "IP-7", "customer": "CUST-ACME",
             "date_sale": "2025-05-01", "invoice_ref": "OLD-1"},
            {"line": 3, "serial": "REG-2", "product": "4006381333931",
             "customer": "it@acme-hospital.example.com", "date_sale": "2025-05-02",
             "date_install": "2025-05-10"},
            {"line": 4, "serial": "REG-3", "product": "NOPE", "customer": "CUST-ACME",
             "date_sale": "2025-05-02"},
            {"line": 5, "serial": "REG-4", "product": "IP-7", "customer": "Nobody Inc",
             "date_sale": "2025-05-02"},
            {"line": 6, "serial": "REG-5", "product": "IP-7", "customer": "CUST-ACME",
             "date_sale": "2025-13-40"},
            {"line": 7, "serial": "REG-1", "product": "IP-7", "customer": "CUST-ACME",
             "date_sale": "2025-05-01"},
            {"line": 8, "serial": "", "product": "IP-7", "customer": "CUST-ACME",
             "date_sale": "2025-05-01"},
        ]

    def test_good_rows_kept_bad_rows_reported(self):
        Warranty = self.env["service.warranty"].with_user(self.sales_user)
        result = Warranty.register_units(self._rows())
        self.assertEqual([c["line"] for c in result["created"]], [2, 3])
        errors = {(e["line"], e["column"]) for e in result["errors"]}
        self.assertEqual(
            errors,
            {(4, "product"), (5, "customer"), (6, "date_sale"), (7, "serial"), (8, "serial")},
        )
        warranties = self.env["service.warranty"].search([("lot_id.name", "in", ["REG-1", "REG-2"])])
        self.assertEqual(len(warranties), 2)
        self.assertEqual(set(warranties.mapped("origin")), {"import"})
        reg2 = warranties.filtered(lambda w: w.lot_id.name == "REG-2")
        self.assertEqual(reg2.date_install, date(2025, 5, 10))
        self.assertTrue(reg2.lot_id.sudo().service_token)

    def test_rerun_creates_nothing_twice(self):
        Warranty = self.env["service.warranty"].with_user(self.sales_user)
        Warranty.register_units(self._rows()[:2])
        again = Warranty.register_units(self._rows()[:2])
        self.assertEqual(again["created"], [])
        self.assertEqual([s["line"] for s in again["skipped"]], [2, 3])
        self.assertEqual(self.env["stock.lot"].search_count([("name", "in", ["REG-1", "REG-2"])]), 2)

    def test_dry_run_writes_nothing(self):
        result = self.env["service.warranty"].register_units(self._rows()[:2], dry_run=True)
        self.assertEqual([c["line"] for c in result["created"]], [2, 3])
        self.assertFalse(self.env["stock.lot"].search([("name", "in", ["REG-1", "REG-2"])]))

    def test_other_customer_is_an_error(self):
        self.env["service.warranty"].register_units(self._rows()[:1])
        self.other_customer.ref = "CUST-OTHER"
        row = dict(self._rows()[0], customer="CUST-OTHER")
        result = self.env["service.warranty"].register_units([row])
        self.assertEqual(result["errors"][0]["column"], "serial")
        self.assertIn("another customer", result["errors"][0]["reason"])

    def test_other_company_values_refused_before_writing(self):
        """A customer or serial of another company is a bad row reported by
        the check, so the good rows of the batch are still written."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.env["res.partner"].create({"name": "Foreign Clinic", "ref": "CUST-FOREIGN",
                                        "company_id": other_company.id})
        self.env["stock.lot"].create({"name": "REG-FOREIGN", "product_id": self.product.id,
                                      "company_id": other_company.id})
        rows = [
            *self._rows()[:2],
            {"line": 9, "serial": "REG-9", "product": "IP-7", "customer": "CUST-FOREIGN",
             "date_sale": "2025-05-01"},
            {"line": 10, "serial": "REG-FOREIGN", "product": "IP-7", "customer": "CUST-ACME",
             "date_sale": "2025-05-01"},
        ]
        Warranty = self.env["service.warranty"].with_context(
            allowed_company_ids=[self.company.id, other_company.id]
        )
        checked = Warranty.register_units(rows, dry_run=True)
        self.assertEqual({(e["line"], e["column"]) for e in checked["errors"]},
                         {(9, "customer"), (10, "serial")})
        self.assertIn("Other Co", checked["errors"][0]["reason"])
        result = Warranty.register_units(rows)
        self.assertEqual([c["line"] for c in result["created"]], [2, 3])
        self.assertEqual(len(result["errors"]), 2)

    def test_query_count_does_not_grow_with_rows(self):
        def rows(prefix, count):
            return [{"line": i, "serial": f"{prefix}-{i}", "product": "IP-7", "customer": "CUST-ACME",
                     "date_sale": "2025-05-01"} for i in range(count)]

        Warranty = self.env["service.warranty"]
        Warranty.register_units(rows("W", 1))  # warm the caches
        counts = []
        for prefix, count in (("S", 5), ("M", 80)):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            result = Warranty.register_units(rows(prefix, count))
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(result["created"]), count)
        self.assertEqual(counts[0], counts[1], f"5 rows: {counts[0]} queries, 80 rows: {counts[1]}")

    def test_new_serials_get_their_label_token(self):
        result = self.env["service.warranty"].register_units(self._rows()[:2])
        lots = self.env["stock.lot"].search([("name", "in", [c["serial"] for c in result["created"]])])
        tokens = lots.sudo().mapped("service_token")
        self.assertEqual(len(set(tokens)), 2)
        self.assertTrue(all(len(token) == 32 for token in tokens))

    def test_certificate_numbers_follow_the_sequence(self):
        sequence = self.env["ir.sequence"].search([("code", "=", "service.warranty")], limit=1)
        first = sequence.number_next_actual
        names = self.env["service.warranty"]._next_names(3)
        self.assertEqual(names, [sequence.get_next_char(first + step) for step in range(3)])

    def test_company_checked_across_the_batch(self):
        """Certificates issued together are checked field by field for each
        company at once: a value of another company anywhere in the batch is
        still refused, and named."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.env["res.partner"].create({"name": "Foreign Clinic", "company_id": other_company.id})
        lots = self._make_lots(self.product, ["REG-C1", "REG-C2", "REG-C3"])
        other_lot = self.env["stock.lot"].create(
            {"name": "REG-C4", "product_id": self.product.id, "company_id": other_company.id}
        )
        Warranty = self.env["service.warranty"].with_context(
            allowed_company_ids=[self.company.id, other_company.id]
        )

        def vals(lot, partner, company=self.company):
            return {"lot_id": lot.id, "partner_id": partner.id, "policy_id": self.policy.id,
                    "company_id": company.id, "date_delivery": "2026-01-10"}

        for bad in (vals(lots[2], foreign), vals(other_lot, self.customer)):
            with self.subTest(bad=bad), self.assertRaises(UserError) as caught:
                Warranty.create([vals(lots[0], self.customer), vals(lots[1], self.customer), bad])
            self.assertIn("belongs to another company", str(caught.exception))
            self.assertIn("Foreign Clinic" if bad["partner_id"] == foreign.id else "REG-C4",
                          str(caught.exception))
        # Each certificate is judged against its own company.
        warranties = Warranty.create([
            vals(lots[0], self.customer),
            vals(other_lot, foreign, company=other_company),
            vals(lots[1], self.customer),
        ])
        self.assertEqual(warranties.company_id, self.company | other_company)
