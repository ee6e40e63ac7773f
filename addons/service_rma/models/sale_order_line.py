from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    service_rma_id = fields.Many2one(
        "service.rma", string="RMA", index="btree_not_null", readonly=True, copy=False
    )
    service_cost_kind = fields.Selection(
        [("part", "Part at cost"), ("labour", "Labour at cost"), ("visit", "Visit fee at cost")],
        string="Priced at cost",
        readonly=True,
        copy=False,
        help="The line is a post-warranty repair billed at cost: its price is what the repair cost, "
        "not the pricelist's.",
    )

    @api.constrains("price_unit", "service_rma_id")
    def _check_covered_repair_free(self):
        for line in self.filtered("service_rma_id"):
            rma = line.sudo().service_rma_id
            if rma.covered and not line.order_id.currency_id.is_zero(line.price_unit):
                raise ValidationError(
                    self.env._(
                        "%(rma)s is covered by the warranty: its repair is free, "
                        "so %(line)s cannot have a price.",
                        rma=rma.name,
                        line=line.name or line.product_id.display_name,
                    )
                )

    def _compute_price_unit(self):
        # The price of an at-cost line is the cost, whatever the pricelist says.
        return super(
            SaleOrderLine, self.filtered(lambda line: not line.service_cost_kind)
        )._compute_price_unit()

    def _compute_discount(self):
        at_cost = self.filtered("service_cost_kind")
        at_cost.discount = 0.0
        return super(SaleOrderLine, self - at_cost)._compute_discount()

    def _prepare_invoice_line(self, **optional_values):
        vals = super()._prepare_invoice_line(**optional_values)
        if self.service_rma_id:
            vals["service_rma_id"] = self.service_rma_id.id
        return vals
