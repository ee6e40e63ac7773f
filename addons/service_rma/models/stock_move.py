from odoo import fields, models

from .service_transfer_mixin import TRANSFER_KINDS


class StockMove(models.Model):
    _inherit = "stock.move"

    # The document a service transfer serves, as ``repair_id`` does for a
    # repair's moves: validating a transfer reads them, never a search.
    service_rma_id = fields.Many2one(
        "service.rma", string="RMA", index="btree_not_null", copy=False, readonly=True, check_company=True
    )
    service_loan_id = fields.Many2one(
        "service.loaner", string="Loan", index="btree_not_null", copy=False, readonly=True, check_company=True
    )
    service_kind = fields.Selection(TRANSFER_KINDS, string="Service transfer", copy=False, readonly=True)

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
