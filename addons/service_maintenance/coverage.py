"""What a maintenance contract grants on a day: plain values, no ORM.

A contract is a sequence of periods, each at one coverage level; the
vendors' usual terms are one year of warranty, then years of maintenance,
then lifetime service:

- warranty: everything free (parts, labour, on-site visits);
- maintenance: on-site maintenance free (labour and visits), parts at cost;
- lifetime: service continues at cost (parts, labour at the cost rate, the
  visit fee).

The at-cost billing path asks ``coverage_on`` what to charge.
"""

from dataclasses import dataclass
from datetime import date, timedelta

FREE = "free"
AT_COST = "at_cost"


@dataclass(frozen=True)
class Coverage:
    level: str
    parts: str
    labour: str
    visit: str

    @property
    def free(self):
        return self.parts == FREE and self.labour == FREE and self.visit == FREE


LEVELS = {
    "warranty": Coverage("warranty", parts=FREE, labour=FREE, visit=FREE),
    "maintenance": Coverage("maintenance", parts=AT_COST, labour=FREE, visit=FREE),
    "lifetime": Coverage("lifetime", parts=AT_COST, labour=AT_COST, visit=AT_COST),
}


@dataclass(frozen=True)
class Period:
    level: str
    date_from: date
    date_to: date | None = None  # open-ended (lifetime)


def coverage_on(periods, day):
    """The coverage of the period that contains ``day`` (the first one, in
    the given order, when periods overlap), else ``None``."""
    for period in periods:
        if period.date_from <= day and (period.date_to is None or day <= period.date_to):
            return LEVELS[period.level]
    return None


def standard_periods(start, warranty_years=1, maintenance_years=3):
    """The vendors' usual terms from ``start``: warranty, then maintenance,
    then lifetime service with no end."""

    def shifted(day, years):
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # 29 February
            return day.replace(year=day.year + years, day=28)

    warranty_end = shifted(start, warranty_years) - timedelta(days=1)
    maintenance_end = shifted(start, warranty_years + maintenance_years) - timedelta(days=1)
    return [
        Period("warranty", start, warranty_end),
        Period("maintenance", warranty_end + timedelta(days=1), maintenance_end),
        Period("lifetime", maintenance_end + timedelta(days=1), None),
    ]
