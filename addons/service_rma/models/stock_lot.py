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

    def _service_vendor_receipts(self):
        """``{lot: move line}``: the done move line that first brought each
        unit in from a vendor's location (a receipt, or the replacement a
        vendor sent back), read in one query; units that came into stock
        another way (an inventory adjustment, an import) are not in it."""
        lines = self.env["stock.move.line"].sudo().search(
            [("lot_id", "in", self.ids), ("state", "=", "done"), ("location_id.usage", "=", "supplier")],
            order="date, id",
        )
        receipts = {}
        for line in lines:
            receipts.setdefault(line.lot_id, line)
        return receipts

    def _service_vendors(self, company, receipts=None):
        """``{lot: vendor}`` to claim each unit from: the partner of the
        receipt that brought it in (``receipts``, as
        ``_service_vendor_receipts`` gives them), else its product's main
        vendor for ``company`` (the first of its vendor prices); units with
        neither are left out."""
        if receipts is None:
            receipts = self._service_vendor_receipts()
        vendors = {}
        for lot in self:
            vendor = receipts[lot].picking_id.partner_id if lot in receipts else self.env["res.partner"]
            if not vendor:
                vendor = lot.product_id.sudo().with_company(company)._prepare_sellers()[:1].partner_id
            if vendor:
                vendors[lot] = vendor.with_env(self.env)
        return vendors

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
