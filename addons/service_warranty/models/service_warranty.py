from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..decisions import deciding, is_deciding, states_sql
from ..rules import Facts, Period, coverage, warranty_period

# A serial has at most one live certificate: the unique index below and every
# search for "the unit's certificate" read this one constant.
LIVE_STATES = ("draft", "active")
MANAGER_GROUP = "service_warranty.group_aftersales_manager"
USER_GROUP = "service_warranty.group_aftersales_user"
# What a certificate says once issued: it changes only through its actions.
ISSUED_FIELDS = (
    "lot_id", "partner_id", "policy_id", "company_id", "sale_line_id", "picking_id",
    "date_sale", "date_delivery", "date_invoice", "date_install", "invoice_ref", "extension_ids",
)
# What the actions alone write, at any state.
STATE_FIELDS = ("state", "origin", "void_reason", "replaced_by_id", "reminder_done")
DATE_FIELDS = ("date_sale", "date_delivery", "date_install")
# What the warranty's end depends on, on the certificate itself.
PERIOD_FIELDS = frozenset((*DATE_FIELDS, "date_invoice", "policy_id", "extension_ids"))


class ServiceWarranty(models.Model):
    _name = "service.warranty"
    _description = "Warranty Certificate"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "service.decided.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Certificate", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("void", "Void"),
            ("replaced", "Replaced"),
        ],
        default="draft",
        required=True,
        copy=False,
        tracking=True,
        index=True,
    )
    origin = fields.Selection(
        [("delivery", "Delivery"), ("manual", "Issued by hand"), ("import", "Import")],
        default="manual",
        required=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial number",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('product_id.tracking', '=', 'serial')]",
    )
    product_id = fields.Many2one(
        "product.product", related="lot_id.product_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True, tracking=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    policy_id = fields.Many2one(
        "service.warranty.policy", required=True, check_company=True, tracking=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        check_company=True,
        help="Gets the reminder before the warranty ends.",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Sale order line", index="btree_not_null", check_company=True
    )
    sale_order_id = fields.Many2one(
        related="sale_line_id.order_id",
        store=True,
        index="btree_not_null",
        string="Sale order",
    )
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", index="btree_not_null", check_company=True
    )
    invoice_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_invoice_ids"
    )
    invoice_ref = fields.Char(
        string="Invoice number",
        compute="_compute_invoice_ref",
        store=True,
        readonly=False,
        help="The invoice number; taken from Odoo's invoice when the sale is invoiced here, "
        "typed in for units sold outside Odoo.",
    )
    date_sale = fields.Date(string="Sale date", tracking=True)
    date_delivery = fields.Date(string="Delivery date", tracking=True)
    date_invoice = fields.Date(
        string="Invoice date",
        compute="_compute_invoice_ref",
        store=True,
        readonly=False,
        tracking=True,
    )
    date_install = fields.Date(string="Installation date", tracking=True)
    extension_ids = fields.One2many(
        "service.warranty.extension", "warranty_id", string="Extensions"
    )
    extension_days = fields.Integer(compute="_compute_extension_days", store=True, string="Extension (days)")
    date_start = fields.Date(
        string="Warranty start", compute="_compute_period", store=True, index=True
    )
    date_end = fields.Date(
        string="Warranty end", compute="_compute_period", store=True, index=True
    )
    refund_until = fields.Date(compute="_compute_period", store=True, string="Refund until")
    exchange_until = fields.Date(compute="_compute_period", store=True, string="Exchange until")
    reminder_date = fields.Date(
        compute="_compute_period",
        store=True,
        index="btree_not_null",
        groups=USER_GROUP,
        help="When the reminder activity before the end is due to be scheduled.",
        string="Reminder on",
    )
    reminder_done = fields.Boolean(copy=False, readonly=True, groups=USER_GROUP, string="Reminder sent")
    void_reason = fields.Text(readonly=True, copy=False, string="Void reason")
    replaced_by_id = fields.Many2one(
        "service.warranty", string="Replaced by", readonly=True, copy=False, check_company=True
    )
    repair_ids = fields.One2many(
        related="lot_id.service_repair_ids", string="Repair history"
    )
    repair_count = fields.Integer(compute="_compute_repair_count", string="Repairs")
    notes = fields.Html(string="Internal notes", groups=USER_GROUP)
    can_activate = fields.Boolean(compute="_compute_can", string="Can activate")
    can_record_installation = fields.Boolean(compute="_compute_can", string="Can record the installation")
    can_amend = fields.Boolean(compute="_compute_can", string="Can correct or transfer")
    can_void = fields.Boolean(compute="_compute_can", string="Can void")

    _name_company_unique = models.Constraint(
        "UNIQUE (name, company_id)", "A certificate number must be unique per company."
    )
    # One live certificate per serial, settled by PostgreSQL whatever the
    # number of workers issuing at the same time.
    _lot_live_unique = models.UniqueIndex(
        f"(lot_id) WHERE state IN ({states_sql(LIVE_STATES)})"
    )

    @api.depends("sale_line_id.invoice_lines.move_id.state")
    def _compute_invoice_ids(self):
        for warranty in self:
            warranty.invoice_ids = warranty.sale_line_id.invoice_lines.move_id.filtered(
                lambda move: move.state != "cancel" and move.move_type == "out_invoice"
            )

    @api.depends(
        "sale_line_id.invoice_lines.move_id.state",
        "sale_line_id.invoice_lines.move_id.name",
        "sale_line_id.invoice_lines.move_id.invoice_date",
    )
    def _compute_invoice_ref(self):
        # Units sold outside Odoo keep the number and date typed in: only a
        # posted invoice of the sale line overrides them.
        for warranty in self:
            invoices = warranty.sale_line_id.invoice_lines.move_id.filtered(
                lambda move: move.state == "posted" and move.move_type == "out_invoice"
            ).sorted("invoice_date")
            if invoices:
                warranty.invoice_ref = ", ".join(invoices.mapped("name"))
                warranty.date_invoice = invoices[0].invoice_date

    @api.depends("extension_ids.days")
    def _compute_extension_days(self):
        for warranty in self:
            warranty.extension_days = sum(warranty.extension_ids.mapped("days"))

    @api.depends(
        "policy_id.warranty_months",
        "policy_id.manufacturer_months",
        "policy_id.start_on",
        "policy_id.install_grace_days",
        "policy_id.refund_days",
        "policy_id.exchange_days",
        "policy_id.windows_from",
        "policy_id.reminder_days",
        "date_sale",
        "date_delivery",
        "date_invoice",
        "date_install",
        "extension_days",
    )
    def _compute_period(self):
        for warranty in self:
            period = warranty._get_period()
            warranty.date_start = period.date_start
            warranty.date_end = period.date_end
            warranty.refund_until = period.refund_until
            warranty.exchange_until = period.exchange_until
            reminder_days = warranty.policy_id.reminder_days
            warranty.reminder_date = (
                period.date_end - timedelta(days=reminder_days)
                if period.date_end and reminder_days
                else False
            )

    @api.depends_context("uid")
    @api.depends("state")
    def _compute_can(self):
        """The certificate's state machine, read by the buttons and by the
        actions' own checks."""
        user = self.env.user
        manager = self.env.su or user.has_group(MANAGER_GROUP)
        installer = manager or user.has_group(USER_GROUP)
        for warranty in self:
            warranty.can_activate = warranty.state == "draft" and installer
            warranty.can_record_installation = warranty.state in LIVE_STATES and installer
            warranty.can_amend = warranty.state in ("active", "expired") and manager
            warranty.can_void = warranty.state in (*LIVE_STATES, "expired") and manager

    def _compute_repair_count(self):
        for warranty in self:
            warranty.repair_count = len(warranty.repair_ids)

    def _compute_access_url(self):
        for warranty in self:
            warranty.access_url = f"/my/warranties/{warranty.id}"

    @api.depends("name", "lot_id.name")
    def _compute_display_name(self):
        for warranty in self:
            warranty.display_name = (
                f"{warranty.name} ({warranty.lot_id.name})" if warranty.lot_id else warranty.name
            )

    @api.constrains(*DATE_FIELDS)
    def _check_dates_not_future(self):
        today = fields.Date.context_today(self)
        for warranty in self:
            for name in DATE_FIELDS:
                if warranty[name] and warranty[name] > today:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of %(certificate)s is %(date)s, which is in the future: "
                            "record what has happened, on or before today (%(today)s).",
                            field=self._fields[name]._description_string(self.env),
                            certificate=warranty.name,
                            date=format_date(self.env, warranty[name]),
                            today=format_date(self.env, today),
                        )
                    )

    @api.constrains("lot_id", "product_id")
    def _check_serial_tracked(self):
        for warranty in self:
            if warranty.product_id.tracking != "serial":
                raise UserError(
                    self.env._(
                        "%(lot)s is a lot of %(product)s, which is not tracked by serial number: "
                        "certificates cover single serial-numbered units.",
                        lot=warranty.lot_id.name,
                        product=warranty.product_id.display_name,
                    )
                )

    def _check_company(self, fnames=None):
        """The ORM's check, which evaluates a domain per certificate and per
        field, made one evaluation per field and company: the certificates of
        a batch share one company or a few, and this check was the largest
        cost of issuing them. Each value is judged by the same domain as
        before, so the verdict is the same; when a value fails, the ORM's own
        check runs to name the certificates at fault."""
        names = self._fields if fnames is None or "company_id" in fnames else fnames
        checked = [
            name for name in names
            if self._fields[name].relational and self._fields[name].check_company
        ]
        if not checked:
            return None
        if len(self) < 2 or any(self._fields[name].company_dependent for name in checked):
            return super()._check_company(fnames)
        for company, warranties in self.sudo().grouped("company_id").items():
            for name in checked:
                corecords = warranties.mapped(name)
                if not corecords:
                    continue
                domain = corecords._check_company_domain(company)
                if domain and corecords != corecords.with_context(active_test=False).filtered_domain(domain):
                    return super()._check_company(fnames)
        return None

    @api.model_create_multi
    def create(self, vals_list):
        to_name = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        if to_name:
            for vals, name in zip(to_name, self._next_names(len(to_name))):
                vals["name"] = name
        # A certificate voided earlier in this transaction must be voided in
        # the database before its successor is inserted, or the unique index
        # on live certificates would see two.
        self.flush_model(["state"])
        warranties = super().create(vals_list)
        warranties.lot_id._ensure_service_token()
        warranties._sync_state_with_dates()
        return warranties

    def write(self, vals):
        res = super().write(vals)
        if PERIOD_FIELDS & set(vals):
            self._sync_state_with_dates()
        return res

    def _decided_fields(self):
        hints = {name: self.env._("Use the certificate's actions.") for name in STATE_FIELDS}
        if any(warranty.state != "draft" for warranty in self):
            issued = self.env._(
                "An issued certificate changes through Record installation, Correct dates, "
                "Transfer to a new owner or Void."
            )
            hints.update(dict.fromkeys(ISSUED_FIELDS, issued))
        return hints

    def _decided_create_fields(self):
        return {
            "state": ("draft",),
            "origin": ("manual",),
            "void_reason": None,
            "replaced_by_id": None,
            "reminder_done": None,
            "extension_ids": None,
        }

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(warranty.state != "draft" for warranty in self):
            raise UserError(
                self.env._(
                    "Only draft certificates can be deleted. Void an issued certificate instead, "
                    "so its history is kept."
                )
            )

    def _check_can(self, action, message):
        """Refuse ``action`` (a ``can_<action>`` field) on the certificates
        where it is not possible, naming them."""
        wrong = self.filtered(lambda warranty: not warranty[f"can_{action}"])
        if wrong:
            raise UserError(message % {"names": ", ".join(wrong.mapped("name"))})

    def action_activate(self):
        self._check_can("activate", self.env._(
            "%(names)s: only draft certificates can be activated, by after-sales users."
        ))
        self.check_access("write")
        with deciding():
            self.write({"state": "active"})
        self._sync_state_with_dates()

    def action_open_installation_wizard(self):
        return self._open_amend_wizard("installation", self.env._("Record installation"))

    def action_open_dates_wizard(self):
        return self._open_amend_wizard("dates", self.env._("Correct dates"))

    def action_open_transfer_wizard(self):
        return self._open_amend_wizard("owner", self.env._("Transfer to a new owner"))

    def _open_amend_wizard(self, kind, title):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "service.warranty.amend",
            "view_mode": "form",
            "target": "new",
            "context": {"default_warranty_id": self.id, "default_kind": kind},
        }

    def action_print_card(self):
        return self.env.ref("service_warranty.action_report_warranty_card").report_action(self)

    def action_open_void_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Void certificate"),
            "res_model": "service.warranty.void",
            "view_mode": "form",
            "target": "new",
            "context": {"default_warranty_ids": self.ids},
        }

    def action_view_repairs(self):
        self.ensure_one()
        return self.lot_id.action_lot_open_repairs()

    def _next_names(self, count):
        """``count`` certificate numbers from the sequence in one query, so
        issuing a delivery of many serials costs the same as issuing one."""
        sequence = self.env["ir.sequence"].sudo().search(
            [("code", "=", "service.warranty"), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence:
            raise UserError(
                self.env._(
                    "The sequence with code 'service.warranty' is missing. "
                    "Restore it in Settings > Technical > Sequences."
                )
            )
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _i in range(count)]
        numbers = self.env.execute_query(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        # get_next_char() per number would interpolate the prefix and suffix
        # (some forty strftime calls) for each certificate; a batch is issued
        # at one instant, so once is enough. The number is padded as it does.
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in numbers]

    def _get_period(self, terms=None):
        """The certificate's dates under its policy; ``terms``, when the
        caller has read them already, spares reading the policy again."""
        self.ensure_one()
        if not self.policy_id:
            return Period(None, None, None, None)
        return warranty_period(terms or self.policy_id._get_terms(), self._get_facts())

    def _get_facts(self):
        self.ensure_one()
        return Facts(
            date_sale=self.date_sale or None,
            date_delivery=self.date_delivery or None,
            date_invoice=self.date_invoice or None,
            date_install=self.date_install or None,
            extension_days=self.extension_days,
        )

    def record_installation(self, date_install):
        """Record when the unit was installed (the roles that install: every
        after-sales user). When the policy starts on installation this moves
        the warranty start (and end); the change is tracked in the chatter."""
        self._check_can("record_installation", self.env._(
            "The installation date of %(names)s can no longer change: "
            "only draft and active certificates can be updated."
        ))
        self.check_access("write")
        if not date_install:
            raise UserError(self.env._("Give the date the unit was installed."))
        with deciding():
            self.write({"date_install": date_install})  # write() expires or revives as the dates say
        return True

    def correct_dates(self, values, reason):
        """A manager's correction of an issued certificate's dates (sale,
        delivery, installation, invoice date), with the reason in the
        chatter. The warranty's end follows from the policy, as always."""
        self._check_manager_action("amend", reason)
        values = {name: values[name] for name in (*DATE_FIELDS, "date_invoice") if name in values}
        if not values:
            raise UserError(self.env._("Give at least one date to correct."))
        labels = {name: self._fields[name]._description_string(self.env) for name in values}
        for warranty in self:
            before = {name: warranty[name] for name in values}
            with deciding():
                warranty.write(values)
            changes = "; ".join(
                f"{labels[name]}: {format_date(self.env, before[name]) or '-'} → "
                f"{format_date(self.env, warranty[name]) or '-'}"
                for name in values
            )
            warranty.message_post(body=self.env._(
                "Dates corrected by %(user)s (%(changes)s). Reason: %(reason)s",
                user=self.env.user.name, changes=changes, reason=reason,
            ))
        return True

    def transfer_owner(self, partner, reason, rotate_token=True):
        """A manager's transfer of issued certificates to a new owner (the
        unit was resold), with the reason in the chatter. The new owner's
        portal shows them from now on, the previous owner's no longer does;
        with ``rotate_token`` the unit gets a new service token, so the
        previous owner's label stops opening its page (print a new one)."""
        self._check_manager_action("amend", reason)
        partner = self.env["res.partner"].browse(getattr(partner, "id", partner)).exists()
        if not partner:
            raise UserError(self.env._("Choose the new owner."))
        for warranty in self:
            before = warranty.partner_id
            if before == partner:
                raise UserError(self.env._(
                    "%(name)s already belongs to %(partner)s.",
                    name=warranty.name, partner=partner.display_name,
                ))
            with deciding():
                warranty.write({"partner_id": partner.id})
            if rotate_token:
                warranty.lot_id._rotate_service_token()
            warranty.message_post(body=self.env._(
                "Transferred by %(user)s from %(before)s to %(after)s%(token)s. Reason: %(reason)s",
                user=self.env.user.name, before=before.display_name, after=partner.display_name,
                token=self.env._(" (new service token: print a new label)") if rotate_token else "",
                reason=reason,
            ))
        return True

    def _check_manager_action(self, action, reason):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only after-sales administrators can do this."))
        self._check_can(action, self.env._(
            "%(names)s: only active or expired certificates can be corrected or transferred."
        ) if action == "amend" else self.env._("%(names)s: this certificate can no longer change."))
        if not (reason or "").strip():
            raise UserError(self.env._("Say why: the reason is kept in the certificate's history."))

    def _void(self, reason):
        if not (self.env.su or is_deciding()):
            # A refund voids the certificate as its own decision; by hand it is a manager's.
            self._check_manager_action("void", reason)
        live = self.filtered(lambda w: w.state in (*LIVE_STATES, "expired"))
        with deciding():
            live.write({"state": "void", "void_reason": reason})
        live._message_log_batch(
            bodies={w.id: self.env._("Certificate voided: %(reason)s", reason=reason) for w in live}
        )
        return live

    def _sync_state_with_dates(self, today=None):
        """Active certificates whose term has ended are expired, expired ones
        that an extension or a correction brought back are active: at once,
        not at the nightly cron. Returns ``(expired, revived)``."""
        today = today or fields.Date.context_today(self)
        ended = self.filtered(lambda w: w.state == "active" and w.date_end and w.date_end < today)
        revived = self.filtered(lambda w: w.state == "expired" and w.date_end and w.date_end >= today)
        with deciding():
            ended.write({"state": "expired"})
            revived.write({"state": "active"})
        return ended, revived

    def _verdict(self, on_date=None, exclusion_codes=()):
        """The pure verdict for this certificate on a date."""
        self.ensure_one()
        on_date = on_date or fields.Date.context_today(self)
        terms = self.policy_id._get_terms()
        return coverage(
            terms,
            self._get_period(terms),
            on_date,
            state=self.state,
            exclusions_found=tuple(exclusion_codes),
        )

    @api.model
    def _cron_expire_and_remind(self):
        """Daily: expire ended certificates and schedule a reminder activity for
        those that end soon. One search and one write per step, whatever the
        number of certificates."""
        today = fields.Date.context_today(self)
        ended, _revived = self.search([
            "|",
            "&", ("state", "=", "active"), ("date_end", "<", today),
            "&", ("state", "=", "expired"), ("date_end", ">=", today),
        ])._sync_state_with_dates(today)
        due = self.search(
            [
                ("state", "=", "active"),
                ("reminder_done", "=", False),
                ("reminder_date", "<=", today),
            ]
        )
        self.env["mail.activity"]._create_todos(
            due,
            summary=lambda warranty: self.env._(
                "Warranty of %(serial)s ends on %(date)s",
                serial=warranty.lot_id.name,
                date=format_date(self.env, warranty.date_end),
            ),
            deadline=lambda warranty: warranty.date_end,
        )
        with deciding():
            due.write({"reminder_done": True})
        return {"expired": len(ended), "reminded": len(due)}

    def _get_report_base_filename(self):
        """The card's file name in the portal's download, from the certificate number."""
        self.ensure_one()
        return self.env._("Warranty card %(name)s", name=self.name)


class ServiceWarrantyExtension(models.Model):
    """Days added to a certificate's term: by the downtime rule after a repair
    (the product's own decision), or by an administrator, with a reason. Each
    is logged on the certificate."""

    _name = "service.warranty.extension"
    _description = "Warranty Extension"
    _order = "date desc, id desc"

    warranty_id = fields.Many2one(
        "service.warranty", required=True, ondelete="cascade", index=True
    , string="Certificate")
    company_id = fields.Many2one(related="warranty_id.company_id", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    days = fields.Integer(required=True)
    reason = fields.Char(required=True, translate=False)

    _days_positive = models.Constraint(
        "CHECK (days > 0)", "An extension adds at least one day to the warranty."
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._(
                "Only after-sales administrators can extend a warranty by hand; repairs extend it "
                "by themselves when the policy says so."
            ))
        for vals in vals_list:
            if not (vals.get("reason") or "").strip():
                raise UserError(self.env._("Say why the warranty is extended."))
        extensions = super().create(vals_list)
        for warranty, added in extensions.grouped("warranty_id").items():
            warranty.sudo()._message_log(body=self.env._(
                "Warranty extended by %(days)s days (%(reasons)s): it now ends on %(date)s.",
                days=sum(added.mapped("days")),
                reasons="; ".join(added.mapped("reason")),
                date=format_date(self.env, warranty.date_end),
            ))
        extensions.warranty_id._sync_state_with_dates()
        return extensions

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("An extension is never changed: add another one, with its reason."))
        return super().write(vals)
