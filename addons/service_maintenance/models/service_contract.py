from datetime import timedelta
from itertools import pairwise

from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

from ..coverage import AT_COST, LEVELS, Period, coverage_on, standard_periods
from .service_contract_report import REPORT_FREQUENCIES, period_of, previous_period

MANAGER_GROUP = "service_maintenance.group_maintenance_manager"
# The states in which a contract covers its units: what the coverage look-up,
# the renewal reminder and the expiry cron read.
RUNNING_STATES = ("running",)
# Written only by the contract's actions and crons.
DECIDED_FIELDS = ("name", "state", "renewal_reminded", "date_cancelled")
COVERAGE_LEVELS = [
    ("warranty", "Warranty: free"),
    ("maintenance", "Maintenance: on-site maintenance free, parts at cost"),
    ("lifetime", "Lifetime service: at cost"),
]


class ServiceContract(models.Model):
    """A customer's maintenance contract over their installed units: from its
    start to its end, a coverage level per period (warranty, maintenance,
    lifetime service), and a reminder to its responsible before it ends."""

    _name = "service.contract"
    _description = "Maintenance Contract"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "service.decided.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id"]

    name = fields.Char(
        string="Contract", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True, tracking=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer company",
    )
    user_id = fields.Many2one(
        "res.users", string="Engineer", check_company=True, tracking=True, index="btree_not_null",
        domain="[('share', '=', False)]", default=lambda self: self.env.user,
        help="Runs the contract's service and gets its renewal reminder.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("expired", "Expired"), ("cancel", "Cancelled")],
        default="draft", required=True, copy=False, tracking=True, index=True,
    )
    date_start = fields.Date(string="Start", required=True, tracking=True, default=fields.Date.context_today)
    date_end = fields.Date(
        string="End", tracking=True,
        help="The last day of the contract; empty when its last period (lifetime service) has no end.",
    )
    lot_ids = fields.Many2many(
        "stock.lot", "service_contract_lot_rel", "contract_id", "lot_id", string="Units covered",
        check_company=True, domain="[('product_id.tracking', '=', 'serial')]",
    )
    unit_count = fields.Integer(compute="_compute_unit_count", string="Unit count")
    sale_order_ids = fields.Many2many(
        "sale.order", "service_contract_sale_order_rel", "contract_id", "order_id", string="Sale orders",
        check_company=True, domain="[('partner_id', 'child_of', commercial_partner_id)]",
        help="'Add the delivered units' adds the serial numbers these orders delivered to the customer.",
    )
    period_ids = fields.One2many(
        "service.contract.period", "contract_id", string="Coverage periods", copy=True
    )
    coverage_level = fields.Selection(
        COVERAGE_LEVELS, compute="_compute_coverage_level", string="Coverage today",
    )
    renewal_days = fields.Integer(
        string="Remind before the end (days)", default=60,
        help="The engineer gets a to-do that many days before the contract ends.",
    )
    renewal_reminded = fields.Boolean(string="Renewal reminder sent", readonly=True, copy=False)
    date_cancelled = fields.Date(string="Cancelled on", readonly=True, copy=False)
    notes = fields.Html(string="Terms")
    checklist_ids = fields.One2many("service.checklist", "contract_id", string="Checklists")
    checklist_count = fields.Integer(compute="_compute_checklist_count", string="Checklist count")
    report_frequency = fields.Selection(
        REPORT_FREQUENCIES, string="Service report", default="none", required=True, tracking=True,
        help="How often the customer's contact gets the periodic service report (服务报告), by e-mail and "
        "in their portal: after each calendar month or quarter.",
    )
    report_contact_id = fields.Many2one(
        "res.partner", string="Report to", compute="_compute_report_contact_id", store=True, readonly=False,
        precompute=True, check_company=True, tracking=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
        help="The customer's contact who gets the periodic service reports, in their language.",
    )
    report_ids = fields.One2many("service.contract.report", "contract_id", string="Service reports")
    report_count = fields.Integer(compute="_compute_report_count", string="Report count")
    can_start = fields.Boolean(compute="_compute_can", string="Can start")
    can_expire = fields.Boolean(compute="_compute_can", string="Can expire")
    can_cancel = fields.Boolean(compute="_compute_can", string="Can cancel")
    can_renew = fields.Boolean(compute="_compute_can", string="Can renew")

    _name_company_unique = models.Constraint(
        "UNIQUE (name, company_id)", "A contract number must be unique per company."
    )
    _dates_in_order = models.Constraint(
        "CHECK (date_end IS NULL OR date_end >= date_start)", "A contract cannot end before it starts."
    )

    def _compute_unit_count(self):
        for contract in self:
            contract.unit_count = len(contract.lot_ids)

    @api.depends("partner_id")
    def _compute_report_contact_id(self):
        for contract in self:
            if contract.report_contact_id.commercial_partner_id != contract.partner_id.commercial_partner_id:
                contract.report_contact_id = contract.partner_id

    def _compute_report_count(self):
        counts = dict(self.env["service.contract.report"]._read_group(
            [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
        ))
        for contract in self:
            contract.report_count = counts.get(contract, 0)

    @api.depends("period_ids.level", "period_ids.date_from", "period_ids.date_to", "state")
    @api.depends_context("date")
    def _compute_coverage_level(self):
        today = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        for contract in self:
            coverage = contract._get_coverage(today)
            contract.coverage_level = coverage.level if coverage else False

    @api.depends_context("uid")
    @api.depends("state", "lot_ids", "date_end")
    def _compute_can(self):
        """The contract's state machine, read by the buttons and the actions."""
        manager = self.env.su or self.env.user.has_group(MANAGER_GROUP)
        today = fields.Date.context_today(self)
        for contract in self:
            state = contract.state
            contract.can_start = manager and state == "draft"
            contract.can_expire = manager and state == "running" and bool(contract.date_end) and (
                contract.date_end < today
            )
            contract.can_cancel = manager and state in ("draft", "running")
            contract.can_renew = manager and state in ("running", "expired") and bool(contract.date_end)

    def _compute_access_url(self):
        for contract in self:
            contract.access_url = f"/my/service-contracts/{contract.id}"

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for contract in self:
            contract.display_name = (
                f"{contract.name} - {contract.partner_id.name}" if contract.partner_id else contract.name
            )

    @api.constrains("period_ids", "date_start", "date_end")
    def _check_periods(self):
        for contract in self:
            periods = contract.period_ids.sorted("date_from")
            for period in periods:
                if period.date_from < contract.date_start or (
                    contract.date_end and period.date_to and period.date_to > contract.date_end
                ):
                    raise ValidationError(self.env._(
                        "The %(level)s period of %(contract)s lies outside the contract's dates.",
                        level=period._level_label(), contract=contract.display_name,
                    ))
            for before, after in pairwise(periods):
                if not before.date_to or before.date_to >= after.date_from:
                    raise ValidationError(self.env._(
                        "The periods of %(contract)s overlap: each day has one coverage level.",
                        contract=contract.display_name,
                    ))

    @api.constrains("lot_ids", "partner_id", "state")
    def _check_units_of_the_customer(self):
        """A running contract covers units the customer owns: their live or
        expired certificates name the customer's company."""
        for contract in self.filtered(lambda c: c.state == "running"):
            foreign = contract.lot_ids.sudo().filtered(
                lambda lot, c=contract: lot.warranty_id
                and lot.warranty_id.commercial_partner_id != c.commercial_partner_id
            )
            if foreign:
                raise ValidationError(self.env._(
                    "%(serials)s belong to another customer than %(customer)s.",
                    serials=", ".join(foreign.mapped("name")), customer=contract.partner_id.display_name,
                ))

    @api.constrains("report_contact_id", "partner_id")
    def _check_report_contact(self):
        for contract in self.filtered("report_contact_id"):
            if contract.report_contact_id.commercial_partner_id != contract.commercial_partner_id:
                raise ValidationError(self.env._(
                    "%(contact)s is not a contact of %(customer)s: the service reports go to the customer.",
                    contact=contract.report_contact_id.display_name,
                    customer=contract.partner_id.display_name,
                ))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                sequence = self.env["ir.sequence"].with_company(company)
                vals["name"] = sequence.next_by_code("service.contract") or "/"
        contracts = super().create(vals_list)
        for partner in contracts.partner_id:
            of_partner = contracts.filtered(lambda c, p=partner: c.partner_id == p)
            of_partner.message_subscribe(partner_ids=partner.ids)
        return contracts

    def _decided_fields(self):
        how = self.env._("Use the contract's buttons (start, renew, cancel).")
        return dict.fromkeys(DECIDED_FIELDS, how)

    def _decided_create_fields(self):
        allowed = {name: None for name in DECIDED_FIELDS if name != "name"}
        allowed["state"] = ("draft",)
        return allowed

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(contract.state not in ("draft", "cancel") for contract in self):
            raise UserError(self.env._(
                "Only draft or cancelled contracts can be deleted: cancel it instead."
            ))

    def _compute_checklist_count(self):
        counts = dict(self.env["service.checklist"]._read_group(
            [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
        ))
        for contract in self:
            contract.checklist_count = counts.get(contract, 0)

    def action_new_checklists(self):
        """Today's checklists: one per unit of the contract, in one create."""
        self.ensure_one()
        if self.state != "running":
            raise UserError(self.env._("Only a running contract's units are inspected."))
        checklists = self.env["service.checklist"].create([
            {"contract_id": self.id, "lot_id": lot.id, "company_id": self.company_id.id,
             "user_id": (self.user_id or self.env.user).id}
            for lot in self.lot_ids
        ])
        return self._checklists_action([("id", "in", checklists.ids)])

    def action_view_checklists(self):
        self.ensure_one()
        return self._checklists_action([("contract_id", "=", self.id)])

    def _checklists_action(self, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id("service_maintenance.service_checklist_action")
        action["domain"] = domain
        action["context"] = {"default_contract_id": self.id}
        return action

    def action_scan_units(self):
        """The scan screen: units into the contract one scan after another."""
        self.ensure_one()
        self.check_access("write")
        wizard = self.env["service.contract.scan"].create({"contract_id": self.id})
        return {
            "type": "ir.actions.act_window", "res_model": wizard._name, "res_id": wizard.id,
            "view_mode": "form", "target": "new", "name": self.env._("Scan units"),
        }

    def action_view_reports(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_maintenance.service_contract_report_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {}
        return action

    # -- periodic service reports ------------------------------------------------

    def action_generate_report(self):
        """On demand: the report of the current period up to today, as a
        draft to look over (pick the typical cases) and send. The period's
        report is made once: a second click refreshes the draft, or opens the
        report already sent."""
        self.ensure_one()
        if self.state not in ("running", "expired"):
            raise UserError(self.env._("Only a started contract has service to report."))
        today = fields.Date.context_today(self)
        start, end = self._report_period(today, previous=False)
        Report = self.env["service.contract.report"]
        report = Report.search([("contract_id", "=", self.id), ("period_start", "=", start)], limit=1)
        if not report:
            with deciding():
                report = Report.create(self._prepare_report_vals(start, end))
        elif report.state == "draft":
            with deciding():
                report.period_end = end
            report._compute_figures()
        return report.get_formview_action()

    def _report_period(self, day, previous=True):
        """The report period of the contract's frequency (monthly when it has
        none: an on-demand report) that ended before ``day`` (``previous``) or
        that contains it, within the contract's dates; it ends ``day`` at the
        latest. ``None`` when the contract did not run then."""
        self.ensure_one()
        frequency = self.report_frequency if self.report_frequency != "none" else "monthly"
        start, end = (previous_period if previous else period_of)(frequency, day)
        start = max(start, self.date_start)
        end = min(end, day, self.date_end or end)
        return (start, end) if start <= end else None

    def _prepare_report_vals(self, start, end):
        self.ensure_one()
        return {
            "contract_id": self.id, "period_start": start, "period_end": end,
            "contact_id": (self.report_contact_id or self.partner_id).id,
        }

    @api.model
    def _cron_periodic_reports(self):
        """Daily: each running contract with a report frequency gets the
        report of its last ended period once: made, its PDF rendered in the
        contact's language and e-mailed through the mail queue. A draft of
        that period made on demand is refreshed and sent instead; a sent one
        is left. A contact without an e-mail address gets the report in the
        portal only, and the engineer a to-do. Two searches and one create
        for every contract due."""
        today = fields.Date.context_today(self)
        contracts = self.search([("state", "in", RUNNING_STATES), ("report_frequency", "!=", "none")])
        # The last period that ended before today's began: today's is not over.
        due = {contract: contract._report_period(today) for contract in contracts}
        due = {contract: period for contract, period in due.items() if period}
        if not due:
            return self.env["service.contract.report"]
        Report = self.env["service.contract.report"]
        existing = {
            (report.contract_id, report.period_start): report
            for report in Report.search([
                ("contract_id", "in", [contract.id for contract in due]),
                ("period_start", "in", list({period[0] for period in due.values()})),
            ])
        }
        drafts = Report.browse()
        new_vals = []
        for contract, (start, end) in due.items():
            report = existing.get((contract, start))
            if not report:
                new_vals.append(contract._prepare_report_vals(start, end))
            elif report.state == "draft" and report.contact_id.email:
                drafts |= report
        with deciding():
            for report in drafts:
                report.period_end = due[report.contract_id][1]
            created = Report.create(new_vals)
        drafts._compute_figures()
        reports = drafts | created
        to_send = reports.filtered("contact_id.email")
        to_send._send()
        for report in reports - to_send:
            report.contract_id.activity_schedule(
                "mail.mail_activity_data_todo", user_id=(report.contract_id.user_id or self.env.user).id,
                summary=self.env._("Send the service report %(report)s", report=report.name),
                note=self.env._(
                    "%(contact)s has no e-mail address: the report is in their portal only.",
                    contact=report.contact_id.display_name,
                ),
            )
        return reports

    # -- coverage ---------------------------------------------------------------

    def _get_periods(self):
        self.ensure_one()
        return [
            Period(period.level, period.date_from, period.date_to or None)
            for period in self.period_ids.sorted("date_from")
        ]

    def _get_coverage(self, day):
        """What the contract grants on ``day`` (a ``coverage.Coverage``), or
        ``None``: not running, or no period that day."""
        self.ensure_one()
        if self.state not in RUNNING_STATES:
            return None
        return coverage_on(self._get_periods(), day)

    @api.model
    def _coverage_for_lot(self, lot, day=None):
        """The coverage a running contract gives ``lot`` on ``day`` (default
        today), with the contract: ``(coverage, contract)``, or ``(None, empty)``.
        One indexed query whatever the number of contracts."""
        day = fields.Date.to_date(day) or fields.Date.context_today(self)
        contracts = self.sudo().search([
            ("lot_ids", "in", lot.ids), ("state", "in", RUNNING_STATES), ("date_start", "<=", day),
        ], order="date_start desc, id desc")
        for contract in contracts:
            coverage = contract._get_coverage(day)
            if coverage:
                return coverage, contract
        return None, self.browse()

    @api.model
    def _cost_terms_for_lot(self, lot, day):
        """What the at-cost billing path charges for ``lot`` serviced on
        ``day`` under the running contract that covers it then, as
        ``_service_cost_terms`` answers (``{"parts", "labour", "visit_fee"}``:
        charged or not), or ``None`` when no contract covers it: warranty
        charges nothing, maintenance the parts only, lifetime everything."""
        coverage, _contract = self._coverage_for_lot(lot, day)
        if not coverage:
            return None
        return {"parts": coverage.parts == AT_COST, "labour": coverage.labour == AT_COST,
                "visit_fee": coverage.visit == AT_COST}

    # -- actions ----------------------------------------------------------------


    def action_start(self):
        self._check_can("start", self.env._("Starting"))
        empty = self.filtered(lambda contract: not contract.lot_ids or not contract.period_ids)
        if empty:
            raise UserError(self.env._(
                "%(contracts)s needs units and coverage periods before it starts.",
                contracts=", ".join(empty.mapped("name")),
            ))
        with deciding():
            self.write({"state": "running"})
        for contract in self:
            contract._portal_ensure_token()

    def action_cancel(self):
        self._check_can("cancel", self.env._("Cancelling"))
        with deciding():
            self.write({"state": "cancel", "date_cancelled": fields.Date.context_today(self)})
        self.activity_unlink(["mail.mail_activity_data_todo"])

    def action_expire(self):
        self._check_can("expire", self.env._("Expiring"))
        self._expire()

    def _expire(self):
        with deciding():
            self.write({"state": "expired"})
        for contract in self:
            contract.message_post(body=self.env._("The contract ended on %(date)s.", date=contract.date_end))

    def action_renew(self):
        """A new draft contract for the same customer and units, from the day
        after this one ends, with the same length and periods shifted."""
        self._check_can("renew", self.env._("Renewing"))
        renewals = self.browse()
        for contract in self:
            renewals |= self.create(contract._prepare_renewal_vals())
        if len(renewals) == 1:
            return renewals.get_formview_action()
        return {"type": "ir.actions.act_window", "res_model": self._name, "view_mode": "list,form",
                "domain": [("id", "in", renewals.ids)], "name": self.env._("Renewals")}

    def _prepare_renewal_vals(self):
        self.ensure_one()
        shift = self.date_end - self.date_start + timedelta(days=1)
        return {
            "partner_id": self.partner_id.id, "company_id": self.company_id.id, "user_id": self.user_id.id,
            "date_start": self.date_end + timedelta(days=1), "date_end": self.date_end + shift,
            "lot_ids": [Command.set(self.lot_ids.ids)], "renewal_days": self.renewal_days,
            "period_ids": [
                Command.create({
                    "level": period.level, "date_from": period.date_from + shift,
                    "date_to": period.date_to and period.date_to + shift,
                })
                for period in self.period_ids
            ],
        }

    def action_standard_periods(self):
        """The vendors' usual terms from the start: one year of warranty, three
        of maintenance, then lifetime service (the contract then has no end)."""
        for contract in self:
            if contract.state != "draft":
                raise UserError(self.env._("Only a draft contract's periods can be replaced."))
            periods = standard_periods(contract.date_start)
            contract.write({
                "date_end": False,
                "period_ids": [Command.clear()] + [
                    Command.create({
                        "level": p.level, "date_from": p.date_from, "date_to": p.date_to or False,
                    })
                    for p in periods
                ],
            })

    def action_add_delivered_units(self):
        """Add the serial numbers the contract's sale orders delivered to the
        customer (done deliveries only), in one read of their move lines."""
        for contract in self:
            lines = self.env["stock.move.line"].search([
                ("move_id.sale_line_id.order_id", "in", contract.sale_order_ids.ids),
                ("state", "=", "done"), ("lot_id", "!=", False),
                ("location_dest_id.usage", "=", "customer"),
            ])
            if not lines:
                raise UserError(self.env._(
                    "The sale orders of %(contract)s delivered no serial-numbered unit yet.",
                    contract=contract.display_name,
                ))
            contract.lot_ids = [Command.link(lot.id) for lot in lines.lot_id]

    # -- crons -------------------------------------------------------------------

    @api.model
    def _cron_renewal_and_expiry(self):
        """Daily: a to-do for the engineer of each running contract that ends
        within its reminder days (once), and running contracts past their end
        expire. Two searches, whatever the number of contracts."""
        today = fields.Date.context_today(self)
        due = self.search([
            ("state", "in", RUNNING_STATES), ("date_end", "!=", False), ("renewal_reminded", "=", False),
        ]).filtered(lambda c: c.date_end - timedelta(days=c.renewal_days) <= today and c.date_end >= today)
        for contract in due:
            contract.activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=contract.date_end - timedelta(days=7),
                summary=self.env._("Renew %(contract)s", contract=contract.name),
                note=self.env._("The contract ends on %(date)s.", date=contract.date_end),
                user_id=(contract.user_id or self.env.user).id,
            )
        with deciding():
            due.write({"renewal_reminded": True})
        ended = self.search([("state", "in", RUNNING_STATES), ("date_end", "<", today)])
        ended._expire()
        return due, ended


class ServiceContractPeriod(models.Model):
    _name = "service.contract.period"
    _description = "Coverage Period of a Maintenance Contract"
    _order = "contract_id, date_from"

    contract_id = fields.Many2one("service.contract", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    level = fields.Selection(COVERAGE_LEVELS, required=True, default="warranty")
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", help="Empty: no end (lifetime service).")
    parts = fields.Selection([("free", "Free"), ("at_cost", "At cost")], compute="_compute_terms")
    labour = fields.Selection([("free", "Free"), ("at_cost", "At cost")], compute="_compute_terms")
    visit = fields.Selection([("free", "Free"), ("at_cost", "At cost")], compute="_compute_terms",
                             string="On-site visit")

    _dates_in_order = models.Constraint(
        "CHECK (date_to IS NULL OR date_to >= date_from)", "A period cannot end before it starts."
    )

    @api.depends("level")
    def _compute_terms(self):
        for period in self:
            terms = LEVELS.get(period.level)
            period.parts = terms and terms.parts
            period.labour = terms and terms.labour
            period.visit = terms and terms.visit

    def _level_label(self):
        return dict(self._fields["level"]._description_selection(self.env))[self.level]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(period.contract_id.state != "draft" for period in self):
            raise UserError(self.env._(
                "The coverage of a started contract is what the customer signed: renew it to change it."
            ))

    def write(self, vals):
        if any(period.contract_id.state != "draft" for period in self):
            raise UserError(self.env._(
                "The coverage of a started contract is what the customer signed: renew it to change it."
            ))
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        contracts = self.env["service.contract"].browse([vals.get("contract_id") for vals in vals_list])
        if any(contract.state != "draft" for contract in contracts):
            raise UserError(self.env._(
                "The coverage of a started contract is what the customer signed: renew it to change it."
            ))
        return super().create(vals_list)
