import re
import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import escape_psql
from odoo.tools.misc import format_date

from ..rules import Facts, Terms, coverage, mask_serial, warranty_period
from .service_warranty import LIVE_STATES

# 32 URL-safe characters: 192 random bits, far beyond guessing.
TOKEN_BYTES = 24
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
SERVICE_PATH = "/service/d/"
# A label URL: any host, then /service/d/<token>, maybe a trailing slash or query.
URL_TOKEN_RE = re.compile(r"/service/d/([A-Za-z0-9_-]{32})/?(?:[?#].*)?$")


class StockLot(models.Model):
    _inherit = "stock.lot"

    service_token = fields.Char(
        copy=False,
        readonly=True,
        groups="service_warranty.group_aftersales_user",
        help="Unguessable code printed as a QR label on the unit; it opens the unit's public "
        "service page. Generated once, never reused.",
        string="Service token",
    )
    service_url = fields.Char(
        string="Service page", compute="_compute_service_url",
        groups="service_warranty.group_aftersales_user",
    )
    warranty_ids = fields.One2many("service.warranty", "lot_id", string="Certificates")
    warranty_count = fields.Integer(compute="_compute_warranty_count", string="Certificate count")
    warranty_id = fields.Many2one(
        "service.warranty",
        string="Current certificate",
        compute="_compute_warranty_id",
        store=True,
        index="btree_not_null",
        help="The unit's draft or active certificate, or else its most recent one.",
    )
    warranty_state = fields.Selection(related="warranty_id.state", string="Warranty status")
    warranty_date_end = fields.Date(related="warranty_id.date_end", string="Warranty end")
    service_repair_ids = fields.One2many("repair.order", "lot_id", string="Repair history")

    _service_token_unique = models.UniqueIndex(
        "(service_token) WHERE service_token IS NOT NULL"
    )
    # Odoo indexes serials for "contains" searches only (trigram); a scan looks
    # a serial up exactly, which a plain b-tree answers in a fraction of that.
    _name_exact_index = models.Index("(name)")

    def _compute_service_url(self):
        for lot in self:
            lot.service_url = (
                f"{lot.get_base_url()}{SERVICE_PATH}{lot.service_token}"
                if lot.service_token
                else False
            )

    def _compute_warranty_count(self):
        for lot in self:
            lot.warranty_count = len(lot.warranty_ids)

    @api.depends("warranty_ids.state")
    def _compute_warranty_id(self):
        for lot in self:
            warranties = lot.warranty_ids
            live = warranties.filtered(lambda w: w.state in LIVE_STATES)
            lot.warranty_id = live[:1] or warranties.sorted("id", reverse=True)[:1]

    def action_view_warranties(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_warranty.service_warranty_action"
        )
        action["domain"] = [("lot_id", "in", self.ids)]
        action["context"] = {"default_lot_id": self[:1].id}
        if len(self.warranty_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.warranty_ids.id)
        return action

    def action_issue_warranty(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Issue warranty"),
            "res_model": "service.warranty.issue",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_ids": self.ids},
        }

    def action_print_service_labels(self):
        self._ensure_service_token()
        return self.env.ref("service_warranty.action_report_service_label").report_action(self)

    def _ensure_service_token(self):
        """Give every lot in ``self`` a service token if it has none. The ORM
        flushes them as one batched UPDATE; a token is never replaced."""
        for lot in self.sudo().filtered(lambda lot: not lot.service_token):
            lot.service_token = secrets.token_urlsafe(TOKEN_BYTES)
        return self

    def _rotate_service_token(self):
        """A new token for each unit (its owner changed): the old label no
        longer opens the unit's page, as the token is never reused."""
        for lot in self.sudo():
            lot.service_token = secrets.token_urlsafe(TOKEN_BYTES)
        return self

    @api.model
    def _search_service_token(self, token):
        """The lot a label token belongs to, or an empty recordset. Malformed
        tokens are refused before any query."""
        if not token or not TOKEN_RE.match(token):
            return self.browse()
        return self.sudo().search([("service_token", "=", token)], limit=1)

    @api.model
    def _find_by_service_code(self, code):
        """The unit a scanned code designates: a label URL, a bare token or a
        serial number (any case, stray whitespace). Empty when unknown or
        ambiguous. Each form is one indexed look-up."""
        code = (code or "").strip()
        exact = self._service_code_exact(code)
        if exact is None:
            return self.browse()
        column, value = exact
        if column == "service_token":
            lot = self._search_service_token(value)
            # A label URL names a token only; a bare token may be a serial.
            if lot or value != code:
                return lot
        # Exact first (what a scanner types), then case-insensitive (a person).
        lots = self.search([("name", "=", code)], limit=2) or self.search(
            [("name", "=ilike", escape_psql(code))], limit=2
        )
        lots = lots.filtered(lambda lot: lot.product_id.tracking == "serial")
        return lots if len(lots) == 1 else self.browse()

    @api.model
    def _service_code_exact(self, code):
        """The one exact, indexed look-up a scanned code stands for first, as
        ``(column, value)``: its token (label URL or bare token) or its serial
        as typed. ``None`` when the code cannot designate a unit. Callers that
        find nothing with it go through ``_find_by_service_code`` for the full
        rules (token then serial, case-insensitive serial, ambiguity)."""
        code = (code or "").strip()
        if not code:
            return None
        match = URL_TOKEN_RE.search(code)
        if match:
            return "service_token", match.group(1)
        if TOKEN_RE.match(code):
            return "service_token", code
        return "name", code

    @api.model
    def get_service_status(self, code, on_date=None):
        """Everything staff need about a scanned unit, in one call: product,
        serial, customer, certificate and its dates, today's verdict, and the
        repair history. ``False`` when the code designates no unit."""
        lot = self._find_by_service_code(code)
        if not lot:
            return False
        lot.check_access("read")
        warranty = lot.warranty_id
        verdict = lot.get_service_coverage(on_date)
        return {
            "lot_id": lot.id,
            "serial": lot.name,
            "product": lot.product_id.display_name,
            "product_code": lot.product_id.default_code or False,
            "service_url": lot.sudo().service_url or False,
            "customer": warranty.partner_id.display_name or False,
            "certificate": warranty and {
                "id": warranty.id,
                "name": warranty.name,
                "state": warranty.state,
                "policy": warranty.policy_id.display_name,
                "date_sale": warranty.date_sale or False,
                "date_delivery": warranty.date_delivery or False,
                "date_install": warranty.date_install or False,
                "date_start": warranty.date_start or False,
                "date_end": warranty.date_end or False,
                "refund_until": warranty.refund_until or False,
                "exchange_until": warranty.exchange_until or False,
                "invoice_ref": warranty.invoice_ref or False,
            },
            "verdict": verdict,
            "repairs": [
                {
                    "name": repair.name,
                    "date": repair.schedule_date.date(),
                    "state": repair.state,
                    "under_warranty": repair.under_warranty,
                    "technician": repair.user_id.display_name or False,
                }
                for repair in lot.service_repair_ids.sorted("schedule_date")
            ],
        }

    @api.model
    def get_service_labels(self, serials=None, picking=None, sale_order=None):
        """Label data for the units named by serial numbers, a transfer
        reference or a sale order reference, in one call: missing tokens are
        created. Returns ``{"labels": [{serial, product, product_code, url}],
        "unknown": [serials not found]}``."""
        lots = self.browse()
        unknown = []
        if serials:
            wanted = [s.strip() for s in serials if s and s.strip()]
            found = self.search([("name", "in", wanted)])
            lots |= found
            names = set(found.mapped("name"))
            unknown = [s for s in wanted if s not in names]
        if picking:
            pickings = self.env["stock.picking"].search([("name", "=", picking)])
            if not pickings:
                raise UserError(self.env._("No transfer named %(name)s.", name=picking))
            lots |= pickings.move_line_ids.lot_id
        if sale_order:
            orders = self.env["sale.order"].search([("name", "=", sale_order)])
            if not orders:
                raise UserError(self.env._("No sale order named %(name)s.", name=sale_order))
            lots |= orders.picking_ids.move_line_ids.lot_id
        lots = lots.filtered(lambda lot: lot.product_id.tracking == "serial")
        lots.check_access("read")
        lots._ensure_service_token()
        lots = lots.sudo()
        return {
            "labels": [
                {
                    "serial": lot.name,
                    "product": lot.product_id.name,
                    "product_code": lot.product_id.default_code or False,
                    "url": lot.service_url,
                }
                for lot in lots.sorted("name")
            ],
            "unknown": unknown,
        }

    def _get_public_service_values(self):
        """What the public device page may show: the unit, its warranty status
        and its service history as plain values (dates and outcomes only).
        Deliberately no record is handed to the template, so no customer,
        price or invoice can leak through it."""
        self.ensure_one()
        lot = self.sudo()
        warranty = lot.warranty_id
        state_labels = dict(
            warranty._fields["state"]._description_selection(self.env)
        )
        repair_labels = dict(
            self.env["repair.order"]._fields["state"]._description_selection(self.env)
        )
        today = fields.Date.context_today(self)
        history = [
            {"date": repair.schedule_date.date(), "outcome": repair_labels[repair.state],
             "under_warranty": repair.under_warranty}
            for repair in lot.service_repair_ids.sorted("schedule_date", reverse=True)
            if repair.state != "cancel"
        ]
        return {
            "product_name": lot.product_id.name,
            "product_code": lot.product_id.default_code or "",
            "masked_serial": mask_serial(lot.name),
            "warranty_state": warranty.state or False,
            "warranty_state_label": state_labels.get(warranty.state, ""),
            "warranty_date_end": warranty.date_end or False,
            "warranty_covered": bool(
                warranty and warranty.state == "active" and warranty.date_end
                and warranty.date_end >= today
            ),
            "history": history,
            "company_name": lot.company_id.name or self.env.company.name,
        }

    def get_service_coverage(self, on_date=None, exclusion_codes=None):
        """What the warranty grants for this serial on ``on_date`` (default
        today) given the exclusions the repair shop found.

        Returns a dict: ``covered`` (bool), ``remedy`` (refund, exchange,
        repair, repair_at_cost, repair_paid, none), ``reason`` (a code) and
        its ``reason_params``, ``reason_text`` (in the user's language), ``warranty_id`` and
        ``date_end`` of the certificate it is based on, and the ``exclusions``
        that voided it.
        """
        self.ensure_one()
        on_date = fields.Date.to_date(on_date) or fields.Date.context_today(self)
        codes = tuple(exclusion_codes or ())
        unknown = codes and set(codes) - set(
            self.env["service.warranty.exclusion"].with_context(active_test=False)
            .search([("code", "in", codes)]).mapped("code")
        )
        if unknown:
            raise UserError(
                self.env._(
                    "Unknown exclusion code(s): %(codes)s. Known codes are listed in "
                    "After-sales > Configuration > Exclusions.",
                    codes=", ".join(sorted(unknown)),
                )
            )
        warranty = self.warranty_id
        if warranty:
            verdict = warranty._verdict(on_date, codes)
        else:
            policy = self.product_id._get_warranty_policy().get(self.product_id)
            terms = policy._get_terms() if policy else Terms(post_warranty_mode="none")
            verdict = coverage(terms, warranty_period(terms, Facts()), on_date, state="missing")
        return {
            "covered": verdict.covered,
            "remedy": verdict.remedy,
            "reason": verdict.reason,
            "reason_params": (params := self._verdict_params(verdict, warranty)),
            "reason_text": self._render_verdict_reason(verdict.reason, params),
            "warranty_id": warranty.id or False,
            "date_end": warranty.date_end or False,
            "exclusions": list(verdict.exclusions),
        }

    def _verdict_params(self, verdict, warranty):
        """What the verdict's reason says, as JSON-safe values (dates in ISO
        form): stored beside the reason's code, rendered in the reader's
        language when shown (``_render_verdict_reason``)."""
        dates = {
            "expired": warranty.date_end,
            "in_warranty": warranty.date_end,
            "refund_window": warranty.refund_until,
            "exchange_window": warranty.exchange_until,
        }
        if verdict.reason == "no_certificate":
            return {"serial": self.name}
        if verdict.reason == "excluded":
            return {"exclusions": list(verdict.exclusions)}
        if verdict.reason in dates:
            return {"date": fields.Date.to_string(dates[verdict.reason]) if dates[verdict.reason] else False}
        return {"name": warranty.name or ""}

    @api.model
    def _render_verdict_reason(self, code, params):
        """The reason ``code`` with its ``params`` in the reader's language
        (``self.env.lang``), dates in that language's format. Unknown codes
        render as nothing rather than fail: a verdict stored by a later
        version stays readable."""
        params = params or {}

        def day():
            return format_date(self.env, fields.Date.to_date(params.get("date"))) or "-"

        def excluded():
            exclusions = self.env["service.warranty.exclusion"].with_context(active_test=False).search(
                [("code", "in", list(params.get("exclusions") or ()))]
            )
            return self.env._("Not covered: %(exclusions)s.", exclusions=", ".join(exclusions.mapped("name")))

        name = params.get("name", "")
        texts = {
            "no_certificate": lambda: self.env._("No warranty certificate exists for serial %(serial)s.",
                                        serial=params.get("serial", "")),
            "void": lambda: self.env._("Certificate %(name)s is void.", name=name),
            "replaced": lambda: self.env._("Certificate %(name)s was replaced by another unit.", name=name),
            "draft": lambda: self.env._("Certificate %(name)s is still a draft.", name=name),
            "excluded": excluded,
            "not_started": lambda: self.env._("The warranty of %(name)s has no start date yet.", name=name),
            "expired": lambda: self.env._("The warranty ended on %(date)s.", date=day()),
            "refund_window": lambda: self.env._("Within the refund window (until %(date)s).", date=day()),
            "exchange_window": lambda: self.env._("Within the exchange window (until %(date)s).", date=day()),
            "in_warranty": lambda: self.env._("Under warranty until %(date)s.", date=day()),
        }
        text = texts.get(code)
        return text() if text else ""
