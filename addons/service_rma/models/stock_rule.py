from odoo import models

from .stock_move import SERVICE_LINK_FIELDS


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _push_prepare_move_copy_values(self, move_to_copy, new_date):
        # The next step of a service transfer (input → quality → repair,
        # pick → pack → ship) serves the same document. Not a ``copy=True``:
        # a return of the transfer, also a copy, serves none.
        values = super()._push_prepare_move_copy_values(move_to_copy, new_date)
        if move_to_copy.service_kind:
            values.update({name: move_to_copy[name].id if name != "service_kind" else move_to_copy[name]
                           for name in SERVICE_LINK_FIELDS})
        return values
