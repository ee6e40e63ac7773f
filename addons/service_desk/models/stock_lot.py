from odoo import fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    service_request_ids = fields.One2many("service.request", "lot_id", string="Service requests")
    service_request_count = fields.Integer(
        compute="_compute_service_request_count", string="Service request count"
    )

    def _compute_service_request_count(self):
        counts = dict(self.env["service.request"]._read_group(
            [("lot_id", "in", self.ids)], ["lot_id"], ["__count"]
        ))
        for lot in self:
            lot.service_request_count = counts.get(lot, 0)

    def action_view_service_requests(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("service_desk.service_request_action")
        action["domain"] = [("lot_id", "in", self.ids)]
        action["context"] = {"default_lot_id": self.id} if len(self) == 1 else {}
        return action

    def _get_public_service_values(self):
        values = super()._get_public_service_values()
        # The form posts back to the page's own token, which the visitor holds.
        values.update({
            "report_url": f"/service/d/{self.sudo().service_token}/report",
            "report_errors": [],
            "report_form": {},
        })
        return values
