"""The inspection plans' date arithmetic, without Odoo: the functions the
contract's generator calls."""

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pytest

PLANNING_PATH = Path(__file__).resolve().parents[2] / "addons/service_maintenance/planning.py"


@pytest.fixture(scope="module")
def planning():
    spec = importlib.util.spec_from_file_location("service_maintenance_planning", PLANNING_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def weekdays(start, end):
    """Monday to Friday between two dates, included."""
    days = set()
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.add(day)
        day += timedelta(days=1)
    return days


def test_monthly_three_times_then_quarterly_over_a_year(planning):
    rule = planning.InspectionRule(kind="months", first_count=3, first_months=1, then_months=3)
    dates = planning.due_dates(rule, date(2027, 1, 15), until=date(2028, 1, 15))
    assert dates == [
        (1, date(2027, 2, 15)), (2, date(2027, 3, 15)), (3, date(2027, 4, 15)),
        (4, date(2027, 7, 15)), (5, date(2027, 10, 15)), (6, date(2028, 1, 15)),
    ]


def test_month_ends_do_not_drift(planning):
    rule = planning.InspectionRule(kind="months", first_count=3, first_months=1, then_months=3)
    dates = [day for _seq, day in planning.due_dates(rule, date(2027, 1, 31), until=date(2027, 8, 31))]
    assert dates == [date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 7, 31)]


def test_every_n_weeks(planning):
    rule = planning.InspectionRule(kind="weeks", weeks=2)
    dates = planning.due_dates(rule, date(2027, 3, 1), until=date(2027, 4, 12))
    assert dates == [(1, date(2027, 3, 15)), (2, date(2027, 3, 29)), (3, date(2027, 4, 12))]


def test_the_contract_end_stops_the_plan(planning):
    rule = planning.InspectionRule(kind="months", first_count=0, then_months=3)
    dates = planning.due_dates(rule, date(2027, 1, 1), until=date(2029, 1, 1), end=date(2027, 9, 30))
    assert dates == [(1, date(2027, 4, 1)), (2, date(2027, 7, 1))]


def test_sequences_are_stable_when_the_horizon_grows(planning):
    rule = planning.InspectionRule()
    short = planning.due_dates(rule, date(2027, 1, 15), until=date(2027, 6, 30))
    longer = planning.due_dates(rule, date(2027, 1, 15), until=date(2027, 12, 31))
    assert longer[: len(short)] == short
    assert [seq for seq, _day in longer] == list(range(1, len(longer) + 1))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kind": "days"}, "unknown plan kind"),
        ({"kind": "weeks", "weeks": 0}, "at least one week"),
        ({"kind": "months", "then_months": 0}, "at least one month"),
        ({"kind": "months", "first_count": 2, "first_months": 0}, "at least one month"),
    ],
)
def test_a_rule_refuses_intervals_that_never_advance(planning, values, message):
    with pytest.raises(ValueError, match=message):
        planning.InspectionRule(**values)


def test_a_saturday_moves_to_monday(planning):
    working = weekdays(date(2027, 5, 1), date(2027, 5, 31))
    assert planning.next_working_day(date(2027, 5, 15), working) == date(2027, 5, 17)
    assert planning.next_working_day(date(2027, 5, 14), working) == date(2027, 5, 14)


def test_a_holiday_week_is_skipped(planning):
    working = weekdays(date(2027, 9, 1), date(2027, 10, 31)) - {
        date(2027, 10, 1) + timedelta(days=offset) for offset in range(7)
    }
    assert planning.next_working_day(date(2027, 10, 1), working) == date(2027, 10, 8)


def test_no_working_day_at_all_answers_none(planning):
    assert planning.next_working_day(date(2027, 5, 15), set()) is None
    assert planning.add_working_days(date(2027, 5, 15), 3, set()) is None


def test_three_working_days_after_a_thursday_is_tuesday(planning):
    working = weekdays(date(2027, 5, 1), date(2027, 5, 31))
    assert planning.add_working_days(date(2027, 5, 13), 3, working) == date(2027, 5, 18)
    assert planning.add_working_days(date(2027, 5, 10), 3, working) == date(2027, 5, 13)
