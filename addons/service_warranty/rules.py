"""Pure warranty rules: policy date arithmetic and the coverage verdict.

Nothing here touches the ORM, so the rules read as plain Python and are tested
without a database (``tests/unit``). The models translate records into these
small value objects, call the functions, and turn reason codes into translated
words.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta


def add_months(day, months):
    """``day`` moved by ``months`` calendar months, clamped to the month's end
    (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Terms:
    """The part of a policy the date and coverage rules need."""

    warranty_months: int = 12
    manufacturer_months: int = 0
    start_on: str = "delivery"
    install_grace_days: int = 0
    refund_days: int = 0
    exchange_days: int = 0
    # What the refund and exchange windows count from: "delivery" (the day
    # the customer received the unit) or "start" (the warranty start, for
    # installed systems: "7 days from installation handover").
    windows_from: str = "delivery"
    post_warranty_mode: str = "at_cost"
    exclusion_codes: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class Facts:
    """The dated facts of one certificate."""

    date_sale: date | None = None
    date_delivery: date | None = None
    date_invoice: date | None = None
    date_install: date | None = None
    extension_days: int = 0


@dataclass(frozen=True)
class Period:
    date_start: date | None
    date_end: date | None
    refund_until: date | None
    exchange_until: date | None


def warranty_start(terms, facts):
    """The day the warranty clock starts, or None while nothing dates it.

    - delivery: the delivery date (the sale date for units never delivered
      through Odoo);
    - invoice: the invoice date, the delivery date until an invoice exists;
    - installation: the installation date, but no later than the delivery date
      plus the grace period: a unit nobody installs still gets its warranty
      running once the grace period is over.
    """
    handed_over = facts.date_delivery or facts.date_sale
    if terms.start_on == "invoice":
        return facts.date_invoice or handed_over
    if terms.start_on == "installation":
        if handed_over is None:
            return facts.date_install
        latest = handed_over + timedelta(days=max(terms.install_grace_days, 0))
        if facts.date_install is None:
            return latest
        return min(max(facts.date_install, handed_over), latest)
    return handed_over


def warranty_period(terms, facts):
    """Start, inclusive end, and the refund/exchange windows of a certificate.

    The longer of our term and the manufacturer's wins; extension days (repairs
    that kept the customer without the unit) push the end. Refund and exchange
    windows count from the day the customer received the unit, or from the
    warranty start when the policy says so (``windows_from``); a window of 0
    days means the policy offers no such remedy.
    """
    start = warranty_start(terms, facts)
    months = max(terms.warranty_months, terms.manufacturer_months, 0)
    end = None
    if start is not None:
        end = add_months(start, months) - timedelta(days=1) + timedelta(days=facts.extension_days)
    handed_over = facts.date_delivery or facts.date_sale
    windows_start = start if terms.windows_from == "start" else handed_over
    refund_until = exchange_until = None
    if windows_start is not None:
        if terms.refund_days > 0:
            refund_until = windows_start + timedelta(days=terms.refund_days)
        if terms.exchange_days > 0:
            exchange_until = windows_start + timedelta(days=terms.exchange_days)
    return Period(start, end, refund_until, exchange_until)


@dataclass(frozen=True)
class Verdict:
    covered: bool
    remedy: str
    reason: str  # a code; the model turns it into words
    exclusions: tuple = ()


COVERED_REMEDIES = frozenset({"refund", "exchange", "repair"})


def remedy_is_covered(remedy):
    """Whether a remedy is free to the customer: the three guarantees are;
    repairs at cost or at list price, and no remedy at all, are not. A
    manager's override is judged by the same rule as a verdict."""
    return remedy in COVERED_REMEDIES


def _post_warranty_remedy(terms):
    return {
        "at_cost": "repair_at_cost",
        "list_price": "repair_paid",
    }.get(terms.post_warranty_mode, "none")


def coverage(terms, period, on_date, state="active", exclusions_found=()):
    """What the policy grants for a unit on ``on_date``.

    ``state`` is the certificate's state, or ``"missing"`` when the serial has
    none. ``exclusions_found`` are the exclusion codes the repair shop found;
    only those the policy lists void the warranty. Returns a :class:`Verdict`
    whose ``reason`` is one of: no_certificate, void, replaced, draft,
    excluded, not_started, refund_window, exchange_window, in_warranty, expired.
    """
    if state == "missing":
        return Verdict(False, _post_warranty_remedy(terms), "no_certificate")
    if state == "void":
        return Verdict(False, "none", "void")
    if state == "replaced":
        return Verdict(False, "none", "replaced")
    if state == "draft":
        return Verdict(False, "none", "draft")
    voiding = tuple(sorted(set(exclusions_found) & set(terms.exclusion_codes)))
    if voiding:
        return Verdict(False, _post_warranty_remedy(terms), "excluded", voiding)
    if period.date_end is None:
        return Verdict(False, _post_warranty_remedy(terms), "not_started")
    if on_date > period.date_end:
        return Verdict(False, _post_warranty_remedy(terms), "expired")
    if period.refund_until and on_date <= period.refund_until:
        return Verdict(True, "refund", "refund_window")
    if period.exchange_until and on_date <= period.exchange_until:
        return Verdict(True, "exchange", "exchange_window")
    return Verdict(True, "repair", "in_warranty")


def mask_serial(serial, visible=4):
    """A serial with all but its last ``visible`` characters hidden, so a public
    page confirms which unit it is about without publishing the full serial."""
    serial = serial or ""
    if len(serial) <= visible:
        return "*" * len(serial)
    return "*" * (len(serial) - visible) + serial[-visible:]
