from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    rma_location_id = fields.Many2one(
        "stock.location", string="Repair location", check_company=True,
        help="Where returned units wait and are repaired. Created on first use.",
    )
    loaner_location_id = fields.Many2one(
        "stock.location", string="Loaner location", check_company=True,
        help="Where the loaner pool is kept. Created on first use.",
    )

    def _get_rma_location(self):
        return self._get_service_location("rma_location_id", self.env._("Repair"))

    def _get_loaner_location(self):
        return self._get_service_location("loaner_location_id", self.env._("Loaners"))

    def _get_service_location(self, field, name):
        self.ensure_one()
        if not self[field]:
            location = self.env["stock.location"].sudo().create({
                "name": name,
                "usage": "internal",
                "location_id": self.view_location_id.id,
                "company_id": self.company_id.id,
            })
            self.sudo()[field] = location
        return self[field]
