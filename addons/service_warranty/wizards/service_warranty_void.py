from odoo import fields, models
from odoo.exceptions import UserError


class ServiceWarrantyVoid(models.TransientModel):
    _name = "service.warranty.void"
    _description = "Void Warranty Certificates"

    warranty_ids = fields.Many2many("service.warranty", string="Certificates", required=True)
    reason = fields.Text(required=True)

    def action_void(self):
        self.ensure_one()
        if not self.env.user.has_group("service_warranty.group_aftersales_manager"):
            raise UserError(self.env._("Only after-sales administrators can void certificates."))
        self.warranty_ids._void(self.reason)
        return {"type": "ir.actions.act_window_close"}
