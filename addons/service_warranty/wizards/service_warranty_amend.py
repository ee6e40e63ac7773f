from odoo import api, fields, models


class ServiceWarrantyAmend(models.TransientModel):
    """One dialog for the three ways an issued certificate changes: the
    installation date (whoever installs), a correction of its dates or a
    transfer to a new owner (administrators, with a reason). The dialog only
    collects; the certificate's own methods check and decide."""

    _name = "service.warranty.amend"
    _description = "Change an issued warranty certificate"

    warranty_id = fields.Many2one("service.warranty", string="Certificate", required=True, readonly=True)
    kind = fields.Selection(
        [
            ("installation", "Record installation"),
            ("dates", "Correct dates"),
            ("owner", "Transfer to a new owner"),
        ],
        required=True,
        readonly=True,
    )
    date_install = fields.Date(string="Installation date", compute="_compute_from_warranty", store=True,
                               readonly=False)
    date_sale = fields.Date(string="Sale date", compute="_compute_from_warranty", store=True, readonly=False)
    date_delivery = fields.Date(string="Delivery date", compute="_compute_from_warranty", store=True,
                                readonly=False)
    date_invoice = fields.Date(string="Invoice date", compute="_compute_from_warranty", store=True,
                               readonly=False)
    partner_id = fields.Many2one("res.partner", string="New owner")
    rotate_token = fields.Boolean(
        string="New service token",
        default=True,
        help="The unit's QR label gets a new code: the previous owner's label stops opening the "
        "unit's page. Print a new label for the new owner.",
    )
    reason = fields.Text()

    @api.depends("warranty_id")
    def _compute_from_warranty(self):
        for wizard in self:
            warranty = wizard.warranty_id
            wizard.date_install = warranty.date_install
            wizard.date_sale = warranty.date_sale
            wizard.date_delivery = warranty.date_delivery
            wizard.date_invoice = warranty.date_invoice

    def action_apply(self):
        self.ensure_one()
        warranty = self.warranty_id
        if self.kind == "installation":
            warranty.record_installation(self.date_install)
        elif self.kind == "dates":
            names = ("date_sale", "date_delivery", "date_install", "date_invoice")
            warranty.correct_dates(
                {name: self[name] for name in names if self[name] != warranty[name]}, self.reason
            )
        else:
            warranty.transfer_owner(self.partner_id, self.reason, rotate_token=self.rotate_token)
        return {"type": "ir.actions.act_window_close"}
