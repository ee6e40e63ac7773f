from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestAccess(WarrantyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._make_lots(cls.product, ["AC-1"])
        cls.warranty = cls.env["service.warranty"].create(
            {"lot_id": cls.lot.id, "partner_id": cls.customer.id, "policy_id": cls.policy.id,
             "date_delivery": "2026-01-10", "state": "active"}
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        other_lot = cls.env["stock.lot"].create(
            {"name": "AC-OTHER", "product_id": cls.product.id, "company_id": cls.other_company.id}
        )
        cls.other_warranty = cls.env["service.warranty"].create(
            {"lot_id": other_lot.id, "partner_id": cls.customer.id, "policy_id": cls.policy.id,
             "company_id": cls.other_company.id, "date_delivery": "2026-01-10", "state": "active"}
        )

    def test_sales_user_reads_but_cannot_edit_policies(self):
        policy = self.policy.with_user(self.sales_user)
        self.assertEqual(policy.name, self.policy.name)
        with self.assertRaises(AccessError):
            policy.write({"warranty_months": 60})
        with self.assertRaises(AccessError):
            self.env["service.warranty.policy"].with_user(self.sales_user).create({"name": "Mine"})

    def test_manager_edits_policies(self):
        self.policy.with_user(self.manager).write({"warranty_months": 24})
        self.assertEqual(self.warranty.date_end.isoformat(), "2028-01-09")

    def test_stock_user_reads_certificates(self):
        self.assertEqual(self.warranty.with_user(self.stock_user).lot_id, self.lot)

    def test_only_manager_voids(self):
        wizard = self.env["service.warranty.void"].with_user(self.sales_user)
        with self.assertRaises(AccessError):
            wizard.create({"warranty_ids": [self.warranty.id], "reason": "nope"})
        self.env["service.warranty.void"].with_user(self.manager).create(
            {"warranty_ids": [self.warranty.id], "reason": "refunded"}
        ).action_void()
        self.assertEqual(self.warranty.state, "void")

    def test_user_without_rights_sees_nothing(self):
        nobody = new_test_user(self.env, login="sw_nobody", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["service.warranty"].with_user(nobody).search([])

    def test_company_rule(self):
        found = self.env["service.warranty"].with_user(self.sales_user).search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertIn(self.warranty, found)
        self.assertNotIn(self.other_warranty, found, "certificates of other companies stay hidden")
