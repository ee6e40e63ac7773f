from odoo import fields, models
from odoo.exceptions import UserError

from ..decisions import deciding
from ..models.service_warranty import LIVE_STATES


class ServiceWarrantyIssue(models.TransientModel):
    _name = "service.warranty.issue"
    _description = "Issue Warranty Certificates"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Serial numbers",
        required=True,
        check_company=True,
        domain="[('product_id.tracking', '=', 'serial')]",
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, check_company=True)
    policy_id = fields.Many2one(
        "service.warranty.policy",
        check_company=True,
        help="Empty: each unit gets the policy of its product (or product category).",
    )
    date_sale = fields.Date(string="Sale date", required=True, default=fields.Date.context_today)
    date_delivery = fields.Date(string="Delivery date", default=fields.Date.context_today)
    date_install = fields.Date(string="Installation date")
    invoice_ref = fields.Char(string="Invoice number")

    def _prepare_warranty_vals(self, lot, policy):
        return {
            "lot_id": lot.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "policy_id": policy.id,
            "date_sale": self.date_sale,
            "date_delivery": self.date_delivery,
            "date_install": self.date_install,
            "invoice_ref": self.invoice_ref,
            "origin": "manual",
            "state": "active",
        }

    def action_issue(self):
        self.ensure_one()
        live = self.env["service.warranty"].search(
            [("lot_id", "in", self.lot_ids.ids), ("state", "in", LIVE_STATES)]
        )
        if live:
            raise UserError(
                self.env._(
                    "These serials already have a live certificate: %(list)s. "
                    "Void it first if the unit changed hands.",
                    list=", ".join(live.mapped("display_name")),
                )
            )
        policies = self.lot_ids.product_id._get_warranty_policy()
        missing = self.lot_ids.filtered(lambda lot: not (self.policy_id or policies.get(lot.product_id)))
        if missing:
            raise UserError(
                self.env._(
                    "No warranty policy for %(products)s: choose a policy here or set one on the "
                    "product or its category.",
                    products=", ".join(missing.product_id.mapped("display_name")),
                )
            )
        Warranty = self.env["service.warranty"]
        Warranty.check_access("create")
        # Issuing is the decision this dialog stands for: the certificates are
        # born active, with the dates checked by the model's constraints.
        with deciding():
            warranties = Warranty.create(
                [
                    self._prepare_warranty_vals(lot, self.policy_id or policies[lot.product_id])
                    for lot in self.lot_ids
                ]
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_warranty.service_warranty_action"
        )
        if len(warranties) == 1:
            action.update(views=[(False, "form")], res_id=warranties.id)
        else:
            action["domain"] = [("id", "in", warranties.ids)]
        return action
