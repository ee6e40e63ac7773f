from odoo.addons.service_desk.tests.common import DeskCase
from odoo.tests import new_test_user


class MaintenanceCase(DeskCase):
    """The desk's data (a customer owning RMA-0001 and RMA-0002 of the pump,
    its portal user), the maintenance roles, and more owners: one of the
    same product who reads Chinese, one of another product only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "service@vendor.example.com"
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.maint_manager = new_test_user(
            cls.env, login="mnt_manager", groups="service_maintenance.group_maintenance_manager",
            name="Mia Maintenance", email="mia@vendor.example.com",
        )
        cls.maint_engineer = new_test_user(
            cls.env, login="mnt_engineer", groups="service_maintenance.group_maintenance_engineer",
            name="Eli Engineer", email="eli@vendor.example.com",
        )
        cls.owner_cn = cls.env["res.partner"].create({
            "name": "Shanghai Clinic", "email": "it@sh-clinic.example.com", "lang": "zh_CN",
        })
        cls.owner_other_product = cls.env["res.partner"].create({
            "name": "Cable Buyer", "email": "buyer@cables.example.com",
        })
        cls.owner_no_email = cls.env["res.partner"].create({"name": "Paper Hospital"})
        cls.cn_lots = cls._own(cls.owner_cn, cls.product, ["CN-0001"])
        cls.cable_lots = cls._own(cls.owner_other_product, cls.product_no_policy, ["CABLE-01"])

    @classmethod
    def _own(cls, partner, product, serials, state="active"):
        """Units of ``product`` owned by ``partner`` through live certificates."""
        lots = cls.env["stock.lot"].create([{"name": serial, "product_id": product.id} for serial in serials])
        policy = product._get_warranty_policy().get(product) or cls.policy
        cls.env["service.warranty"].create([
            {"lot_id": lot.id, "partner_id": partner.id, "policy_id": policy.id,
             "date_delivery": "2026-01-10", "state": state}
            for lot in lots
        ])
        return lots

    def _advisory(self, user=None, **values):
        Advisory = self.env["service.advisory"].with_user(user or self.maint_manager)
        return Advisory.create({
            "title": "Battery may overheat", "product_id": self.product.id,
            "description": "<p>Do not charge below 0 °C; we replace the battery free of charge.</p>",
            **values,
        })

    def _mails(self, notices):
        """The queued e-mails of these notices: the advisory's messages to their owners."""
        return self.env["mail.mail"].search([
            ("model", "=", "service.advisory"), ("res_id", "in", notices.advisory_id.ids),
            ("recipient_ids", "in", notices.partner_id.ids),
        ])
