import re
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.service_rma.models.service_loan import OPEN_LOAN_STATES
from odoo.addons.service_rma.models.service_rma import OPEN_STATES as RMA_OPEN_STATES
from odoo.addons.service_warranty.decisions import deciding, states_sql
from odoo.exceptions import ConcurrencyError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, consteq, email_normalize, html2plaintext
from psycopg2.errors import UniqueViolation

# The states in which a request is "open": what the overdue search, the SLA
# cron, the public form's duplicate check and the counters all read.
OPEN_STATES = ("new", "in_progress", "waiting")
SEVERITIES = [
    ("urgent", "Urgent (system down)"),
    ("serious", "Serious"),
    ("normal", "Normal"),
]
# The policy's hour fields are named after the RMA's priorities.
SEVERITY_POLICY_KEY = {"urgent": "urgent", "serious": "high", "normal": "normal"}
SEVERITY_RANK = {"normal": 0, "serious": 1, "urgent": 2}
SUPPORT_MODES = [
    ("phone", "Phone"),
    ("remote", "Remote support"),
    ("on_site", "On-site service"),
    ("carry_in", "Carry-in"),
]
CHANNELS = [
    ("hotline", "Hotline"),
    ("email", "E-mail"),
    ("portal", "Portal"),
    ("device_page", "Device page"),
    ("staff", "Staff"),
]
SLA_RESULTS = [("met", "In time"), ("missed", "Late")]
DESK_USER_GROUP = "service_desk.group_service_desk_user"
# Written only by the request's actions: the state machine, the stamps it
# makes, and what is computed from the unit, the policy and the calendar.
DECIDED_FIELDS = (
    "name", "state", "date_responded", "date_arrived", "date_solved", "date_closed", "sla_warned",
    "response_deadline", "resolution_deadline", "arrival_deadline", "status_token", "date_request",
    "channel", "warranty_id", "policy_id", "product_id", "commercial_partner_id", "severity_rank",
    "response_sla", "arrival_sla", "resolution_sla",
)
# The tokens of the public status page: 192 random bits, as the unit's label.
STATUS_TOKEN_BYTES = 24
# The public form: what a visitor may type.
PUBLIC_DESCRIPTION_MAX = 2000
PUBLIC_FIELD_MAX = 120
MARKUP_RE = re.compile(r"<\s*[a-zA-Z/!?]|&#|javascript:", re.IGNORECASE)
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")


class ServiceRequest(models.Model):
    _name = "service.request"
    _description = "Service Request"
    _inherit = [
        "portal.mixin", "rating.mixin", "mail.thread", "mail.activity.mixin", "service.decided.mixin",
    ]
    _order = "severity_rank desc, date_request desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "title", "partner_id"]
    _mailing_enabled = True

    name = fields.Char(
        string="Ticket number", required=True, readonly=True, copy=False, default="/", index="trigram",
        help="The number the customer quotes to follow the request.",
    )
    title = fields.Char(string="Subject", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In progress"),
            ("waiting", "Waiting for the customer"),
            ("solved", "Solved"),
            ("closed", "Closed"),
            ("cancel", "Cancelled"),
        ],
        default="new", required=True, copy=False, tracking=True, index=True, group_expand=True,
    )
    channel = fields.Selection(CHANNELS, default="staff", required=True, readonly=True, copy=False)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", index=True, check_company=True, tracking=True,
        compute="_compute_partner_id", store=True, readonly=False, precompute=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, precompute=True,
        string="Customer company",
    )
    contact_name = fields.Char(string="Contact")
    contact_phone = fields.Char(string="Contact phone")
    contact_email = fields.Char(string="Contact e-mail")
    lot_id = fields.Many2one(
        "stock.lot", string="Unit", index="btree_not_null", check_company=True, tracking=True,
        domain="[('product_id.tracking', '=', 'serial')]",
        help="Optional: a request may concern a whole installed system.",
    )
    product_id = fields.Many2one(
        "product.product", related="lot_id.product_id", store=True, precompute=True, index="btree_not_null",
    )
    warranty_id = fields.Many2one(
        "service.warranty", string="Certificate", compute="_compute_warranty_id", store=True,
        precompute=True, check_company=True, index="btree_not_null",
    )
    policy_id = fields.Many2one(
        "service.warranty.policy", compute="_compute_policy_id", store=True,
        precompute=True,
        help="The certificate's policy, else the product's, else the team's: its support calendar "
        "and hours set the deadlines.",
    )
    severity = fields.Selection(SEVERITIES, default="normal", required=True, tracking=True)
    severity_rank = fields.Integer(compute="_compute_severity_rank", store=True, precompute=True)
    support_mode = fields.Selection(SUPPORT_MODES, default="phone", required=True, tracking=True)
    description = fields.Text(string="Fault reported")
    resolution = fields.Text()
    user_id = fields.Many2one(
        "res.users", string="Responsible", tracking=True, check_company=True, index="btree_not_null",
        default=lambda self: self.env.user if self.env.user._is_internal() else False,
        domain="[('share', '=', False)]",
    )
    team_id = fields.Many2one(
        "service.team", tracking=True, check_company=True, index="btree_not_null",
    )
    zone_id = fields.Many2one(
        "service.zone", string="Service zone", compute="_compute_zone_id", store=True, precompute=True,
        readonly=False, check_company=True,
        help="Where the customer is: its arrival hours set the on-site arrival deadline.",
    )
    date_request = fields.Datetime(
        string="Reported on", required=True, default=fields.Datetime.now, readonly=True, copy=False,
        index=True,
    )
    response_deadline = fields.Datetime(
        string="Respond by", compute="_compute_deadlines", store=True, precompute=True,
        index="btree_not_null",
    )
    arrival_deadline = fields.Datetime(
        string="Arrive on site by", compute="_compute_deadlines", store=True, precompute=True,
        index="btree_not_null",
    )
    resolution_deadline = fields.Datetime(
        string="Resolve by", compute="_compute_deadlines", store=True, precompute=True,
        index="btree_not_null",
    )
    date_responded = fields.Datetime(string="Responded on", readonly=True, copy=False)
    date_arrived = fields.Datetime(string="Arrived on site", readonly=True, copy=False)
    date_solved = fields.Datetime(string="Solved on", readonly=True, copy=False)
    date_closed = fields.Datetime(string="Closed on", readonly=True, copy=False)
    response_sla = fields.Selection(
        SLA_RESULTS, string="Response", compute="_compute_sla_results", store=True,
        help="Whether the response came before its deadline; empty while the clock runs or without "
        "a deadline. Group the reports by it for the share answered in time.",
    )
    arrival_sla = fields.Selection(
        SLA_RESULTS, string="Arrival on site", compute="_compute_sla_results", store=True,
        help="Whether the engineer was on site before the arrival deadline.",
    )
    resolution_sla = fields.Selection(
        SLA_RESULTS, string="Resolution in time", compute="_compute_sla_results", store=True,
        help="Whether the request was solved before the resolution deadline.",
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue", string="Overdue")
    sla_warned = fields.Boolean(readonly=True, copy=False, string="SLA warning sent", groups=DESK_USER_GROUP)
    status_token = fields.Char(
        readonly=True, copy=False, groups="base.group_system", index="btree_not_null",
        help="Opens the public status page of the request (state and dates only).",
    )
    rma_ids = fields.One2many("service.rma", "service_request_id", string="RMAs")
    rma_count = fields.Integer(compute="_compute_rma_count", string="RMA count")
    visit_ids = fields.One2many("service.visit", "request_id", string="Visits")
    visit_count = fields.Integer(compute="_compute_visit_count", string="Visit count")
    can_start = fields.Boolean(compute="_compute_can", string="Can start")
    can_wait = fields.Boolean(compute="_compute_can", string="Can wait for the customer")
    can_resume = fields.Boolean(compute="_compute_can", string="Can resume")
    can_mark_arrived = fields.Boolean(compute="_compute_can", string="Can record the arrival")
    can_solve = fields.Boolean(compute="_compute_can", string="Can solve")
    can_close = fields.Boolean(compute="_compute_can", string="Can close")
    can_reopen = fields.Boolean(compute="_compute_can", string="Can reopen")
    can_cancel = fields.Boolean(compute="_compute_can", string="Can cancel")
    can_take_unit_in = fields.Boolean(compute="_compute_can", string="Can take the unit in")
    can_plan_visit = fields.Boolean(compute="_compute_can", string="Can plan a visit")
    can_lend_loaner = fields.Boolean(compute="_compute_can", string="Can lend a loaner")
    can_advance_replace = fields.Boolean(compute="_compute_can", string="Can replace the unit in advance")
    loan_ids = fields.Many2many(
        "service.loan", compute="_compute_loan_ids", string="Loaners",
        help="The loaners lent to the customer for the RMAs of this request.",
    )
    loan_count = fields.Integer(compute="_compute_loan_ids", string="Loaner count")
    # Computed into the request's INSERT (a new request has no rating), as
    # on the RMA: no SELECT of ratings and UPDATE after every new request.
    rating_last_value = fields.Float(compute="_compute_rating_last_value", store=True, precompute=True)

    _name_company_unique = models.Constraint(
        "UNIQUE (name, company_id)", "A ticket number must be unique per company."
    )
    _open_state_index = models.Index("(lot_id, state) WHERE lot_id IS NOT NULL")
    # One open report from the device page per unit, whoever submits at the same
    # moment: PostgreSQL settles it (see _report_fault_public).
    _public_report_open_unique = models.UniqueIndex(
        f"(lot_id) WHERE channel = 'device_page' AND state IN ({states_sql(OPEN_STATES)})",
        "This unit already has an open fault report from its device page: work on that request.",
    )

    # -- computes ------------------------------------------------------------

    @api.depends("lot_id")
    def _compute_partner_id(self):
        for request in self:
            if request.lot_id and not request.partner_id:
                warranty = request.lot_id.sudo().warranty_id
                if warranty.state in ("active", "expired"):
                    request.partner_id = warranty.partner_id

    @api.depends("lot_id")
    def _compute_warranty_id(self):
        for request in self:
            request.warranty_id = request.lot_id.sudo().warranty_id

    @api.depends("warranty_id.policy_id", "product_id", "team_id.policy_id")
    def _compute_policy_id(self):
        # The product's policy only for units whose certificate names none:
        # a query less on every request for a unit under warranty.
        products = self.filtered(lambda request: not request.warranty_id.sudo().policy_id).product_id
        by_product = products._get_warranty_policy() if products else {}
        for request in self:
            request.policy_id = (
                request.warranty_id.sudo().policy_id
                or by_product.get(request.product_id)
                or request.team_id.policy_id
            )

    @api.depends("severity")
    def _compute_severity_rank(self):
        for request in self:
            request.severity_rank = SEVERITY_RANK[request.severity]

    @api.depends("partner_id")
    def _compute_zone_id(self):
        for request in self:
            partner = request.partner_id
            request.zone_id = (
                partner.service_zone_id or partner.commercial_partner_id.service_zone_id or request.zone_id
            )

    @api.depends(
        "date_request", "severity", "support_mode", "zone_id", "company_id",
        "policy_id.support_calendar_id", "policy_id.response_hours_urgent",
        "policy_id.response_hours_high", "policy_id.response_hours_normal",
        "policy_id.resolution_hours_urgent", "policy_id.resolution_hours_high",
        "policy_id.resolution_hours_normal", "zone_id.arrival_hours_urgent",
        "zone_id.arrival_hours_serious", "zone_id.arrival_hours_normal",
    )
    def _compute_deadlines(self):
        """Deadlines on the policy's support calendar, in the company's time
        zone. Requests created together share their start, so each distinct
        (calendar, zone, start, hours) is planned once: the cost of a batch
        does not grow with its size, and the calendar's hours are read once
        per day and worker (service.warranty.policy._support_fortnight)."""
        planned = {}
        for request in self:
            start = request.date_request
            policy = request.policy_id.sudo()
            key = SEVERITY_POLICY_KEY[request.severity]
            hours = {
                "response_deadline": policy[f"response_hours_{key}"] if policy else 0,
                "resolution_deadline": policy[f"resolution_hours_{key}"] if policy else 0,
                "arrival_deadline": (
                    request.zone_id[f"arrival_hours_{request.severity}"]
                    if request.support_mode == "on_site" and request.zone_id else 0
                ),
            }
            for fname, amount in hours.items():
                cache_key = (policy.support_calendar_id.id, request.company_id.id, start, amount)
                if cache_key not in planned:
                    planned[cache_key] = policy._service_deadline(start, amount, request.company_id)
                request[fname] = planned[cache_key]

    @api.depends(
        "date_responded", "response_deadline", "date_arrived", "arrival_deadline", "date_solved",
        "resolution_deadline",
    )
    def _compute_sla_results(self):
        """The service KPIs per request: each clock met or missed, empty while
        it runs or when it has no deadline."""
        def result(done, deadline):
            return ("met" if done <= deadline else "missed") if done and deadline else False

        for request in self:
            request.response_sla = result(request.date_responded, request.response_deadline)
            request.arrival_sla = result(request.date_arrived, request.arrival_deadline)
            request.resolution_sla = result(request.date_solved, request.resolution_deadline)

    @api.depends_context("uid")
    @api.depends(
        "state", "response_deadline", "resolution_deadline", "arrival_deadline", "date_responded",
        "date_solved", "date_arrived",
    )
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for request in self:
            request.is_overdue = request.state in OPEN_STATES and bool(
                (not request.date_responded and request.response_deadline and request.response_deadline < now)
                or (not request.date_arrived and request.arrival_deadline and request.arrival_deadline < now)
                or (not request.date_solved and request.resolution_deadline
                    and request.resolution_deadline < now)
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue service requests."))
        now = fields.Datetime.now()
        overdue = Domain("state", "in", OPEN_STATES) & (
            (Domain("date_responded", "=", False) & Domain("response_deadline", "<", now))
            | (Domain("date_arrived", "=", False) & Domain("arrival_deadline", "<", now))
            | (Domain("date_solved", "=", False) & Domain("resolution_deadline", "<", now))
        )
        return overdue if (operator == "=") == value else ~overdue

    def _compute_rma_count(self):
        counts = dict(self.env["service.rma"]._read_group(
            [("service_request_id", "in", self.ids)], ["service_request_id"], ["__count"]
        ))
        for request in self:
            request.rma_count = counts.get(request, 0)

    def _compute_visit_count(self):
        counts = dict(self.env["service.visit"]._read_group(
            [("request_id", "in", self.ids)], ["request_id"], ["__count"]
        ))
        for request in self:
            request.visit_count = counts.get(request, 0)

    @api.depends("rma_ids.loan_ids")
    def _compute_loan_ids(self):
        for request in self:
            request.loan_ids = request.rma_ids.loan_ids
            request.loan_count = len(request.loan_ids)

    @api.depends_context("uid")
    @api.depends("state", "support_mode", "date_arrived", "lot_id", "rma_ids.state", "rma_ids.loan_ids.state",
                 "warranty_id.state")
    def _compute_can(self):
        """The request's state machine, written once: the buttons show what
        these say, and every action refuses what they refuse."""
        for request in self:
            state = request.state
            request.can_start = state == "new"
            request.can_wait = state == "in_progress"
            request.can_resume = state == "waiting"
            request.can_mark_arrived = (
                state in ("new", "in_progress") and request.support_mode == "on_site"
                and not request.date_arrived
            )
            request.can_solve = state in ("new", "in_progress", "waiting")
            request.can_close = state == "solved"
            request.can_reopen = state == "solved"
            request.can_cancel = state in OPEN_STATES
            request.can_plan_visit = state in OPEN_STATES
            open_rma = any(rma.state not in ("done", "cancel") for rma in request.rma_ids)
            request.can_take_unit_in = state in OPEN_STATES and bool(request.lot_id) and not open_rma
            # A loaner belongs to an RMA of the unit (opened when there is none), one at a time.
            request.can_lend_loaner = state in OPEN_STATES and bool(request.lot_id) and not any(
                loan.state in OPEN_LOAN_STATES for loan in request.rma_ids.loan_ids
            )
            # An advance replacement is a swap under warranty, before the unit is taken in.
            request.can_advance_replace = (
                state in OPEN_STATES and bool(request.lot_id) and not open_rma
                and request.warranty_id.state == "active"
            )

    def _compute_access_url(self):
        for request in self:
            request.access_url = f"/my/service-requests/{request.id}"

    # -- CRUD -------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        to_number = {}
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                to_number.setdefault(vals.get("company_id") or self.env.company.id, []).append(vals)
        for company_id, company_vals in to_number.items():
            sequence = self._ticket_sequence(self.env["res.company"].browse(company_id))
            for vals, number in zip(company_vals, self._next_ticket_numbers(sequence, len(company_vals))):
                vals["name"] = number
        requests = super().create(vals_list)
        requests._subscribe_customers()
        return requests

    @api.model
    def _next_ticket_numbers(self, sequence, count):
        """``count`` numbers of ``sequence``, in order. A standard sequence
        draws them from its PostgreSQL sequence ``ir_sequence_<id>`` (a detail
        of ir.sequence, taken so that a batch costs one query and not one per
        request: test_performance.py)."""
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence.next_by_id() for _index in range(count)]
        rows = self.env.execute_query(SQL(
            "SELECT nextval(%s) FROM generate_series(1, %s) ORDER BY 1",
            f"ir_sequence_{sequence.id:03d}", count,
        ))
        return [sequence.get_next_char(number) for (number,) in rows]

    def _creation_message(self):
        # Odoo's "<model> created" reads the model's name from ir.model, a
        # query per request; the channel is worth more in the chatter.
        self.ensure_one()
        channel = dict(self._fields["channel"]._description_selection(self.env))[self.channel]
        return self.env._("Service request created (channel: %(channel)s)", channel=channel)

    def _subscribe_customers(self):
        """Each request's customer follows it, with the subtypes Odoo gives a
        customer (or an internal user), in one insert for the batch rather
        than a subscription per customer."""
        requests = self.filtered("partner_id")
        if not requests:
            return
        following = {(follower.res_id, follower.partner_id.id) for follower in requests.message_follower_ids}
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        self.env["mail.followers"].sudo().create([
            {
                "res_model": self._name,
                "res_id": request.id,
                "partner_id": request.partner_id.id,
                "subtype_ids": [Command.set((external if request.partner_id.partner_share else default).ids)],
            }
            for request in requests
            if (request.id, request.partner_id.id) not in following
        ])

    @api.model
    def _ticket_sequence(self, company):
        """The sequence of ``company``'s ticket numbers: each company has its
        own, made from the shipped pattern on its first request."""
        Sequence = self.env["ir.sequence"].sudo()
        domain = [("code", "=", "service.request"), ("company_id", "=", company.id)]
        sequence = Sequence.search(domain, limit=1)
        if not sequence:
            # Two workers' first requests of a company: the company's row lock
            # lets one make the sequence and the other find it.
            self.env.cr.execute(SQL("SELECT id FROM res_company WHERE id = %s FOR UPDATE", company.id))
            sequence = Sequence.search(domain, limit=1)
        if not sequence:
            template = self.env.ref("service_desk.seq_service_request").sudo()
            sequence = template.copy({"company_id": company.id, "code": "service.request", "number_next": 1})
        return sequence

    def _decided_fields(self):
        how = self.env._("Use the request's buttons (start, wait, solve, close, cancel).")
        return dict.fromkeys(DECIDED_FIELDS, how)

    def _decided_create_fields(self):
        # A caller creates a new request; its number, stamps and deadlines
        # are the request's own from the first moment.
        computed = ("name", "product_id", "commercial_partner_id")
        allowed = {name: None for name in DECIDED_FIELDS if name not in computed}
        allowed["state"] = ("new",)
        allowed["channel"] = ("staff", "hotline")
        return allowed

    @api.ondelete(at_uninstall=False)
    def _unlink_except_worked(self):
        if any(request.state not in ("new", "cancel") for request in self):
            raise UserError(self.env._(
                "Only new or cancelled service requests can be deleted: cancel the request instead."
            ))

    # -- lifecycle --------------------------------------------------------------


    def _set_state(self, state, **stamps):
        with deciding():
            self.write({"state": state, **stamps})

    def action_start(self):
        """Taken in hand: the response clock stops."""
        self._check_can("start", self.env._("Starting"))
        now = fields.Datetime.now()
        with deciding():
            for request in self:
                request.write({
                    "state": "in_progress",
                    "date_responded": request.date_responded or now,
                    "user_id": (request.user_id or self.env.user).id,
                })

    def action_wait_customer(self):
        self._check_can("wait", self.env._("Waiting for the customer"))
        self._set_state("waiting")

    def action_resume(self):
        self._check_can("resume", self.env._("Resuming"))
        self._set_state("in_progress")

    def action_mark_arrived(self):
        """The engineer is on site: the arrival clock stops (and the response
        clock, if it still ran)."""
        self._check_can("mark_arrived", self.env._("Recording the arrival"))
        now = fields.Datetime.now()
        with deciding():
            for request in self:
                request.write({
                    "state": "in_progress",
                    "date_arrived": now,
                    "date_responded": request.date_responded or now,
                })

    def action_solve(self):
        self._check_can("solve", self.env._("Solving"))
        now = fields.Datetime.now()
        with deciding():
            for request in self:
                request.write({
                    "state": "solved",
                    "date_solved": now,
                    "date_responded": request.date_responded or now,
                })

    def action_close(self):
        """Closed: the customer gets the satisfaction survey (回访) by e-mail,
        in their language."""
        self._check_can("close", self.env._("Closing"))
        self._set_state("closed", date_closed=fields.Datetime.now())
        self._send_rating_request()

    def _send_rating_request(self):
        template = self.env.ref("service_desk.mail_template_service_request_rating", raise_if_not_found=False)
        if not template:
            return
        for request in self.filtered(lambda request: request._rating_get_partner().email):
            request.sudo().rating_send_request(template, force_send=False)

    def action_reopen(self):
        self._check_can("reopen", self.env._("Reopening"))
        self._set_state("in_progress", date_solved=False)

    def action_cancel(self):
        self._check_can("cancel", self.env._("Cancelling"))
        self._set_state("cancel")

    # -- escalation -------------------------------------------------------------

    def action_take_unit_in(self):
        """Open an RMA for the unit through the RMA's own intake (its scan,
        which finds the unit's open RMA or makes one from its certificate),
        linked to this request both ways."""
        self.ensure_one()
        self._check_can("take_unit_in", self.env._("Taking the unit in"))
        rma = self._open_rma()
        if self.support_mode != "carry_in":
            self.support_mode = "carry_in"
        return rma.get_formview_action()

    def _open_rma(self):
        """The unit's RMA for this request: the request's open one, else the
        unit's open one or a new one from the RMA's intake (its scan, or by
        hand for a unit without certificate), linked both ways, with the
        request's fault and priority. The request is started if it was new."""
        self.ensure_one()
        rma = self.rma_ids.filtered(lambda rma: rma.state in RMA_OPEN_STATES)[:1]
        if rma:
            return rma
        Rma = self.env["service.rma"]
        lot = self.lot_id
        if lot.sudo().warranty_ids:
            lot.sudo()._ensure_service_token()
            rma = Rma.browse(Rma.scan(lot.sudo().service_token)["rma_id"])
        else:
            if not self.partner_id:
                raise UserError(self.env._(
                    "%(request)s has no customer and its unit no certificate: set the customer first.",
                    request=self.name,
                ))
            rma = Rma.create(self._prepare_rma_vals())
        rma.write({
            "service_request_id": self.id,
            "fault_description": rma.fault_description or self.description or self.title,
            "priority": {"urgent": "urgent", "serious": "high", "normal": "normal"}[self.severity],
        })
        self.message_post(body=self.env._("The unit is taken in: %(rma)s.", rma=rma.name))
        if self.state == "new":
            self.action_start()
        return rma

    def _prepare_rma_vals(self):
        self.ensure_one()
        return {
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
        }

    def action_lend_loaner(self):
        """A loaner from the pool while the customer's unit is away. A loan
        belongs to an RMA (``service.loan.rma_id``): the unit's RMA is opened
        for this request when it has none, and the RMA's own dialog proposes
        the pool unit (``service.loan._find_available_unit``); saving it
        prepares the delivery of the loaner to the customer."""
        self.ensure_one()
        self._check_can("lend_loaner", self.env._("Lending a loaner"))
        return self._open_rma().action_lend_loaner()

    def action_open_advance_replacement(self):
        """The dialog choosing the replacement unit of an advance replacement."""
        self.ensure_one()
        self._check_can("advance_replace", self.env._("Replacing the unit in advance"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Advance replacement"),
            "res_model": "service.advance.replacement",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id},
        }

    def _advance_replace(self, replacement):
        """Swap the unit on site (备件先行): ``replacement`` (a unit of the same
        product in stock) goes out now through the RMA's exchange transfer,
        and the faulty unit comes back in through the same RMA, whose receipt
        is made at once. When the replacement reaches the customer, its
        certificate follows the policy's replacement rule, as for any
        exchange (``service.rma._replace_warranty``); when the faulty unit is
        received, the RMA is done. Returns the exchange transfer."""
        self.ensure_one()
        self._check_can("advance_replace", self.env._("Replacing the unit in advance"))
        rma = self._open_rma()
        picking = rma._advance_exchange(replacement)
        self.message_post(body=self.env._(
            "Advance replacement: %(replacement)s goes out to the customer, %(serial)s comes back "
            "through %(rma)s.",
            replacement=replacement.name, serial=self.lot_id.name, rma=rma.name,
        ))
        return picking

    def action_view_loans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("service_rma.service_loan_action")
        action["domain"] = [("id", "in", self.loan_ids.ids)]
        action["context"] = {}
        return action

    def action_plan_visit(self):
        """A visit on site for this request, planned by default an hour from
        now for its responsible."""
        self.ensure_one()
        self._check_can("plan_visit", self.env._("Planning a visit"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan a visit"),
            "res_model": "service.visit",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_request_id": self.id,
                "default_user_id": (self.user_id or self.env.user).id,
                "default_date_planned": fields.Datetime.to_string(fields.Datetime.now() + timedelta(hours=1)),
            },
        }

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("service_desk.service_visit_action")
        action["domain"] = [("request_id", "=", self.id)]
        action["context"] = {"default_request_id": self.id}
        return action

    def action_view_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("service_rma.service_rma_action")
        action["domain"] = [("service_request_id", "=", self.id)]
        action["context"] = {}
        if len(self.rma_ids) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=self.rma_ids.id)
        return action

    # -- mail gateway -------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """An e-mail to a team's alias: a new request from its sender, the
        message's body as the fault reported."""
        values = dict(custom_values or {})
        author = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        email = email_normalize(msg_dict.get("email_from") or "")
        if not author and email:
            author = self.env["res.partner"].search([("email_normalized", "=", email)], limit=1)
        if not author and email:
            author = self.env["res.partner"].create({"name": msg_dict.get("email_from"), "email": email})
        values.setdefault("title", msg_dict.get("subject") or self.env._("No subject"))
        values.setdefault("partner_id", author.id or False)
        values.setdefault("contact_email", email or False)
        values.setdefault("user_id", False)
        body = msg_dict.get("body") or ""
        values.setdefault("description", html2plaintext(body) if body else False)
        # The ticket number, not the subject, is the request's name.
        values["name"] = "/"
        with deciding():
            request = super(ServiceRequest, self.with_context(default_user_id=False)).message_new(
                msg_dict, custom_values={**values, "channel": "email"}
            )
        return request

    def message_update(self, msg_dict, update_vals=None):
        """A customer's reply to a request waiting for them puts it back in
        progress."""
        result = super().message_update(msg_dict, update_vals=update_vals)
        author_id = msg_dict.get("author_id")
        waiting = self.filtered(
            lambda request: request.state == "waiting"
            and author_id and author_id in (request.partner_id | request.commercial_partner_id).ids
        )
        if waiting:
            with deciding():
                waiting.write({"state": "in_progress"})
        return result

    # -- public fault report (the device page) --------------------------------------

    @api.model
    def _public_report_errors(self, values):
        """What is wrong with the public form's ``values``, in the visitor's
        language; empty when it may be submitted."""
        description = (values.get("description") or "").strip()
        name = (values.get("contact_name") or "").strip()
        phone = (values.get("contact_phone") or "").strip()
        email = (values.get("contact_email") or "").strip()
        errors = []
        if not description:
            errors.append(self.env._("Describe the fault."))
        elif len(description) > PUBLIC_DESCRIPTION_MAX:
            errors.append(self.env._(
                "The description is too long: at most %(max)s characters.", max=PUBLIC_DESCRIPTION_MAX,
            ))
        if not name:
            errors.append(self.env._("Give your name, so the engineer knows whom to ask for."))
        if not phone and not email:
            errors.append(self.env._("Give a phone number or an e-mail address, so we can answer you."))
        if any(len(text) > PUBLIC_FIELD_MAX for text in (name, phone, email)):
            errors.append(self.env._(
                "A name, phone number or e-mail address has at most %(max)s characters.",
                max=PUBLIC_FIELD_MAX,
            ))
        if any(MARKUP_RE.search(text) for text in (description, name, phone, email)):
            errors.append(self.env._("Write plain text: tags and scripts are not accepted."))
        if phone and not PHONE_RE.match(phone):
            errors.append(self.env._("The phone number may contain digits, spaces and + ( ) - . / only."))
        if email and not email_normalize(email):
            errors.append(self.env._("The e-mail address is not valid."))
        return errors

    @api.model
    def _report_fault_public(self, lot, values, address):
        """The public "Report a fault" form of ``lot``'s device page, as an
        anonymous visitor sends it. Returns ``{"status", "number", "token",
        "errors"}``: ``created`` (a new request, its number and status token),
        ``duplicate`` (the unit's open request's number, nothing created),
        ``limited`` (too many reports for the unit or from the address) or
        ``invalid`` (``errors`` says why; nothing created).

        Two visitors reporting the same unit at once: the row lock on the unit
        makes the second wait for the first, but the second's snapshot may
        predate the first's commit, so the partial unique index on open
        device-page reports decides. The second's insert is refused, its
        request is retried by Odoo (``ConcurrencyError``), and the retry finds
        the first's request open: it answers ``duplicate`` with its number."""
        answer = {"status": "invalid", "number": False, "token": False, "errors": []}
        errors = self._public_report_errors(values)
        if errors:
            return {**answer, "errors": errors}
        self.env.cr.execute(SQL("SELECT id FROM stock_lot WHERE id = %s FOR UPDATE", lot.id))
        Attempt = self.env["service.report.attempt"].sudo()
        address_hash = Attempt._hash_address(address)
        if Attempt._over_limit(lot, address_hash):
            return {**answer, "status": "limited"}
        Attempt.create({"lot_id": lot.id, "address_hash": address_hash})
        Request = self.sudo()
        open_request = Request.search([("lot_id", "=", lot.id), ("state", "in", OPEN_STATES)], limit=1)
        if open_request:
            return {**answer, "status": "duplicate", "number": open_request.name}
        # No savepoint around the insert: a refused insert ends this
        # transaction anyway, as Odoo's retry rolls it back before replaying.
        try:
            with deciding():
                request = Request.create(self._prepare_public_report_vals(lot, values))
                self.env.flush_all()
        except UniqueViolation as error:
            raise ConcurrencyError(f"two public fault reports for lot {lot.id} at the same time") from error
        token = request._ensure_status_token()
        return {**answer, "status": "created", "number": request.name, "token": token}

    @api.model
    def _prepare_public_report_vals(self, lot, values):
        lot = lot.sudo()
        description = values["description"].strip()
        first_line = description.splitlines()[0][:80]
        company = lot.warranty_id.company_id or lot.company_id or self.env.company
        return {
            "title": self.env._("Fault reported on the device page: %(fault)s", fault=first_line),
            "description": description,
            "lot_id": lot.id,
            "company_id": company.id,
            "channel": "device_page",
            "user_id": False,
            "support_mode": "phone",
            "contact_name": values["contact_name"].strip(),
            "contact_phone": (values.get("contact_phone") or "").strip() or False,
            "contact_email": email_normalize(values.get("contact_email") or "") or False,
            # The status page's token with the request, not written after it.
            "status_token": secrets.token_urlsafe(STATUS_TOKEN_BYTES),
        }

    # -- portal ------------------------------------------------------------------

    @api.model
    def _portal_request_errors(self, values):
        """What is wrong with the portal's "Request service" form."""
        title = (values.get("title") or "").strip()
        description = (values.get("description") or "").strip()
        errors = []
        if not title:
            errors.append(self.env._("Say in a few words what is wrong."))
        elif len(title) > PUBLIC_FIELD_MAX:
            errors.append(self.env._("The subject has at most %(max)s characters.", max=PUBLIC_FIELD_MAX))
        if len(description) > PUBLIC_DESCRIPTION_MAX:
            errors.append(self.env._(
                "The description is too long: at most %(max)s characters.", max=PUBLIC_DESCRIPTION_MAX,
            ))
        if values.get("severity") not in dict(SEVERITIES):
            errors.append(self.env._("Choose how serious the fault is."))
        if any(MARKUP_RE.search(text) for text in (title, description)):
            errors.append(self.env._("Write plain text: tags and scripts are not accepted."))
        return errors

    @api.model
    def _create_from_portal(self, partner, lot, values):
        """A portal customer's request, for ``partner`` and one of their units
        (``lot``, maybe empty), from a form ``_portal_request_errors`` passed."""
        company = (
            lot.sudo().warranty_id.company_id or lot.company_id or partner.company_id or self.env.company
        )
        with deciding():
            return self.sudo().create({
                "title": values["title"].strip(),
                "description": (values.get("description") or "").strip() or False,
                "severity": values["severity"],
                "partner_id": partner.id,
                "lot_id": lot.id or False,
                "company_id": company.id,
                "channel": "portal",
                "user_id": False,
                "contact_name": partner.name,
                "contact_email": partner.email or False,
                "contact_phone": partner.phone or False,
            })

    # -- public status page ------------------------------------------------------

    def _ensure_status_token(self):
        for request in self.sudo().filtered(lambda request: not request.status_token):
            with deciding():
                request.status_token = secrets.token_urlsafe(STATUS_TOKEN_BYTES)
        return self.sudo().status_token

    def _get_public_status_values(self):
        """What the public status page may show: the number, the state and
        the dates, as plain values (no record reaches the template)."""
        self.ensure_one()
        request = self.sudo()
        states = dict(self._fields["state"]._description_selection(self.env))
        return {
            "number": request.name,
            "state": request.state,
            "state_label": states[request.state],
            "date_request": request.date_request,
            "response_deadline": request.response_deadline,
            "resolution_deadline": request.resolution_deadline,
            "date_responded": request.date_responded,
            "date_solved": request.date_solved,
            "date_closed": request.date_closed,
        }

    @api.model
    def _find_by_status_token(self, number, token):
        if not number or not token or len(token) > 64 or len(number) > 64:
            return self.browse()
        request = self.sudo().search([("name", "=", number), ("status_token", "=", token)], limit=1)
        if request and consteq(request.status_token, token):
            return request
        return self.browse()

    # -- SLA cron -------------------------------------------------------------------

    @api.model
    def _cron_sla_warning(self):
        """Every quarter of an hour: one to-do for the responsible of each open
        request whose next deadline falls within the hour (once per request)."""
        now = fields.Datetime.now()
        soon = now + timedelta(hours=1)
        near = self.search([
            ("state", "in", OPEN_STATES),
            ("sla_warned", "=", False),
            "|", "|",
            "&", ("date_responded", "=", False), ("response_deadline", "<=", soon),
            "&", ("date_arrived", "=", False), ("arrival_deadline", "<=", soon),
            "&", ("date_solved", "=", False), ("resolution_deadline", "<=", soon),
        ])
        self.env["mail.activity"]._create_todos(
            near, lambda request: self.env._(
                "A service deadline of %(name)s is near (%(title)s)", name=request.name, title=request.title,
            ),
        )
        with deciding():
            near.write({"sla_warned": True})
        return len(near)
