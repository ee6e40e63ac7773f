from datetime import datetime, time, timedelta

import pytz
from odoo import api, fields, models, tools

from ..rules import Terms

# The support calendar shipped for "round the clock": its hours are counted
# straight, without reading attendances (a 24-hour attendance ends a
# microsecond before midnight) or public holidays.
ROUND_THE_CLOCK_XMLID = "service_warranty.resource_calendar_7x24"
# How far a deadline is looked for, as plan_hours looks: 100 fortnights.
PLAN_FORTNIGHTS = 100


class ServiceWarrantyPolicy(models.Model):
    _name = "service.warranty.policy"
    _description = "Warranty Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the policy between companies.",
    )
    warranty_months = fields.Integer(
        string="Warranty (months)", default=12, required=True, tracking=True
    )
    manufacturer_months = fields.Integer(
        string="Manufacturer warranty (months)",
        tracking=True,
        help="When the manufacturer's warranty is longer than ours, it is the one that applies.",
    )
    start_on = fields.Selection(
        [
            ("delivery", "Delivery"),
            ("invoice", "Invoice"),
            ("installation", "Installation"),
        ],
        string="Warranty starts on",
        default="delivery",
        required=True,
        tracking=True,
        help="Invoice: the invoice date, the delivery date until the unit is invoiced.\n"
        "Installation: the installation date, at the latest the delivery date plus the grace period.",
    )
    install_grace_days = fields.Integer(
        string="Installation grace (days)",
        default=90,
        help="When the warranty starts on installation and none is recorded within this many "
        "days of delivery, it starts at the end of this period.",
    )
    refund_days = fields.Integer(
        string="Refund window (days)",
        help="Days during which a faulty unit is refunded, counted as 'Windows count from' says. "
        "0: no refund window.",
    )
    exchange_days = fields.Integer(
        string="Exchange window (days)",
        help="Days during which a faulty unit is exchanged, counted as 'Windows count from' says. "
        "0: no exchange window.",
    )
    windows_from = fields.Selection(
        [("delivery", "Delivery"), ("start", "Warranty start")],
        string="Windows count from",
        compute="_compute_windows_from",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        copy=False,
        tracking=True,
        help="What the refund and exchange windows count from. Delivery: the day the customer "
        "received the unit. Warranty start: for installed systems, the installation handover "
        "('7 days from installation'). Follows 'Warranty starts on' until you choose.",
    )
    extension_rule = fields.Selection(
        [("none", "No extension"), ("downtime", "Extend by the days without the unit")],
        string="After a repair",
        default="none",
        required=True,
    )
    replacement_term = fields.Selection(
        [("remaining", "Inherits the remaining term"), ("new", "Gets a new full term")],
        string="A replacement unit",
        default="remaining",
        required=True,
    )
    post_warranty_mode = fields.Selection(
        [
            ("at_cost", "Repairs billed at cost"),
            ("list_price", "Repairs billed at list price"),
            ("none", "No service after the warranty"),
        ],
        string="After the warranty",
        default="at_cost",
        required=True,
    )
    void_on_return = fields.Boolean(
        string="Void when the unit is returned",
        help="Void the certificate when the customer returns the unit through a return transfer "
        "(refunds). When unchecked the certificate stays as it is.",
    )
    loaner_threshold_hours = fields.Float(
        string="Loaner after (hours)",
        default=8.0,
        help="A customer gets a loaner unit when the repair is expected to take longer than this.",
    )
    support_calendar_id = fields.Many2one(
        "resource.calendar", string="Support hours",
        help="The hours the response and resolution clocks of RMAs and service requests run on "
        "(7x24, or 08:30-17:30 on working days), read in the company's time zone; public "
        "holidays set on the calendar do not count. Empty: round the clock.",
    )
    response_hours_urgent = fields.Float(string="Urgent: respond within (h)", default=1.0)
    response_hours_high = fields.Float(string="Serious: respond within (h)", default=2.0)
    response_hours_normal = fields.Float(string="Normal: respond within (h)", default=24.0)
    resolution_hours_urgent = fields.Float(string="Urgent: resolve within (h)", default=8.0)
    resolution_hours_high = fields.Float(string="Serious: resolve within (h)", default=24.0)
    resolution_hours_normal = fields.Float(string="Normal: resolve within (h)", default=72.0)
    exclusion_ids = fields.Many2many(
        "service.warranty.exclusion",
        string="Exclusions",
        help="Findings that void the warranty under this policy.",
    )
    reminder_days = fields.Integer(
        string="Remind before end (days)",
        default=30,
        help="Schedule an activity this many days before a certificate ends. 0: no reminder.",
    )
    terms_text = fields.Html(
        string="Terms printed on the card", translate=True, sanitize_overridable=True
    )
    warranty_count = fields.Integer(compute="_compute_warranty_count", string="Certificate count")

    _warranty_months_positive = models.Constraint(
        "CHECK (warranty_months >= 0 AND manufacturer_months >= 0)",
        "Warranty terms cannot be negative.",
    )
    _windows_positive = models.Constraint(
        "CHECK (refund_days >= 0 AND exchange_days >= 0 AND install_grace_days >= 0 "
        "AND reminder_days >= 0)",
        "Windows, grace periods and reminders are counted in days and cannot be negative.",
    )

    @api.depends("start_on")
    def _compute_windows_from(self):
        for policy in self:
            policy.windows_from = "start" if policy.start_on == "installation" else "delivery"

    def _compute_warranty_count(self):
        counts = dict(
            self.env["service.warranty"]._read_group(
                [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.warranty_count = counts.get(policy, 0)

    def action_view_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_warranty.service_warranty_action"
        )
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id}
        return action

    def _service_deadline(self, start, hours, company):
        """``start`` (naive UTC) plus ``hours`` of the policy's support hours,
        naive UTC: the one clock the RMA's and the service request's deadlines
        run on. The calendar is read in ``company``'s time zone (its partner's,
        else the calendar's own) and its public holidays (global leaves) do not
        count; without a calendar, or on the shipped 7x24, the hours run
        straight. False without a start or without hours.

        The hours are walked over the calendar's work intervals as Odoo's
        ``resource.calendar.plan_hours`` walks them (fortnight by fortnight,
        the same arithmetic, so the same deadline), the fortnights counted
        from the local midnight of the start's day and cached
        (``_support_fortnight``): every clock started on the same day, in
        this request or the next, reads the calendar once.

        Callers planning many records cache on (calendar, company, start,
        hours): the answer depends on nothing else."""
        if not start or not hours:
            return False
        calendar = self.support_calendar_id.sudo()
        # The shipped 7x24 by its cached id: env.ref() would ask the database
        # whether it still exists on every call.
        round_the_clock = self.env["ir.model.data"]._xmlid_to_res_id(
            ROUND_THE_CLOCK_XMLID, raise_if_not_found=False
        )
        if not calendar or calendar.id == round_the_clock:
            return start + timedelta(hours=hours)
        tz = company.sudo().partner_id.tz or calendar.tz or "UTC"
        day_dt = pytz.utc.localize(start)
        if hours < 0:
            # Odoo's own hook for reading a shared calendar in a given time
            # zone (hr reads an employee's calendar this way).
            calendar = calendar.with_context(employee_timezone=pytz.timezone(tz))
            deadline = calendar.plan_hours(hours, day_dt, compute_leaves=True)
            return deadline and deadline.astimezone(pytz.utc).replace(tzinfo=None)
        first_day = day_dt.astimezone(pytz.timezone(tz)).date()
        for index in range(PLAN_FORTNIGHTS):
            fortnight = self._support_fortnight(calendar.id, tz, first_day + timedelta(days=14 * index))
            for begin, stop in fortnight:
                if stop <= day_dt:
                    continue
                counted_from = max(begin, day_dt)
                interval_hours = (stop - counted_from).total_seconds() / 3600
                if hours <= interval_hours:
                    return (counted_from + timedelta(hours=hours)).replace(tzinfo=None)
                hours -= interval_hours
        return False

    @api.model
    @tools.ormcache("calendar_id", "tz", "first_day")
    def _support_fortnight(self, calendar_id, tz, first_day):
        """The work intervals of the support calendar ``calendar_id`` in the
        fortnight from ``first_day``'s midnight in ``tz``, its public holidays
        (global leaves) taken out: a tuple of (begin, stop), aware UTC.

        Cached per worker, so that a fault report or an RMA does not read the
        calendar, its hours and its holidays again: whatever changes them
        clears the cache (resource_calendar.py)."""
        zone = pytz.timezone(tz)
        # Odoo's own hook for reading a shared calendar in a given time zone
        # (hr reads an employee's calendar this way).
        calendar = self.env["resource.calendar"].sudo().browse(calendar_id).with_context(
            employee_timezone=zone
        )
        window_start = zone.localize(datetime.combine(first_day, time.min))
        window_end = zone.localize(datetime.combine(first_day + timedelta(days=14), time.min))
        intervals = calendar._work_intervals_batch(window_start, window_end)[False]
        return tuple(
            (begin.astimezone(pytz.utc), stop.astimezone(pytz.utc)) for begin, stop, _meta in intervals
        )

    def _get_terms(self):
        """The policy as the value object the pure rules read."""
        self.ensure_one()
        return Terms(
            warranty_months=self.warranty_months,
            manufacturer_months=self.manufacturer_months,
            start_on=self.start_on,
            install_grace_days=self.install_grace_days,
            refund_days=self.refund_days,
            exchange_days=self.exchange_days,
            windows_from=self.windows_from,
            post_warranty_mode=self.post_warranty_mode,
            exclusion_codes=frozenset(self.exclusion_ids.mapped("code")),
        )
