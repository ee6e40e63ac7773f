from odoo import api, fields, models


class ServiceRma(models.Model):
    """Cost-only billing of post-warranty repairs: the RMA's repair is quoted
    at cost (see ``repair.order``), and finance bills such quotations in
    batches, never twice."""

    _name = "service.rma"
    _inherit = ["service.rma", "service.billing.mixin"]
    _billing_line_field = "service_rma_id"
    _billing_key = "rma"

    on_site = fields.Boolean(
        string="Serviced on site",
        tracking=True,
        help="The technician went to the customer: a repair billed at cost adds the policy's visit fee.",
    )
    labour_hours = fields.Float(related="repair_id.labour_hours", string="Labour (hours)")
    sale_order_id = fields.Many2one(
        related="repair_id.sale_order_id", string="Quotation", store=True, index="btree_not_null"
    )
    bill_line_ids = fields.One2many("account.move.line", "service_rma_id", string="Bill lines", readonly=True)

    @api.depends("remedy", "repair_id.state")
    def _compute_billing_state(self):
        return super()._compute_billing_state()

    def _billing_state_unbilled(self):
        self.ensure_one()
        if self.remedy != "repair_at_cost" or not self.repair_id or self.repair_id.state == "cancel":
            return "none"
        if self.repair_id.state == "done" and self.sale_order_id.state == "sale":
            return "ready"
        return "pending"

    # -- billing -----------------------------------------------------------

    def action_open_bill_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bill at cost"),
            "res_model": "service.rma.bill",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def _billing_document_refusal(self):
        self.ensure_one()
        if self.covered:
            return self.env._("covered by the warranty: its repair is free")
        if self.remedy != "repair_at_cost":
            return self.env._("the verdict is not a repair at cost")
        if self.billing_state == "zero":
            return self.env._(
                "its at-cost total is 0: check the parts and labour hours recorded on %(repair)s",
                repair=self.repair_id.display_name,
            )
        if self.billing_state != "to_bill":
            return self.env._("its repair is not finished or has no confirmed at-cost quotation")
        return False
