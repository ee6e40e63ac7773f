from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestCoverage(WarrantyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._make_lots(cls.product, ["CV-1"])
        cls.warranty = cls.env["service.warranty"].create(
            {
                "lot_id": cls.lot.id,
                "partner_id": cls.customer.id,
                "policy_id": cls.policy.id,
                "date_delivery": date(2026, 1, 10),
                "state": "active",
            }
        )

    def _verdict(self, day, exclusions=(), lot=None):
        return (lot or self.lot).with_user(self.sales_user).get_service_coverage(day, list(exclusions))

    def test_remedy_by_date(self):
        cases = [
            (date(2026, 1, 12), True, "refund", "refund_window"),
            (date(2026, 1, 17), True, "refund", "refund_window"),
            (date(2026, 1, 18), True, "exchange", "exchange_window"),
            (date(2026, 2, 9), True, "exchange", "exchange_window"),
            (date(2026, 2, 10), True, "repair", "in_warranty"),
            (date(2027, 1, 9), True, "repair", "in_warranty"),
            (date(2027, 1, 10), False, "repair_at_cost", "expired"),
        ]
        for day, covered, remedy, reason in cases:
            with self.subTest(day=day):
                verdict = self._verdict(day)
                self.assertEqual(
                    (verdict["covered"], verdict["remedy"], verdict["reason"]), (covered, remedy, reason)
                )
                self.assertEqual(verdict["warranty_id"], self.warranty.id)
                self.assertTrue(verdict["reason_text"])

    def test_expired_text_names_the_date(self):
        verdict = self._verdict(date(2027, 3, 1))
        self.assertIn("01/09/2027", verdict["reason_text"])

    def test_post_warranty_modes(self):
        self.policy.post_warranty_mode = "list_price"
        self.assertEqual(self._verdict(date(2028, 1, 1))["remedy"], "repair_paid")
        self.policy.post_warranty_mode = "none"
        self.assertEqual(self._verdict(date(2028, 1, 1))["remedy"], "none")

    def test_each_policy_exclusion_voids(self):
        for exclusion in self.policy.exclusion_ids:
            with self.subTest(exclusion=exclusion.code):
                verdict = self._verdict(date(2026, 3, 1), [exclusion.code])
                self.assertFalse(verdict["covered"])
                self.assertEqual(verdict["remedy"], "repair_at_cost")
                self.assertEqual(verdict["reason"], "excluded")
                self.assertEqual(verdict["exclusions"], [exclusion.code])
                self.assertIn(exclusion.name, verdict["reason_text"])

    def test_every_standard_exclusion_when_listed(self):
        self.policy.exclusion_ids = self.all_exclusions
        for exclusion in self.all_exclusions:
            with self.subTest(exclusion=exclusion.code):
                self.assertEqual(self._verdict(date(2026, 3, 1), [exclusion.code])["reason"], "excluded")

    def test_exclusion_outside_policy_is_ignored(self):
        verdict = self._verdict(date(2026, 3, 1), [self.excl_label.code])
        self.assertTrue(verdict["covered"])
        self.assertEqual(verdict["remedy"], "repair")

    def test_unknown_exclusion_code(self):
        with self.assertRaisesRegex(UserError, "Unknown exclusion code.*dropped_it"):
            self._verdict(date(2026, 3, 1), ["dropped_it"])

    def test_void_and_replaced(self):
        self.warranty._void("refunded")
        verdict = self._verdict(date(2026, 3, 1))
        self.assertEqual((verdict["covered"], verdict["remedy"], verdict["reason"]), (False, "none", "void"))
        self.warranty.state = "replaced"
        self.assertEqual(self._verdict(date(2026, 3, 1))["reason"], "replaced")

    def test_no_certificate(self):
        lot = self._make_lots(self.product, ["CV-NONE"])
        verdict = self._verdict(date(2026, 3, 1), lot=lot)
        self.assertEqual(
            (verdict["covered"], verdict["remedy"], verdict["reason"]),
            (False, "repair_at_cost", "no_certificate"),
        )
        self.assertFalse(verdict["warranty_id"])
        lot_no_policy = self._make_lots(self.product_no_policy, ["CK-NONE"])
        self.assertEqual(self._verdict(date(2026, 3, 1), lot=lot_no_policy)["remedy"], "none")
