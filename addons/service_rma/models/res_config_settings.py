from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_labour_cost_rate = fields.Monetary(
        related="company_id.service_labour_cost_rate", readonly=False, currency_field="currency_id"
    )
    service_bill_grouping = fields.Selection(related="company_id.service_bill_grouping", readonly=False)
