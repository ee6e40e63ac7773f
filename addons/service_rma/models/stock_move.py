from odoo import fields, models

from .service_transfer_mixin import TRANSFER_KINDS

# What ties a move to its after-sales document; every step of a service
# transfer carries it.
SERVICE_LINK_FIELDS = ("service_rma_id", "service_loan_id", "service_vendor_claim_id", "service_kind")


class StockMove(models.Model):
    _inherit = "stock.move"

    # The document a service transfer serves, as ``repair_id`` does for a
    # repair's moves: validating a transfer reads them, never a search.
    service_rma_id = fields.Many2one(
        "service.rma", string="RMA", index="btree_not_null", copy=False, readonly=True, check_company=True
    )
    service_loan_id = fields.Many2one(
        "service.loan", string="Loan", index="btree_not_null", copy=False, readonly=True, check_company=True
    )
    service_vendor_claim_id = fields.Many2one(
        "service.vendor.claim", string="Vendor claim", index="btree_not_null", copy=False, readonly=True,
        check_company=True,
    )
    service_kind = fields.Selection(TRANSFER_KINDS, string="Service transfer", copy=False, readonly=True)

    def _is_service_last_step(self):
        """The step that brings the unit where its transfer ends (the
        customer, the repair location, the loaner pool, the vendor): the one
        whose completion moves its document on."""
        self.ensure_one()
        return not self.location_final_id or self.location_dest_id._child_of(self.location_final_id)

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
