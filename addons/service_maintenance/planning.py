"""When a contract's inspections fall due: plain date arithmetic, no ORM.

The models translate a contract into an ``InspectionRule`` and the support
calendar into a set of working days; these functions answer the dates.
A due date is numbered by its place in the plan (1, 2, 3 ...): that number
is the visit's key, so running the plan again finds the visits it made and
a changed plan moves the n-th visit instead of adding one.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("months", "weeks")
# A working day is searched this far at most: a calendar without any working
# day would otherwise loop for ever.
MAX_SHIFT_DAYS = 31


@dataclass(frozen=True)
class InspectionRule:
    """``months``: ``first_count`` inspections every ``first_months`` months
    from the start, then one every ``then_months`` months (the vendors'
    "monthly for the first three months, then quarterly"); ``weeks``: one
    every ``weeks`` weeks from the start."""

    kind: str = "months"
    first_count: int = 3
    first_months: int = 1
    then_months: int = 3
    weeks: int = 4

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown plan kind {self.kind!r}")
        if self.kind == "months" and (self.first_count < 0 or self.then_months < 1
                                      or (self.first_count and self.first_months < 1)):
            raise ValueError("month intervals must be at least one month")
        if self.kind == "weeks" and self.weeks < 1:
            raise ValueError("the week interval must be at least one week")


def add_months(day, months):
    """``day`` moved by ``months``, on the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(rule, start, until, end=None):
    """``[(sequence, day)]`` of the inspections of a contract started on
    ``start``, up to ``until`` (and ``end``, the contract's last day, when it
    has one), both included. Each date counts from the start, not from the
    previous one, so month ends do not drift (Jan 31, Feb 28, Mar 31 ...)."""
    last = min(until, end) if end else until
    dates = []
    sequence = 0
    while True:
        sequence += 1
        day = _nth_due(rule, start, sequence)
        if day > last:
            return dates
        dates.append((sequence, day))


def _nth_due(rule, start, sequence):
    if rule.kind == "weeks":
        return start + timedelta(weeks=rule.weeks * sequence)
    if sequence <= rule.first_count:
        return add_months(start, rule.first_months * sequence)
    months = rule.first_months * rule.first_count + rule.then_months * (sequence - rule.first_count)
    return add_months(start, months)


def next_working_day(day, working_days):
    """``day`` if it is a working day, else the first working day after it
    (a Saturday's inspection moves to Monday); ``None`` when none follows
    within ``MAX_SHIFT_DAYS`` in ``working_days`` (a set of dates)."""
    for shift in range(MAX_SHIFT_DAYS + 1):
        candidate = day + timedelta(days=shift)
        if candidate in working_days:
            return candidate
    return None


def add_working_days(day, count, working_days):
    """The ``count``-th working day after ``day`` (``day`` itself not
    counted): three working days after a Thursday is the next Tuesday.
    ``None`` when ``working_days`` runs out first."""
    found = 0
    candidate = day
    for _step in range(count * (MAX_SHIFT_DAYS + 1)):
        candidate += timedelta(days=1)
        if candidate in working_days:
            found += 1
            if found == count:
                return candidate
    return None
