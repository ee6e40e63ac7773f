from odoo import models

WAITING_EXCHANGE = ("received", "diagnosed")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """Validating an RMA's, a loan's or a vendor claim's transfer moves
        it on, as its moves say (``stock.move.service_kind`` and its link),
        once the unit is where the transfer ends (``_is_service_last_step``:
        the repair location after input and quality control, the customer
        after pick, pack and ship, the vendor): no search, so any other
        transfer is validated at Odoo's own cost. The unit (or its
        replacement) cannot go back while the customer still has a loaner."""
        moves = self.move_ids.filtered("service_kind")
        if not moves:
            return super()._action_done()
        moves = moves.sudo().filtered(lambda move: move._is_service_last_step())

        def documents(kind, field="service_rma_id"):
            return moves.filtered(lambda move: move.service_kind == kind)[field]

        returns = documents("return").filtered(lambda rma: rma.state == "ready")
        exchanges = documents("exchange").filtered(lambda rma: rma.state in WAITING_EXCHANGE)
        (returns | exchanges)._check_no_loaner_out()
        res = super()._action_done()
        moves = moves.filtered(lambda move: move.state == "done")
        documents("receipt").filtered(lambda rma: rma.state == "draft")._on_receipt_done()
        returns.filtered(lambda rma: rma in documents("return"))._on_return_done()
        exchanges.filtered(lambda rma: rma in documents("exchange"))._on_exchange_done()
        documents("loan_out", "service_loan_id")._on_loan_out_done()
        documents("loan_back", "service_loan_id")._on_loan_back_done()
        documents("vendor_out", "service_vendor_claim_id")._on_vendor_out_done()
        documents("vendor_back", "service_vendor_claim_id")._on_vendor_back_done()
        return res
