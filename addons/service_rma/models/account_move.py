from odoo import models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    def button_draft(self):
        # A cancelled at-cost bill freed its repairs; re-opening it must not
        # bill twice a repair that was billed again meanwhile.
        cancelled = self.filtered(lambda move: move.state == "cancel")
        rmas = cancelled.line_ids.service_rma_id
        rmas.sudo()._lock_for_billing()
        billed = rmas.sudo().filtered("bill_id")
        if billed:
            raise UserError(
                self.env._(
                    "%(rmas)s were billed again after this invoice was cancelled (%(bills)s): "
                    "it cannot be reset to draft.",
                    rmas=", ".join(billed.mapped("name")),
                    bills=", ".join(billed.bill_id.mapped("display_name")),
                )
            )
        return super().button_draft()
