from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _create_repair_sale_order_line(self):
        # A part added to an RMA repair after its quotation was made goes on
        # the quotation like the others, priced at cost or free under
        # warranty. The quotation is the system's, so the repair shop needs no
        # sales rights for it.
        rma_moves = self.filtered(lambda move: move.repair_id.rma_id)
        res = super(StockMove, self - rma_moves)._create_repair_sale_order_line()
        super(StockMove, rma_moves.sudo())._create_repair_sale_order_line()
        rma_moves.repair_id._service_price_quotation()
        return res
