from odoo import models


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _get_public_service_values(self):
        values = super()._get_public_service_values()
        values["advisories"] = self.env["service.advisory"]._get_public_advisories(self.sudo())
        return values
