import uuid
from collections import defaultdict

from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import UserError

ACK_CHANNELS = [("link", "E-mail link"), ("portal", "Portal"), ("staff", "Staff, on the owner's word")]
# Written only by the notice's actions.
DECIDED_FIELDS = ("date_acknowledged", "acknowledged_via", "acknowledged_by", "emailed", "date_notified")


class ServiceAdvisoryNotice(models.Model):
    """One owner told of one advisory: the units of theirs it concerns, the
    e-mail queued for them, and their acknowledgement. At most one per
    advisory and owner (a unique index), which is how an owner is told once."""

    _name = "service.advisory.notice"
    _description = "Advisory Notice to an Owner"
    _inherit = ["portal.mixin", "mail.thread", "service.decided.mixin"]
    _order = "date_notified desc, id desc"
    _check_company_auto = True
    _rec_name = "advisory_id"

    advisory_id = fields.Many2one(
        "service.advisory", required=True, index=True, ondelete="cascade", readonly=True,
    )
    company_id = fields.Many2one(related="advisory_id.company_id", store=True, index=True)
    product_id = fields.Many2one(related="advisory_id.product_id", string="Product")
    title = fields.Char(related="advisory_id.title")
    partner_id = fields.Many2one(
        "res.partner", string="Owner", required=True, index=True, readonly=True, check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Owner company",
    )
    lot_ids = fields.Many2many(
        "stock.lot", "service_advisory_notice_lot_rel", "notice_id", "lot_id", string="Units", readonly=True,
    )
    unit_count = fields.Integer(compute="_compute_unit_count", string="Unit count")
    date_notified = fields.Datetime(string="Notified on", default=fields.Datetime.now, readonly=True)
    emailed = fields.Boolean(
        string="E-mail queued", readonly=True,
        help="An e-mail went to the mail queue for this owner; not when the owner has no e-mail address "
        "(the notice is then in their portal only).",
    )
    date_acknowledged = fields.Datetime(string="Acknowledged on", readonly=True, copy=False)
    acknowledged_via = fields.Selection(
        ACK_CHANNELS, string="Acknowledged through", readonly=True, copy=False
    )
    acknowledged_by = fields.Char(string="Acknowledged by", readonly=True, copy=False)
    is_acknowledged = fields.Boolean(compute="_compute_is_acknowledged", search="_search_is_acknowledged",
                                     string="Acknowledged")
    can_acknowledge = fields.Boolean(compute="_compute_is_acknowledged", string="Can acknowledge")

    # The promise "each owner told once per advisory", kept by PostgreSQL.
    _advisory_partner_unique = models.UniqueIndex("(advisory_id, partner_id)")

    def _compute_unit_count(self):
        for notice in self:
            notice.unit_count = len(notice.lot_ids)

    @api.depends("date_acknowledged")
    def _compute_is_acknowledged(self):
        for notice in self:
            notice.is_acknowledged = bool(notice.date_acknowledged)
            notice.can_acknowledge = not notice.date_acknowledged

    def _search_is_acknowledged(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on acknowledged notices."))
        return [("date_acknowledged", "!=" if (operator == "=") == value else "=", False)]

    def _compute_access_url(self):
        for notice in self:
            notice.access_url = f"/my/service-advisories/{notice.id}"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The owner's link is in their e-mail from the start: no second
            # write per notice to make it.
            vals.setdefault("access_token", str(uuid.uuid4()))
        return super().create(vals_list)

    def _decided_fields(self):
        how = self.env._("Use 'Acknowledge' on the notice, or the owner's link.")
        # Who was told, of what, about which units: fixed when the notice is made.
        return dict.fromkeys((*DECIDED_FIELDS, "advisory_id", "partner_id", "lot_ids"), how)

    def _decided_create_fields(self):
        return {name: None for name in DECIDED_FIELDS if name != "date_notified"}

    # -- acknowledgement -----------------------------------------------------

    def action_acknowledge(self):
        """Staff record that the owner acknowledged (a phone call, a visit)."""
        self.check_access("write")
        self._acknowledge("staff", self.env.user.name)

    def _acknowledge(self, via, who, author=None):
        """Record the acknowledgement once: a second one changes nothing.
        ``author`` (a partner) signs the chatter note; the user by default."""
        pending = self.filtered("can_acknowledge")
        if not pending:
            return False
        with deciding():
            pending.write({
                "date_acknowledged": fields.Datetime.now(), "acknowledged_via": via, "acknowledged_by": who,
            })
        labels = dict(self._fields["acknowledged_via"]._description_selection(self.env))
        for notice in pending:
            notice.message_post(body=self.env._(
                "Acknowledged by %(who)s (%(via)s).", who=who, via=labels[via],
            ), author_id=(author or self.env.user.partner_id).id)
        return True

    # -- mail ------------------------------------------------------------------

    def _queue_advisory_mail(self):
        """Queue one e-mail per notice whose owner has an address, in the
        owner's language, listing their units: ``mail.mail`` records for Odoo's
        mail queue (its cron sends them), each threaded on its notice (the
        owner's reply lands in the notice's chatter) and tracked by a
        ``mail.notification`` (delivered, bounced), as Odoo's own notifications
        are. Built in batches: queries per language, not per owner."""
        with_email = self.filtered(lambda notice: notice.partner_id.email)
        if not with_email:
            return self.env["mail.mail"]
        company = self.company_id[:1] or self.env.company
        email_from = company.email_formatted or self.env.user.email_formatted
        if not email_from:
            raise UserError(self.env._(
                "The owners cannot be e-mailed: set the e-mail address of %(company)s.", company=company.name,
            ))
        reply_to = with_email._notify_get_reply_to(default=email_from)
        base_url = with_email[:1].get_base_url()
        by_lang = defaultdict(self.browse)
        for notice in with_email:
            by_lang[notice.partner_id.lang or self.env.lang or "en_US"] |= notice
        mail_values = []
        for lang, notices in by_lang.items():
            mail_values += notices.with_context(lang=lang)._prepare_advisory_mail_values(
                email_from, reply_to, base_url
            )
        mails = self.env["mail.mail"].sudo().with_context(mail_create_nolog=True).create(mail_values)
        self.env["mail.notification"].sudo().create([
            {
                "mail_message_id": mail.mail_message_id.id, "mail_mail_id": mail.id,
                "res_partner_id": notice.partner_id.id, "notification_type": "email",
                "notification_status": "ready", "author_id": mail.author_id.id,
            }
            for mail, notice in zip(mails, with_email.browse([vals["res_id"] for vals in mail_values]))
        ])
        with deciding():
            with_email.emailed = True
        return mails

    def _prepare_advisory_mail_values(self, email_from, reply_to, base_url):
        """The ``mail.mail`` values of each notice of ``self``, all in
        ``self.env.lang``: the body from a QWeb template, rendered per owner
        (their name and units), the advisory's texts read in that language."""
        QWeb = self.env["ir.qweb"]
        author = self.env.user.partner_id
        subtype = self.env.ref("mail.mt_comment")
        values = []
        for notice in self:
            advisory = notice.advisory_id
            body = QWeb._render("service_maintenance.service_advisory_mail_body", {
                "advisory": advisory,
                "partner_name": notice.partner_id.name,
                "units": [(lot.product_id.display_name, lot.name) for lot in notice.lot_ids],
                "ack_url": f"{base_url}{notice.get_portal_url()}",
                "company_name": notice.company_id.name,
            })
            values.append({
                "model": notice._name,
                "res_id": notice.id,
                "subject": self.env._(
                    "[%(reference)s] %(title)s", reference=advisory.name, title=advisory.title
                ),
                "body_html": body,
                "body": body,
                "email_from": email_from,
                "reply_to": reply_to[notice.id],
                "author_id": author.id,
                "message_type": "email_outgoing",
                "subtype_id": subtype.id,
                "recipient_ids": [fields.Command.link(notice.partner_id.id)],
                "is_notification": True,
                "auto_delete": True,
            })
        return values
