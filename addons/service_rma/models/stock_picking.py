from odoo import models

WAITING_EXCHANGE = ("received", "diagnosed")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """Validating an RMA's or a loan's transfer moves it on; the unit (or
        its replacement) cannot go back while the customer still has a loaner."""
        rmas = self.env["service.rma"].sudo()
        returns = rmas.search([("return_picking_id", "in", self.ids), ("state", "=", "ready")])
        exchanges = rmas.search(
            [("exchange_picking_id", "in", self.ids), ("state", "in", WAITING_EXCHANGE)]
        )
        (returns | exchanges)._check_no_loaner_out()
        res = super()._action_done()
        rmas.search([("receipt_picking_id", "in", self.ids), ("state", "=", "draft")])._on_receipt_done()
        returns._on_return_done()
        exchanges._on_exchange_done()
        self.env["service.loaner"].sudo().search(
            ["|", ("picking_out_id", "in", self.ids), ("picking_back_id", "in", self.ids)]
        )._on_pickings_done(self)
        return res
