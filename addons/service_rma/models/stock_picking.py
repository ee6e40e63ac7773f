from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        rmas = self.env["service.rma"].sudo()
        returns = rmas.search([("return_picking_id", "in", self.ids), ("state", "=", "ready")])
        returns._check_no_loaner_out()
        res = super()._action_done()
        rmas.search([("receipt_picking_id", "in", self.ids), ("state", "=", "draft")])._on_receipt_done()
        returns._on_return_done()
        self.env["service.loaner"].sudo().search(
            ["|", ("picking_out_id", "in", self.ids), ("picking_back_id", "in", self.ids)]
        )._on_pickings_done(self)
        return res
