from odoo import fields, models


class ServiceWarrantyPolicy(models.Model):
    _inherit = "service.warranty.policy"

    labour_cost_rate = fields.Float(
        string="Labour cost rate (per hour)",
        digits="Product Price",
        help="Rate of post-warranty repairs billed at cost, in the company's currency. "
        "Zero: the company's labour cost rate (Invoicing settings).",
    )
    visit_fee = fields.Float(
        string="Visit fee",
        digits="Product Price",
        help="Billed with a post-warranty repair at cost when the service was on site, "
        "in the company's currency.",
    )

    _labour_cost_rate_positive = models.Constraint(
        "CHECK (labour_cost_rate >= 0 AND visit_fee >= 0)",
        "A labour cost rate or a visit fee cannot be negative.",
    )
