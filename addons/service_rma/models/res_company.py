from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    service_labour_cost_rate = fields.Monetary(
        string="Labour cost rate (per hour)",
        currency_field="currency_id",
        help="What an hour of repair work costs the company; post-warranty repairs are billed at this rate "
        "unless the warranty policy sets its own.",
    )
    service_bill_grouping = fields.Selection(
        [("partner", "One invoice per customer"), ("rma", "One invoice per RMA")],
        string="Post-warranty bills",
        default="partner",
        required=True,
    )
