from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from odoo import api, fields, models
from odoo.addons.service_warranty.decisions import deciding
from odoo.exceptions import ValidationError
from odoo.tools import split_every

from ..planning import InspectionRule, add_months, due_dates, next_working_day
from .service_contract import RUNNING_STATES

# Changing any of these moves the contract's future, unstarted inspections.
PLAN_FIELDS = (
    "plan_kind", "plan_first_count", "plan_first_months", "plan_then_months", "plan_weeks",
    "plan_horizon_months", "plan_calendar_id", "plan_hours", "user_id", "date_start", "date_end",
)
CRON_BATCH = 200


def working_days(calendar, tz, date_from, date_to):
    """``{day: start of its first working hours (naive UTC)}`` of ``calendar``
    from ``date_from`` to ``date_to`` in the time zone ``tz``, public holidays
    (the calendar's leaves without a resource) left out. One call into the
    calendar's intervals (resource's private but stable API, the one
    ``plan_days`` uses) for the whole span, whatever the number of contracts.
    Without a calendar every day is a working day, from 09:00."""
    if not calendar:
        days, day = {}, date_from
        while day <= date_to:
            days[day] = tz.localize(datetime.combine(day, time(9))).astimezone(pytz.utc).replace(tzinfo=None)
            day += timedelta(days=1)
        return days
    start = tz.localize(datetime.combine(date_from, time.min))
    stop = tz.localize(datetime.combine(date_to, time.max))
    intervals = calendar._work_intervals_batch(start, stop, tz=tz)[False]
    days = {}
    for begin, _end, _records in intervals:
        days.setdefault(begin.astimezone(tz).date(), begin.astimezone(pytz.utc).replace(tzinfo=None))
    return days


def _free_name(name, taken):
    """``name``, else ``name.2``, ``name.3`` ... when a cancelled visit holds it."""
    candidate, suffix = name, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{name}.{suffix}"
    taken.add(candidate)
    return candidate


class ServiceContract(models.Model):
    """The contract's inspection plan: a rule (monthly at first, then every
    few months; or every few weeks) from which the generator keeps its
    inspection visits planned a horizon ahead, on the working days of its
    calendar, for its engineer."""

    _inherit = "service.contract"

    plan_kind = fields.Selection(
        [("none", "No inspections"), ("months", "Every few months"), ("weeks", "Every few weeks")],
        string="Inspection plan", default="none", required=True, tracking=True,
    )
    plan_first_count = fields.Integer(
        string="First inspections", default=3,
        help="How many inspections at the first interval after the start (the vendors: three, monthly).",
    )
    plan_first_months = fields.Integer(string="First interval (months)", default=1)
    plan_then_months = fields.Integer(string="Then every (months)", default=3)
    plan_weeks = fields.Integer(string="Every (weeks)", default=4)
    plan_horizon_months = fields.Integer(
        string="Plan ahead (months)", default=12,
        help="The inspections due within that many months from today are planned; a daily job adds the next.",
    )
    plan_calendar_id = fields.Many2one(
        "resource.calendar", string="Working days", check_company=True,
        help="Inspections due on a day off move to the next working day of this calendar; "
        "empty: the company's working hours.",
    )
    plan_hours = fields.Float(string="Inspection duration (h)", default=2.0)
    inspection_ids = fields.One2many(
        "service.visit", "contract_id", string="Inspections", domain=[("visit_type", "=", "inspection")],
    )
    inspection_count = fields.Integer(compute="_compute_inspection_count", string="Inspection count")

    _plan_intervals_positive = models.Constraint(
        "CHECK (plan_first_count >= 0 AND plan_horizon_months >= 0)",
        "The number of first inspections and the horizon cannot be negative.",
    )

    def _compute_inspection_count(self):
        counts = dict(self.env["service.visit"]._read_group(
            [("contract_id", "in", self.ids), ("visit_type", "=", "inspection")], ["contract_id"], ["__count"]
        ))
        for contract in self:
            contract.inspection_count = counts.get(contract, 0)

    @api.constrains("plan_kind", "plan_first_count", "plan_first_months", "plan_then_months", "plan_weeks")
    def _check_plan(self):
        for contract in self.filtered(lambda c: c.plan_kind != "none"):
            try:
                contract._inspection_rule()
            except ValueError as error:
                raise ValidationError(self.env._(
                    "The inspection plan of %(contract)s never moves on: every interval must be at least "
                    "one month or one week.", contract=contract.display_name,
                )) from error

    def write(self, vals):
        result = super().write(vals)
        if any(name in vals for name in PLAN_FIELDS):
            self._generate_inspections()
        return result

    def action_start(self):
        result = super().action_start()
        self._generate_inspections()
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self._generate_inspections()
        return result

    def _expire(self):
        result = super()._expire()
        self._generate_inspections()
        return result

    def action_generate_inspections(self):
        self._generate_inspections()
        return self.action_view_inspections() if len(self) == 1 else True

    def action_view_inspections(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_maintenance.service_inspection_action"
        )
        action["domain"] = [("contract_id", "=", self.id), ("visit_type", "=", "inspection")]
        action["context"] = {"default_contract_id": self.id, "default_visit_type": "inspection"}
        return action

    def _portal_inspections(self):
        """The finished inspections whose report the customer may download."""
        self.ensure_one()
        done = self.inspection_ids.filtered(lambda visit: visit.state == "done")
        return done.sorted("date_finished", reverse=True)

    # -- the plan ---------------------------------------------------------------

    def _inspection_rule(self):
        self.ensure_one()
        return InspectionRule(
            kind=self.plan_kind, first_count=self.plan_first_count, first_months=self.plan_first_months,
            then_months=self.plan_then_months, weeks=self.plan_weeks,
        )

    def _inspection_calendar(self):
        self.ensure_one()
        return self.plan_calendar_id or self.company_id.resource_calendar_id

    def _inspection_tz(self, calendar):
        """Where the working days are counted: the company's time zone, else the calendar's."""
        self.ensure_one()
        return pytz.timezone(self.company_id.partner_id.tz or calendar.tz or "UTC")

    def _planned_inspections(self, today, now):
        """``{contract: {sequence: (start, day)}}``: the plan's future
        inspections within the horizon, each moved to a working day and
        starting with that day's working hours. One read of working days per
        calendar and time zone, however many contracts share it."""
        due = {}
        spans = {}
        for contract in self:
            until = add_months(today, contract.plan_horizon_months)
            dates = due_dates(contract._inspection_rule(), contract.date_start, until, contract.date_end)
            due[contract] = [(seq, day) for seq, day in dates if day >= today]
            calendar = contract._inspection_calendar()
            key = (calendar, contract._inspection_tz(calendar))
            last = max([day for _seq, day in due[contract]], default=today)
            spans[key] = max(spans.get(key, today), last)
        days_by_key = {
            key: working_days(key[0], key[1], today, last + timedelta(days=31)) for key, last in spans.items()
        }
        planned = {}
        for contract, dates in due.items():
            calendar = contract._inspection_calendar()
            days = days_by_key[calendar, contract._inspection_tz(calendar)]
            planned[contract] = {}
            for sequence, day in dates:
                work_day = next_working_day(day, days)
                if work_day and days[work_day] > now:
                    planned[contract][sequence] = (days[work_day], work_day)
        return planned

    def _generate_inspections(self):
        """Keep each contract's inspection visits as its plan says, idempotently:
        the missing ones are made in one create, future unstarted ones move to
        their new date or engineer, and future unstarted ones the plan no
        longer has are cancelled (their plan number freed). Started, done or
        past visits are never touched. Each visit is keyed by (contract, plan
        number) under a unique index: a second, concurrent run that missed the
        first's visits fails on it and creates nothing.

        Queries do not grow with the number of contracts: one search of the
        existing visits, one working-day read per calendar, one create, one
        write per new date."""
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        Visit = self.env["service.visit"]
        planning = self.filtered(lambda c: c.state in RUNNING_STATES and c.plan_kind != "none")
        planned = planning._planned_inspections(today, now)
        of_contracts = Visit.search([("contract_id", "in", self.ids), ("visit_type", "=", "inspection")])
        existing = of_contracts.filtered("plan_sequence")
        by_key = {(visit.contract_id.id, visit.plan_sequence): visit for visit in existing}
        taken = set(of_contracts.mapped("name"))
        vals_list, moves = [], defaultdict(lambda: Visit)
        for contract, inspections in planned.items():
            engineer = contract.user_id or self.env.user
            for sequence, (start, _day) in inspections.items():
                visit = by_key.get((contract.id, sequence))
                if not visit:
                    vals = contract._prepare_inspection_vals(sequence, start, engineer)
                    vals["name"] = _free_name(vals["name"], taken)
                    vals_list.append(vals)
                elif visit.state == "planned" and visit.date_planned > now and (
                    visit.date_planned != start or visit.user_id != engineer
                ):
                    moves[start, engineer] |= visit
        dropped = existing.filtered(lambda visit: (
            visit.state == "planned" and visit.date_planned > now
            and visit.plan_sequence not in planned.get(visit.contract_id, {})
        ))
        for (start, engineer), visits in moves.items():
            visits.write({"date_planned": start, "user_id": engineer.id})
        if dropped:
            with deciding():
                dropped.write({"state": "cancel", "plan_sequence": False})
            # Their plan numbers are free before the new visits take them (the unique index).
            dropped.flush_recordset(["plan_sequence"])
        with deciding():
            return Visit.with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True, mail_auto_subscribe_no_notify=True,
            ).create(vals_list)

    def _prepare_inspection_vals(self, sequence, start, engineer):
        """The visit of the plan's ``sequence``-th inspection; its number is the
        contract's with the plan number (no sequence drawn per visit)."""
        self.ensure_one()
        return {
            "visit_type": "inspection",
            "name": f"{self.name}-{sequence:02d}",
            "contract_id": self.id,
            "plan_sequence": sequence,
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "user_id": engineer.id,
            "date_planned": start,
            "planned_hours": self.plan_hours,
        }

    @api.model
    def _cron_generate_inspections(self):
        """Daily: every running contract with a plan gets the inspections of
        its horizon, by batches of contracts."""
        contracts = self.search([("state", "in", RUNNING_STATES), ("plan_kind", "!=", "none")])
        visits = self.env["service.visit"]
        for ids in split_every(CRON_BATCH, contracts.ids):
            visits |= self.browse(ids)._generate_inspections()
        return visits
