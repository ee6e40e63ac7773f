from odoo import api, fields, models


class ServiceRmaBill(models.TransientModel):
    _name = "service.rma.bill"
    _description = "Bill post-warranty repairs at cost"

    rma_ids = fields.Many2many("service.rma", string="Repairs", required=True)
    grouping = fields.Selection(
        [("partner", "One invoice per customer"), ("rma", "One invoice per RMA")],
        required=True,
        default=lambda self: self.env.company.service_bill_grouping,
    )
    count = fields.Integer(compute="_compute_summary", string="RMAs to bill")
    customer_count = fields.Integer(compute="_compute_summary", string="Customers")
    skipped_count = fields.Integer(compute="_compute_summary", string="Not billable")

    @api.model
    def default_get(self, fields_list):
        vals = super().default_get(fields_list)
        if self.env.context.get("active_model") == "service.rma" and "rma_ids" in fields_list:
            vals["rma_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return vals

    @api.depends("rma_ids")
    def _compute_summary(self):
        for wizard in self:
            to_bill = wizard.rma_ids.filtered(lambda rma: rma.billing_state == "to_bill")
            wizard.count = len(to_bill)
            wizard.customer_count = len(to_bill.commercial_partner_id)
            wizard.skipped_count = len(wizard.rma_ids) - len(to_bill)

    def action_bill(self):
        self.ensure_one()
        return self.rma_ids.action_bill_at_cost(self.grouping)
