from odoo import models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def _prepare_service_warranty_vals(self, policy):
        # A loaner is lent, not sold: it reaches the customer without a
        # certificate of its own, and comes back to the pool.
        if self.move_id.service_kind == "loan_out":
            return {}
        return super()._prepare_service_warranty_vals(policy)
