import re

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..models.service_request import OPEN_STATES, SEVERITIES, SUPPORT_MODES

DIGITS_RE = re.compile(r"\D")


class ServiceRequestHotline(models.TransientModel):
    """The hotline's quick entry: type (or scan) what the caller gives — a
    phone number, an e-mail address, a name, the unit's label or serial — and
    the customer and unit are found; then severity, mode, a line about the
    fault, and Enter."""

    _name = "service.request.hotline"
    _description = "Hotline: new service request"

    lookup = fields.Char(
        string="Caller or unit",
        help="Phone number, e-mail address or name of the customer, or scan the unit's QR label "
        "(or type its serial number).",
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Unit", compute="_compute_from_lookup", store=True, readonly=False,
        domain="[('product_id.tracking', '=', 'serial')]",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", compute="_compute_from_lookup", store=True, readonly=False,
    )
    candidate_ids = fields.Many2many(
        "res.partner", compute="_compute_candidate_ids", string="Matching customers",
    )
    warranty_id = fields.Many2one("service.warranty", related="lot_id.warranty_id", string="Certificate")
    warranty_state = fields.Selection(related="lot_id.warranty_id.state", string="Warranty status")
    open_request_id = fields.Many2one(
        "service.request", compute="_compute_open_request_id", string="Open request for this unit",
    )
    severity = fields.Selection(SEVERITIES, default="normal", required=True)
    support_mode = fields.Selection(SUPPORT_MODES, default="phone", required=True)
    title = fields.Char(string="Subject")
    description = fields.Text(string="Fault reported")
    contact_name = fields.Char(string="Contact")
    contact_phone = fields.Char(string="Contact phone")
    team_id = fields.Many2one("service.team")

    @api.depends("lookup")
    def _compute_candidate_ids(self):
        for wizard in self:
            wizard.candidate_ids = wizard._resolve_lookup(wizard.lookup)[1][:20]

    @api.depends("lookup")
    def _compute_from_lookup(self):
        for wizard in self:
            lot, partners = wizard._resolve_lookup(wizard.lookup)
            if lot:
                wizard.lot_id = lot
                owner = lot.sudo().warranty_id.partner_id
                wizard.partner_id = owner or wizard.partner_id
            elif len(partners.commercial_partner_id) == 1:
                # A company and its contacts match a name alike: the customer is the company.
                wizard.partner_id = partners.commercial_partner_id
            if wizard.lookup and not wizard.contact_phone and wizard._looks_like_phone(wizard.lookup):
                wizard.contact_phone = wizard.lookup.strip()

    @api.depends("lot_id")
    def _compute_open_request_id(self):
        Request = self.env["service.request"]
        for wizard in self:
            wizard.open_request_id = Request.search(
                [("lot_id", "=", wizard.lot_id.id), ("state", "in", OPEN_STATES)], limit=1,
            ) if wizard.lot_id else Request

    @api.model
    def _looks_like_phone(self, text):
        digits = DIGITS_RE.sub("", text or "")
        return len(digits) >= 5 and len(digits) >= len((text or "").strip()) // 2

    @api.model
    def _resolve_lookup(self, text):
        """``(lot, partners)`` the typed or scanned text designates: a unit by
        the RMA scan's rules (label URL, token or serial), else customers by
        e-mail, phone or name."""
        text = (text or "").strip()
        Partner = self.env["res.partner"]
        if not text:
            return self.env["stock.lot"], Partner
        lot = self.env["stock.lot"]._find_by_service_code(text)
        if lot:
            return lot, Partner
        if "@" in text:
            domain = Domain("email", "=ilike", text)
        elif self._looks_like_phone(text):
            # A number is written in many ways (+86 138 0013 8000, 13800138000):
            # compare the last eight digits of the numbers on file.
            digits = DIGITS_RE.sub("", text)[-8:]
            rows = self.env.execute_query(SQL(
                "SELECT id FROM res_partner WHERE regexp_replace(phone, '[^0-9]', '', 'g') LIKE %s",
                f"%{digits}",
            ))
            domain = Domain("id", "in", [row[0] for row in rows])
        else:
            domain = Domain("complete_name", "ilike", text)
        return lot, Partner.search(domain & Domain("active", "=", True), limit=21)

    def action_create_request(self):
        self.ensure_one()
        if not self.partner_id and not self.lot_id:
            raise UserError(self.env._("Find the customer or the unit first: type a phone, an e-mail, a name "
                                       "or scan the unit's label."))
        if not (self.title or self.description):
            raise UserError(self.env._("Say in a few words what the fault is."))
        request = self.env["service.request"].create(self._prepare_request_vals())
        return request.get_formview_action()

    def _prepare_request_vals(self):
        self.ensure_one()
        description = (self.description or "").strip()
        return {
            "title": self.title or description.splitlines()[0][:80],
            "description": description or False,
            "partner_id": self.partner_id.id or False,
            "lot_id": self.lot_id.id or False,
            "severity": self.severity,
            "support_mode": self.support_mode,
            "contact_name": self.contact_name or False,
            "contact_phone": self.contact_phone or False,
            "team_id": self.team_id.id or False,
            "channel": "hotline",
            "company_id": (self.lot_id.company_id or self.env.company).id,
        }
