from odoo import api, fields, models


class ServiceRmaExchange(models.TransientModel):
    _name = "service.rma.exchange"
    _description = "Exchange a returned unit"

    rma_id = fields.Many2one("service.rma", required=True, string="RMA")
    product_id = fields.Many2one(related="rma_id.product_id")
    lot_id = fields.Many2one(
        "stock.lot", string="Replacement unit", required=True,
        domain="[('product_id', '=', product_id), ('is_loaner', '=', False), ('id', '!=', rma_lot_id)]",
    )
    rma_lot_id = fields.Many2one(related="rma_id.lot_id")

    @api.onchange("rma_id")
    def _onchange_rma_id(self):
        if self.rma_id and not self.lot_id:
            quant = self.env["stock.quant"].search([
                ("product_id", "=", self.rma_id.product_id.id),
                ("location_id.usage", "=", "internal"),
                ("lot_id.is_loaner", "=", False),
                ("lot_id", "!=", self.rma_id.lot_id.id),
                ("quantity", ">", 0),
                ("reserved_quantity", "=", 0),
            ], limit=1, order="in_date, id")
            self.lot_id = quant.lot_id

    def action_exchange(self):
        self.ensure_one()
        return self.rma_id._exchange(self.lot_id).get_formview_action()
