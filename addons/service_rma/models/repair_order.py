from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    rma_id = fields.Many2one("service.rma", string="RMA", index="btree_not_null", readonly=True,
                             check_company=True, copy=False)

    def action_repair_done(self):
        res = super().action_repair_done()
        self.rma_id.sudo()._on_repair_done()
        return res
