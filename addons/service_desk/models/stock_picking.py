from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """The exchange transfer of an advance replacement is validated while
        its RMA still waits for the faulty unit (draft): the certificate moves
        to the replacement then (``service.rma._on_advance_exchange_done``).
        Read from the moves' links, as service_rma's own override does."""
        moves = self.move_ids.filtered("service_kind")
        if not moves:
            return super()._action_done()
        advance = moves.sudo().filtered(
            lambda move: move.service_kind == "exchange" and move.service_rma_id.advance_replacement
            and move.service_rma_id.state == "draft" and move._is_service_last_step()
        )
        res = super()._action_done()
        advance.filtered(lambda move: move.state == "done").service_rma_id._on_advance_exchange_done()
        return res
