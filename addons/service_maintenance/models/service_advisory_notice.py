import contextvars
import uuid
from collections import defaultdict
from contextlib import contextmanager

from markupsafe import Markup, escape
from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import UserError
from odoo.tools import SQL

ACK_CHANNELS = [("link", "E-mail link"), ("portal", "Portal"), ("staff", "Staff, on the owner's word")]
# Set while 'Notify owners' creates the notices of owners whose companies it
# checked in one query (ServiceAdvisory._check_owner_companies): a variable of
# the server's call stack, which no RPC caller can set, as decisions.deciding.
_OWNER_COMPANIES_CHECKED = contextvars.ContextVar("advisory_owner_companies_checked", default=False)


@contextmanager
def owner_companies_checked():
    token = _OWNER_COMPANIES_CHECKED.set(True)
    try:
        yield
    finally:
        _OWNER_COMPANIES_CHECKED.reset(token)


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

    def _check_company(self, fnames=None):
        # Private ORM hook, overridden because bench_advisory proves it pays:
        # per record, it cost half of creating 10,000 notices; their owners'
        # companies were checked in one query just before.
        if _OWNER_COMPANIES_CHECKED.get():
            return
        super()._check_company(fnames)

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
        owner's language, listing their units, as Odoo's own notifications are
        made: per language one ``mail.message`` on the advisory (its chatter
        shows it with each recipient's delivery status, and owners' replies
        thread onto it), and per owner a ``mail.mail`` of that message with
        their own body, for Odoo's mail queue (its cron sends them), and a
        ``mail.notification`` (inserted in batch: ``_insert_queued_mails``).
        The part of the body common to a language is rendered once; only the
        owner's greeting, units and link are made per owner. Queries per
        language, not per owner."""
        with_email = self.filtered(lambda notice: notice.partner_id.email)
        if not with_email:
            return self.env["mail.mail"]
        advisory = with_email.advisory_id.ensure_one()
        company = advisory.company_id
        email_from = company.email_formatted or self.env.user.email_formatted
        if not email_from:
            raise UserError(self.env._(
                "The owners cannot be e-mailed: set the e-mail address of %(company)s.", company=company.name,
            ))
        reply_to = advisory._notify_get_reply_to(default=email_from)[advisory.id]
        base_url = advisory.get_base_url()
        by_lang = defaultdict(list)
        for notice in with_email:
            by_lang[notice.partner_id.lang or self.env.lang or "en_US"].append(notice.id)
        author = self.env.user.partner_id
        subtype = self.env.ref("mail.mt_comment")
        Message = self.env["mail.message"].sudo().with_context(mail_create_nolog=True)
        message_ids, bodies, recipients = [], [], []
        for lang, notice_ids in by_lang.items():
            notices = self.browse(notice_ids).with_context(lang=lang)
            in_lang = advisory.with_context(lang=lang)
            top, middle, bottom = in_lang._render_mail_frame()
            message = Message.create({
                "model": advisory._name, "res_id": advisory.id, "record_name": advisory.name,
                "subject": notices.env._(
                    "[%(reference)s] %(title)s", reference=advisory.name, title=in_lang.title
                ),
                "body": in_lang.description, "email_from": email_from, "reply_to": reply_to,
                "author_id": author.id, "message_type": "email_outgoing", "subtype_id": subtype.id,
            })
            blocks = notices._advisory_mail_owner_blocks(base_url)
            message_ids += [message.id] * len(notices)
            bodies += [str(top + greeting + middle + units + bottom) for greeting, units in blocks]
            recipients += [notice.partner_id.id for notice in notices]
        mails = self._insert_queued_mails(message_ids, bodies, recipients, author)
        with deciding():
            with_email.emailed = True
        return mails

    def _insert_queued_mails(self, message_ids, bodies, partner_ids, author):
        """The owners' ``mail.mail`` (queued: state outgoing, deleted once
        sent, as Odoo's notification e-mails are), their recipient and their
        ``mail.notification`` rows, three ``INSERT ... SELECT unnest`` in all,
        whatever the number of owners; the new mails.

        Why SQL: these are plain rows of Odoo's mail queue with no compute to
        run (each owner's body is built and escaped above), and the ORM's
        create of 10,000 of them cost more than the rest of the run together
        (defaults, access and company checks per row; bench/README.md). The
        trade: an override of ``mail.mail.create`` or ``mail.notification.create``
        does not see these rows, as it does not see those Odoo's mail queue
        makes by SQL either. The caches of both models are invalidated."""
        self.env["mail.mail"].flush_model()
        self.env["mail.notification"].flush_model()
        now = fields.Datetime.now()
        uid = self.env.uid
        rows = self.env.execute_query(SQL(
            """
            INSERT INTO mail_mail (mail_message_id, body_html, state, is_notification, auto_delete,
                                   create_uid, create_date, write_uid, write_date)
            SELECT message_id, body, 'outgoing', TRUE, TRUE, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(messages)s::int[], %(bodies)s::text[]) AS owner(message_id, body)
            RETURNING id
            """,
            uid=uid, now=now, messages=message_ids, bodies=bodies,
        ))
        mail_ids = [row[0] for row in rows]
        self.env.cr.execute(SQL(
            """
            INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id)
            SELECT mail_id, partner_id FROM unnest(%(mails)s::int[], %(partners)s::int[])
                AS owner(mail_id, partner_id)
            """,
            mails=mail_ids, partners=partner_ids,
        ))
        self.env.cr.execute(SQL(
            """
            INSERT INTO mail_notification (mail_message_id, mail_mail_id, res_partner_id, notification_type,
                                           notification_status, author_id, is_read)
            SELECT message_id, mail_id, partner_id, 'email', 'ready', %(author)s, FALSE
              FROM unnest(%(messages)s::int[], %(mails)s::int[], %(partners)s::int[])
                AS owner(message_id, mail_id, partner_id)
            """,
            author=author.id, messages=message_ids, mails=mail_ids, partners=partner_ids,
        ))
        self.env["mail.mail"].invalidate_model()
        self.env["mail.notification"].invalidate_model()
        self.env["mail.message"].invalidate_model(["notification_ids", "notified_partner_ids"])
        return self.env["mail.mail"].sudo().browse(mail_ids)

    def _advisory_mail_owner_blocks(self, base_url):
        """The parts of each notice's e-mail that are the owner's own, in
        ``self.env.lang``: (the greeting, their units and link), HTML with
        every value escaped. Plain string building: it runs once per owner,
        and Markup.format costs more than the rest of the line together."""
        cell = 'style="text-align: left; padding: 2px 12px 2px 0;"'
        intro = escape(self.env._("Your units concerned:"))
        product_label = escape(self.env._("Product"))
        serial_label = escape(self.env._("Serial number"))
        label = escape(self.env._("Read and acknowledge"))
        head = (
            f'<p>{intro}</p><table style="border-collapse: collapse;"><thead><tr>'
            f"<th {cell}>{product_label}</th><th {cell}>{serial_label}</th></tr></thead><tbody>"
        )
        button_style = (
            "background-color: #875a7b; color: #ffffff; padding: 8px 16px; text-decoration: none; "
            "border-radius: 4px;"
        )
        products = {product: escape(product.display_name) for product in self.lot_ids.product_id}
        blocks = []
        for notice in self:
            dear = escape(self.env._("Dear %(name)s,", name=notice.partner_id.name))
            greeting = Markup(f"<p>{dear}</p>")
            rows = "".join(
                f"<tr><td {cell}>{products[lot.product_id]}</td>"
                f"<td {cell}>{escape(lot.name)}</td></tr>"
                for lot in notice.lot_ids
            )
            url = escape(f"{base_url}{notice.access_url}?access_token={notice.access_token}")
            blocks.append((greeting, Markup(
                f'{head}{rows}</tbody></table><p style="margin-top: 16px;">'
                f'<a href="{url}" style="{button_style}">{label}</a></p>'
            )))
        return blocks
