from odoo import fields, models

from ..models.service_rma import REMEDIES


class ServiceRmaOverride(models.TransientModel):
    _name = "service.rma.override"
    _description = "Override an RMA verdict"

    rma_id = fields.Many2one("service.rma", required=True, string="RMA")
    current = fields.Selection(related="rma_id.remedy", string="Current remedy")
    remedy = fields.Selection(REMEDIES, string="New remedy", required=True)
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        self.rma_id._override_remedy(self.remedy, self.reason)
        return {"type": "ir.actions.act_window_close"}
