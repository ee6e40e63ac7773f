from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    warranty_ids = fields.One2many("service.warranty", "sale_line_id", string="Certificates")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    warranty_count = fields.Integer(compute="_compute_warranty_count", string="Certificate count")

    def _compute_warranty_count(self):
        counts = dict(
            self.env["service.warranty"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.warranty_count = counts.get(order, 0)

    def action_view_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_warranty.service_warranty_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        warranties = self.env["service.warranty"].search(action["domain"])
        if len(warranties) == 1:
            action.update(views=[(False, "form")], res_id=warranties.id)
        return action
