from odoo import api, fields, models


class ServiceAdvanceReplacement(models.TransientModel):
    """Choose the unit that replaces the customer's faulty one on site: a unit
    of the same product in stock, not from the loaner pool."""

    _name = "service.advance.replacement"
    _description = "Advance replacement of a unit"

    request_id = fields.Many2one("service.request", required=True, string="Service request")
    faulty_lot_id = fields.Many2one(related="request_id.lot_id", string="Faulty unit")
    product_id = fields.Many2one(related="request_id.product_id")
    available_lot_ids = fields.Many2many(
        "stock.lot", compute="_compute_available_lot_ids", string="Units in stock",
    )
    replacement_lot_id = fields.Many2one(
        "stock.lot", string="Replacement unit", required=True,
        compute="_compute_replacement_lot_id", store=True, readonly=False,
        domain="[('id', 'in', available_lot_ids)]",
    )

    @api.depends("request_id")
    def _compute_available_lot_ids(self):
        """The units the RMA's exchange accepts: same product, in an
        internal location, free, not a loaner, not the faulty unit; oldest
        in stock first."""
        for wizard in self:
            if not wizard.product_id:
                wizard.available_lot_ids = False
                continue
            quants = self.env["stock.quant"].search([
                ("product_id", "=", wizard.product_id.id),
                ("location_id.usage", "=", "internal"),
                ("lot_id", "!=", False),
                ("lot_id.is_loaner", "=", False),
                ("lot_id", "!=", wizard.faulty_lot_id.id),
                ("quantity", ">", 0),
                ("reserved_quantity", "=", 0),
            ], order="in_date, id")
            wizard.available_lot_ids = quants.lot_id

    @api.depends("available_lot_ids")
    def _compute_replacement_lot_id(self):
        for wizard in self:
            if wizard.replacement_lot_id not in wizard.available_lot_ids:
                wizard.replacement_lot_id = wizard.available_lot_ids[:1]

    def action_replace(self):
        self.ensure_one()
        return self.request_id._advance_replace(self.replacement_lot_id).get_formview_action()
