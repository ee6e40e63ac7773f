from odoo import fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    is_loaner = fields.Boolean(
        string="Loaner unit", index="btree_not_null",
        help="Part of the pool of units lent to customers while theirs is in service.",
    )
    rma_ids = fields.One2many("service.rma", "lot_id", string="RMAs")
    rma_count = fields.Integer(compute="_compute_rma_count", string="RMA count")

    def _compute_rma_count(self):
        counts = dict(self.env["service.rma"]._read_group(
            [("lot_id", "in", self.ids)], ["lot_id"], ["__count"]
        ))
        for lot in self:
            lot.rma_count = counts.get(lot, 0)

    def _service_internal_location(self):
        """Where this unit is in stock (an internal location), empty when it
        is not: where an exchange or a loan takes it from."""
        self.ensure_one()
        return self.quant_ids.filtered(
            lambda quant: quant.quantity > 0 and quant.location_id.usage == "internal"
        ).location_id[:1]

    def action_view_rmas(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("service_rma.service_rma_action")
        action["domain"] = [("lot_id", "in", self.ids)]
        action["context"] = {}
        return action

    def _get_public_service_values(self):
        values = super()._get_public_service_values()
        rma = self.sudo().rma_ids.filtered(lambda r: r.state not in ("done", "cancel"))[:1]
        values["service_status"] = rma.customer_status if rma else False
        return values
