from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    warranty_policy_id = fields.Many2one(
        "service.warranty.policy",
        string="Warranty policy",
        help="Policy for serial-numbered products of this category that have none of their own.",
    )


class ProductTemplate(models.Model):
    _inherit = "product.template"

    warranty_policy_id = fields.Many2one(
        "service.warranty.policy",
        string="Warranty policy",
        check_company=True,
        help="Certificates are issued with this policy when serials of this product are "
        "delivered to a customer. Empty: the product category's policy applies.",
    )


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _get_warranty_policy(self):
        """The policy of each product: its own, else the nearest category's.
        Returns {product: policy} for the products that have one."""
        result = {}
        for product in self:
            policy = product.warranty_policy_id
            categ = product.categ_id
            while not policy and categ:
                policy = categ.warranty_policy_id
                categ = categ.parent_id
            if policy:
                result[product] = policy
        return result
