from odoo import api, fields, models
from odoo.exceptions import UserError


class ServiceRmaScan(models.TransientModel):
    """The repair shop's scan screen: a scanner types the label's URL (or a
    serial) and Enter; the unit and its verdict show at once; one more key
    opens its RMA."""

    _name = "service.rma.scan"
    _description = "Scan a returned unit"

    code = fields.Char(help="Scan the unit's QR label, or type its serial number.")
    lot_id = fields.Many2one("stock.lot", compute="_compute_preview", string="Unit")
    warranty_id = fields.Many2one("service.warranty", compute="_compute_preview", string="Certificate")
    partner_id = fields.Many2one("res.partner", compute="_compute_preview", string="Customer")
    open_rma_id = fields.Many2one("service.rma", compute="_compute_preview", string="Open RMA")
    verdict = fields.Char(compute="_compute_preview")
    covered = fields.Boolean(compute="_compute_preview")
    not_found = fields.Boolean(compute="_compute_preview", string="Not found")

    @api.depends("code")
    def _compute_preview(self):
        Lot = self.env["stock.lot"]
        for wizard in self:
            lot = Lot._find_by_service_code(wizard.code) if wizard.code else Lot
            coverage = lot.get_service_coverage() if lot else {}
            wizard.lot_id = lot
            wizard.warranty_id = lot.warranty_id
            wizard.partner_id = lot.warranty_id.partner_id
            wizard.open_rma_id = lot.rma_ids.filtered(lambda r: r.state not in ("done", "cancel"))[:1]
            wizard.verdict = coverage.get("reason_text", False)
            wizard.covered = coverage.get("covered", False)
            wizard.not_found = bool(wizard.code) and not lot

    def action_open_rma(self):
        self.ensure_one()
        if not self.code:
            raise UserError(self.env._("Scan a label or type a serial number first."))
        result = self.env["service.rma"].scan(self.code)
        return self.env["service.rma"].browse(result["rma_id"]).get_formview_action()
