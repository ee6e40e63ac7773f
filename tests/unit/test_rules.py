"""The warranty rules, without Odoo: the same functions the models call."""

from datetime import date

import pytest


@pytest.fixture
def terms(rules):
    return rules.Terms(
        warranty_months=12,
        start_on="delivery",
        refund_days=7,
        exchange_days=30,
        post_warranty_mode="at_cost",
        exclusion_codes=frozenset({"misuse", "accident"}),
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 10), 36, date(2029, 3, 10)),
        (date(2026, 3, 10), 0, date(2026, 3, 10)),
    ],
)
def test_add_months(rules, day, months, expected):
    assert rules.add_months(day, months) == expected


def test_period_from_delivery(rules, terms):
    period = rules.warranty_period(terms, rules.Facts(date_delivery=date(2026, 1, 10)))
    assert period == rules.Period(date(2026, 1, 10), date(2027, 1, 9), date(2026, 1, 17), date(2026, 2, 9))


def test_nothing_dated_means_no_period(rules, terms):
    assert rules.warranty_period(terms, rules.Facts()) == rules.Period(None, None, None, None)


def test_invoice_start_falls_back_to_delivery(rules):
    terms = rules.Terms(start_on="invoice")
    facts = rules.Facts(date_delivery=date(2026, 1, 10))
    assert rules.warranty_start(terms, facts) == date(2026, 1, 10)
    facts = rules.Facts(date_delivery=date(2026, 1, 10), date_invoice=date(2026, 1, 20))
    assert rules.warranty_start(terms, facts) == date(2026, 1, 20)


@pytest.mark.parametrize(
    ("install", "expected"),
    [
        (None, date(2026, 4, 10)),  # never installed: delivery + 90 days
        (date(2026, 2, 1), date(2026, 2, 1)),
        (date(2026, 1, 1), date(2026, 1, 10)),  # recorded before delivery: delivery
        (date(2026, 9, 1), date(2026, 4, 10)),  # late: capped by the grace period
    ],
)
def test_installation_start_and_grace(rules, install, expected):
    terms = rules.Terms(start_on="installation", install_grace_days=90)
    facts = rules.Facts(date_delivery=date(2026, 1, 10), date_install=install)
    assert rules.warranty_start(terms, facts) == expected


def test_manufacturer_term_and_extensions(rules):
    terms = rules.Terms(warranty_months=24, manufacturer_months=36)
    period = rules.warranty_period(terms, rules.Facts(date_delivery=date(2026, 1, 10), extension_days=20))
    assert period.date_end == date(2029, 1, 29)


@pytest.mark.parametrize(
    ("day", "covered", "remedy", "reason"),
    [
        (date(2026, 1, 17), True, "refund", "refund_window"),
        (date(2026, 1, 18), True, "exchange", "exchange_window"),
        (date(2026, 2, 10), True, "repair", "in_warranty"),
        (date(2027, 1, 9), True, "repair", "in_warranty"),
        (date(2027, 1, 10), False, "repair_at_cost", "expired"),
    ],
)
def test_verdict_by_date(rules, terms, day, covered, remedy, reason):
    period = rules.warranty_period(terms, rules.Facts(date_delivery=date(2026, 1, 10)))
    verdict = rules.coverage(terms, period, day)
    assert (verdict.covered, verdict.remedy, verdict.reason) == (covered, remedy, reason)


@pytest.mark.parametrize(
    ("mode", "remedy"), [("at_cost", "repair_at_cost"), ("list_price", "repair_paid"), ("none", "none")]
)
def test_post_warranty_modes(rules, mode, remedy):
    terms = rules.Terms(post_warranty_mode=mode)
    period = rules.warranty_period(terms, rules.Facts(date_delivery=date(2020, 1, 1)))
    assert rules.coverage(terms, period, date(2026, 1, 1)).remedy == remedy


def test_exclusions(rules, terms):
    period = rules.warranty_period(terms, rules.Facts(date_delivery=date(2026, 1, 10)))
    verdict = rules.coverage(terms, period, date(2026, 3, 1), exclusions_found=("accident", "no_proof"))
    assert (verdict.covered, verdict.remedy, verdict.reason) == (False, "repair_at_cost", "excluded")
    assert verdict.exclusions == ("accident",), "only the policy's exclusions void it"
    verdict = rules.coverage(terms, period, date(2026, 3, 1), exclusions_found=("no_proof",))
    assert verdict.covered


@pytest.mark.parametrize(
    ("state", "remedy", "reason"),
    [("void", "none", "void"), ("replaced", "none", "replaced"), ("draft", "none", "draft"),
     ("missing", "repair_at_cost", "no_certificate")],
)
def test_states_without_coverage(rules, terms, state, remedy, reason):
    period = rules.warranty_period(terms, rules.Facts(date_delivery=date(2026, 1, 10)))
    verdict = rules.coverage(terms, period, date(2026, 3, 1), state=state)
    assert (verdict.covered, verdict.remedy, verdict.reason) == (False, remedy, reason)


@pytest.mark.parametrize(
    ("serial", "masked"),
    [("SN-2026-000123", "**********0123"), ("ABC", "***"), ("", ""), (None, "")],
)
def test_mask_serial(rules, serial, masked):
    assert rules.mask_serial(serial) == masked


def test_windows_count_from_the_warranty_start_for_installed_systems(rules):
    """'7 days from sale or from installation handover': a system delivered on
    1 October and handed over on 10 November is refundable until 17 November."""
    installed = rules.Terms(start_on="installation", install_grace_days=60, refund_days=7, exchange_days=30,
                            windows_from="start")
    facts = rules.Facts(date_delivery=date(2026, 10, 1), date_install=date(2026, 11, 10))
    period = rules.warranty_period(installed, facts)
    assert (period.refund_until, period.exchange_until) == (date(2026, 11, 17), date(2026, 12, 10))
    delivered = rules.Terms(**{**installed.__dict__, "windows_from": "delivery"})
    from_delivery = rules.warranty_period(delivered, facts)
    assert (from_delivery.refund_until, from_delivery.exchange_until) == (
        date(2026, 10, 8), date(2026, 10, 31)
    )


@pytest.mark.parametrize(
    ("remedy", "covered"),
    [("refund", True), ("exchange", True), ("repair", True), ("repair_at_cost", False),
     ("repair_paid", False), ("rejected", False), ("none", False), (False, False)],
)
def test_which_remedies_are_free(rules, remedy, covered):
    assert rules.remedy_is_covered(remedy) is covered
