from markupsafe import Markup
from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.addons.service_warranty.models.service_warranty import LIVE_STATES
from odoo.exceptions import ConcurrencyError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL
from psycopg2.errors import UniqueViolation

from .service_advisory_notice import owner_companies_checked

MANAGER_GROUP = "service_maintenance.group_maintenance_manager"
# An advisory in force: the device pages of its units show it, and its
# owners may be notified. The device page's search and the buttons read it.
PUBLISHED_STATES = ("published",)
# Written only by the advisory's actions.
DECIDED_FIELDS = ("name", "state", "date_published", "date_closed", "notified_count")
SCOPES = [
    ("product", "Every unit of the product"),
    ("range", "A range of serial numbers"),
    ("list", "A list of serial numbers"),
]


class ServiceAdvisory(models.Model):
    """A defect found in a product, or a notice about it, told to the current
    owners of the affected units (提前通知服务).

    Who is told: the customers of the live certificates (``LIVE_STATES``) of
    the affected units, each once per advisory, in their own language, with
    the list of their units. "Once" is a promise PostgreSQL keeps: each owner's
    notice is a row under a unique index on (advisory, owner), so two users
    notifying at the same moment, in two workers, cannot both tell the same
    owner; the loser's transaction is replayed and finds the owner told."""

    _name = "service.advisory"
    _description = "Advisory to Owners"
    _inherit = ["mail.thread", "mail.activity.mixin", "service.decided.mixin"]
    _order = "date_published desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "title"]

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    title = fields.Char(required=True, translate=True, tracking=True)
    kind = fields.Selection(
        [("defect", "Defect"), ("notice", "Notice")], default="defect", required=True, tracking=True,
    )
    description = fields.Html(
        string="What owners are told", translate=True, sanitize_style=True,
        help="The text of the e-mail to the owners and of the notice on the units' public device pages: "
        "what was found, what it means and what to do. No customer data belongs here.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    product_id = fields.Many2one(
        "product.product", required=True, index=True, check_company=True, tracking=True,
        domain="[('tracking', '=', 'serial')]",
    )
    scope = fields.Selection(SCOPES, string="Units affected", default="product", required=True, tracking=True)
    serial_from = fields.Char(
        string="From serial", tracking=True,
        help="First serial number affected, included; compared as the serial numbers sort in the database.",
    )
    serial_to = fields.Char(string="To serial", tracking=True, help="Last serial number affected, included.")
    lot_ids = fields.Many2many(
        "stock.lot", "service_advisory_lot_rel", "advisory_id", "lot_id", string="Serial numbers",
        check_company=True, domain="[('product_id', '=', product_id)]",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("closed", "Closed")],
        default="draft", required=True, copy=False, tracking=True, index=True,
    )
    date_published = fields.Datetime(string="Published on", readonly=True, copy=False)
    date_closed = fields.Datetime(string="Closed on", readonly=True, copy=False)
    notice_ids = fields.One2many("service.advisory.notice", "advisory_id", string="Notices")
    notified_count = fields.Integer(
        string="Owners notified", readonly=True, copy=False,
        help="Written by each run of 'Notify owners': a concurrent run then conflicts on the advisory "
        "as well as on the owners' notices.",
    )
    acknowledged_count = fields.Integer(compute="_compute_notice_counts", string="Acknowledged")
    unit_count = fields.Integer(compute="_compute_unit_count", string="Units owned")
    can_publish = fields.Boolean(compute="_compute_can", string="Can publish")
    can_notify = fields.Boolean(compute="_compute_can", string="Can notify the owners")
    can_close = fields.Boolean(compute="_compute_can", string="Can close")

    _name_company_unique = models.Constraint(
        "UNIQUE (name, company_id)", "An advisory reference must be unique per company."
    )

    def _compute_notice_counts(self):
        counts = dict(self.env["service.advisory.notice"]._read_group(
            [("advisory_id", "in", self.ids), ("date_acknowledged", "!=", False)],
            ["advisory_id"], ["__count"],
        ))
        for advisory in self:
            advisory.acknowledged_count = counts.get(advisory, 0)

    @api.depends("product_id", "scope", "serial_from", "serial_to", "lot_ids")
    def _compute_unit_count(self):
        for advisory in self:
            advisory.unit_count = (
                self.env["service.warranty"].sudo().search_count(advisory._owned_units_domain())
                if advisory.product_id else 0
            )

    @api.depends_context("uid")
    @api.depends("state")
    def _compute_can(self):
        """The advisory's state machine, read by the buttons and the actions."""
        manager = self.env.su or self.env.user.has_group(MANAGER_GROUP)
        for advisory in self:
            advisory.can_publish = manager and advisory.state == "draft"
            advisory.can_notify = manager and advisory.state in ("draft", *PUBLISHED_STATES)
            advisory.can_close = manager and advisory.state in PUBLISHED_STATES

    @api.constrains("scope", "serial_from", "serial_to", "lot_ids", "product_id")
    def _check_scope(self):
        for advisory in self:
            if advisory.scope == "range":
                if not (advisory.serial_from or advisory.serial_to):
                    raise ValidationError(self.env._(
                        "%(advisory)s covers a range of serial numbers: give its first or last serial number "
                        "(or both).", advisory=advisory.display_name,
                    ))
                if advisory.serial_from and advisory.serial_to and not advisory._serials_in_order():
                    raise ValidationError(self.env._(
                        "The range of %(advisory)s starts at %(first)s, after its end %(last)s: swap them.",
                        advisory=advisory.display_name, first=advisory.serial_from, last=advisory.serial_to,
                    ))
            if advisory.scope == "list":
                if not advisory.lot_ids:
                    raise ValidationError(self.env._(
                        "%(advisory)s covers a list of serial numbers: add them.",
                        advisory=advisory.display_name,
                    ))
                others = advisory.lot_ids.filtered(lambda lot, a=advisory: lot.product_id != a.product_id)
                if others:
                    raise ValidationError(self.env._(
                        "%(serials)s are not units of %(product)s: an advisory concerns one product.",
                        serials=", ".join(others.mapped("name")), product=advisory.product_id.display_name,
                    ))

    def _serials_in_order(self):
        # "In order" as the database sorts serial numbers, the same collation
        # the range's search compares with: not Python's.
        self.env.cr.execute(SQL("SELECT %s::varchar <= %s::varchar", self.serial_from, self.serial_to))
        return self.env.cr.fetchone()[0]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                sequence = self.env["ir.sequence"].with_company(company)
                vals["name"] = sequence.next_by_code("service.advisory") or "/"
        return super().create(vals_list)

    def _decided_fields(self):
        how = self.env._("Use the advisory's buttons (publish, notify the owners, close).")
        return dict.fromkeys(DECIDED_FIELDS, how)

    def _decided_create_fields(self):
        allowed = {name: None for name in DECIDED_FIELDS if name != "name"}
        allowed["state"] = ("draft",)
        return allowed

    def write(self, vals):
        targeting = {"product_id", "scope", "serial_from", "serial_to", "lot_ids", "company_id"}
        if targeting & set(vals) and any(advisory.notice_ids for advisory in self):
            raise UserError(self.env._(
                "Owners were already notified of %(advisories)s: its units can no longer change. "
                "Close it and publish a new advisory for other units.",
                advisories=", ".join(self.filtered("notice_ids").mapped("name")),
            ))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_notified(self):
        if any(advisory.notice_ids for advisory in self):
            raise UserError(self.env._("An advisory whose owners were notified cannot be deleted: close it."))

    # -- actions ------------------------------------------------------------------


    def action_publish(self):
        """In force: the device pages of the affected units show it."""
        self._check_can("publish", self.env._("Publishing"))
        self._publish()

    def _publish(self):
        with deciding():
            self.filtered(lambda advisory: advisory.state == "draft").write(
                {"state": "published", "date_published": fields.Datetime.now()}
            )

    def action_close(self):
        """No longer in force: the device pages stop showing it."""
        self._check_can("close", self.env._("Closing"))
        with deciding():
            self.write({"state": "closed", "date_closed": fields.Datetime.now()})

    def action_notify_owners(self):
        """Publish if needed and tell every owner not told yet: one e-mail each
        through the mail queue. Running it again tells only the owners that
        came since (new certificates of affected units)."""
        self._check_can("notify", self.env._("Notifying the owners"))
        told = self.env["service.advisory.notice"]
        for advisory in self:
            told |= advisory._notify_owners()
        return told

    def action_view_notices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_maintenance.service_advisory_notice_action"
        )
        action["domain"] = [("advisory_id", "=", self.id)]
        action["context"] = {}
        return action

    # -- targeting ------------------------------------------------------------------

    def _affected_lot_domain(self):
        """The units the advisory concerns, as a domain on ``stock.lot``."""
        self.ensure_one()
        domain = Domain("product_id", "=", self.product_id.id)
        if self.scope == "range":
            if self.serial_from:
                domain &= Domain("name", ">=", self.serial_from)
            if self.serial_to:
                domain &= Domain("name", "<=", self.serial_to)
        elif self.scope == "list":
            domain &= Domain("id", "in", self.lot_ids.ids)
        return domain

    def _owned_units_domain(self):
        """The live certificates of the affected units, in the advisory's company."""
        self.ensure_one()
        return Domain.AND([
            [("company_id", "=", self.company_id.id), ("state", "in", LIVE_STATES)],
            [("lot_id", "any", self._affected_lot_domain())],
        ])

    def _get_owner_units(self):
        """``{owner partner id: [lot ids]}`` of the affected units' current
        owners, in one grouped query whatever their number."""
        self.ensure_one()
        groups = self.env["service.warranty"].sudo()._read_group(
            self._owned_units_domain(), ["partner_id"], ["lot_id:array_agg"]
        )
        return {partner.id: sorted(lot_ids) for partner, lot_ids in groups}

    def _affects_lot(self, lot):
        """Whether ``lot`` is one of the advisory's units (one indexed query)."""
        self.ensure_one()
        return bool(self.env["stock.lot"].sudo().search_count(
            Domain("id", "=", lot.id) & self._affected_lot_domain(), limit=1
        ))

    # -- notification -----------------------------------------------------------------

    def _notify_owners(self):
        """Claim a notice for each owner not told yet, then queue their
        e-mails; the new notices.

        The claim is the unique index on (advisory, owner). A concurrent run
        that committed first makes this one's insert fail: it is turned into
        a ``ConcurrencyError``, on which Odoo replays the whole call (RPC,
        HTTP, cron), and the replay sees the owners already told. The
        advisory's own row is written too (``notified_count``), so two runs
        also conflict on it, whichever reaches the notices first."""
        self.ensure_one()
        self._publish()
        owners = self._get_owner_units()
        Notice = self.env["service.advisory.notice"]
        told = set(Notice.sudo().search([("advisory_id", "=", self.id)]).partner_id.ids)
        new = {partner_id: lot_ids for partner_id, lot_ids in owners.items() if partner_id not in told}
        if not new:
            return Notice
        vals_list = [self._prepare_notice_vals(partner_id, lot_ids) for partner_id, lot_ids in new.items()]
        self._check_owner_companies(list(new))
        try:
            with self.env.cr.savepoint(), owner_companies_checked():
                notices = Notice.with_context(
                    tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True,
                ).create(vals_list)
        except UniqueViolation as error:
            raise ConcurrencyError(self.env._(
                "Another user is notifying the owners of %(advisory)s at this moment.", advisory=self.name,
            )) from error
        notices._queue_advisory_mail()
        with deciding():
            self.notified_count = len(told) + len(notices)
        self.message_post(body=self.env._(
            "%(count)s owner(s) notified, %(emailed)s by e-mail through the mail queue.",
            count=len(notices), emailed=len(notices.filtered("emailed")),
        ))
        return notices

    def _check_owner_companies(self, partner_ids):
        """The check the ORM makes of each new notice's owner (a contact of
        another company cannot be told of this company's advisory), for all
        of them in one query: the notices' creation then skips its own."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        allowed = Domain(Partner._check_company_domain(self.company_id))
        foreign = Partner.search(Domain("id", "in", partner_ids) & ~allowed, limit=5)
        if foreign:
            raise UserError(self.env._(
                "%(owners)s belong to another company than %(company)s: they cannot be told of %(advisory)s.",
                owners=", ".join(foreign.mapped("display_name")), company=self.company_id.name,
                advisory=self.name,
            ))

    def _prepare_notice_vals(self, partner_id, lot_ids):
        self.ensure_one()
        return {"advisory_id": self.id, "partner_id": partner_id, "lot_ids": [fields.Command.set(lot_ids)]}

    def _render_mail_frame(self):
        """The e-mail to owners in ``self.env.lang`` around the owner's own
        parts (greeting; units and link), as three pieces: rendered once per
        language for all owners."""
        self.ensure_one()
        greeting, units = Markup("<!--advisory-greeting-->"), Markup("<!--advisory-units-->")
        html = self.env["ir.qweb"]._render("service_maintenance.service_advisory_mail_body", {
            "advisory": self, "greeting": greeting, "owner_block": units,
            "company_name": self.company_id.name,
        })
        top, rest = str(html).split(str(greeting))
        middle, bottom = rest.split(str(units))
        return Markup(top), Markup(middle), Markup(bottom)

    # -- device page ----------------------------------------------------------------------

    @api.model
    def _get_public_advisories(self, lot):
        """What the public device page of ``lot`` may show of the advisories
        in force for it: title, kind, date and the text meant for owners,
        as plain values (no record, hence no owner, reaches the template)."""
        candidates = self.sudo().search([
            ("product_id", "=", lot.product_id.id), ("state", "in", PUBLISHED_STATES),
            ("company_id", "in", (lot.company_id or self.env.company).ids),
        ])
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        return [
            {
                "reference": advisory.name,
                "title": advisory.title,
                "kind": kinds[advisory.kind],
                "date": advisory.date_published,
                "description": advisory.description,
            }
            for advisory in candidates
            if advisory.scope == "product" or advisory._affects_lot(lot)
        ]
