"""Cost-only pricing of post-warranty repairs, without Odoo."""

import pytest


def test_valued_part_costs_what_valuation_recorded(costing):
    part = costing.Part(key=1, quantity=2, standard_price=45.0, valued_amount=-66.0, valued_quantity=2)
    assert costing.part_unit_cost(part) == (33.0, "valuation")


@pytest.mark.parametrize(("amount", "quantity"), [(0.0, 0.0), (0.0, 2.0), (50.0, 0.0)])
def test_part_without_valuation_costs_its_cost_price(costing, amount, quantity):
    part = costing.Part(
        key=1, quantity=2, standard_price=45.0, valued_amount=amount, valued_quantity=quantity
    )
    assert costing.part_unit_cost(part) == (45.0, "cost_price")


@pytest.mark.parametrize(
    ("company", "policy", "expected"), [(40.0, 0.0, 40.0), (40.0, 55.0, 55.0), (0.0, 0.0, 0.0)]
)
def test_policy_rate_overrides_the_company_rate(costing, company, policy, expected):
    assert costing.labour_rate(company, policy) == expected


def test_lines_and_total(costing):
    parts = [
        costing.Part(key=7, quantity=2, standard_price=31.0, valued_amount=60.0, valued_quantity=2),
        costing.Part(key=8, quantity=3, standard_price=8.0),
    ]
    lines = costing.at_cost_lines(parts, labour_hours=1.5, rate=40.0, visit_fee=25.0, on_site=True)
    assert [(line.kind, line.key, line.quantity, line.unit_cost, line.source) for line in lines] == [
        ("part", 7, 2, 30.0, "valuation"),
        ("part", 8, 3, 8.0, "cost_price"),
        ("labour", None, 1.5, 40.0, "labour_rate"),
        ("visit", None, 1.0, 25.0, "visit_fee"),
    ]
    assert costing.total(lines) == 60 + 24 + 60 + 25


def test_no_labour_no_visit_in_the_shop(costing):
    lines = costing.at_cost_lines([], labour_hours=0, rate=40.0, visit_fee=25.0, on_site=False)
    assert lines == []
    assert costing.total(lines) == 0


def test_on_site_without_a_fee_adds_no_line(costing):
    lines = costing.at_cost_lines([], labour_hours=1, rate=40.0, visit_fee=0.0, on_site=True)
    assert [line.kind for line in lines] == ["labour"]


@pytest.mark.parametrize(("hours", "rate", "fee"), [(-1, 40.0, 0.0), (1, -40.0, 0.0), (1, 40.0, -5.0)])
def test_negative_inputs_are_refused(costing, hours, rate, fee):
    with pytest.raises(ValueError):
        costing.at_cost_lines([], labour_hours=hours, rate=rate, visit_fee=fee, on_site=True)


def test_terms_make_labour_and_fee_free_and_keep_parts_at_cost(costing):
    parts = [costing.Part(key=7, quantity=2, standard_price=30.0)]
    lines = costing.at_cost_lines(parts, labour_hours=1.5, rate=40.0, visit_fee=25.0, on_site=True)
    charged = costing.charged_lines(lines, parts=True, labour=False, visit_fee=False)
    assert [(line.kind, line.unit_cost) for line in charged] == [("part", 30.0)]
    assert costing.total(charged) == 60.0
    assert costing.charged_lines(lines) == lines


def test_free_parts_stay_on_the_bill_at_zero(costing):
    lines = costing.at_cost_lines(
        [costing.Part(key=7, quantity=2, standard_price=30.0)], labour_hours=1, rate=40.0, visit_fee=0.0,
        on_site=True,
    )
    charged = costing.charged_lines(lines, parts=False, labour=True, visit_fee=True)
    assert [(line.kind, line.quantity, line.unit_cost, line.source) for line in charged] == [
        ("part", 2, 0.0, "free"), ("labour", 1, 40.0, "labour_rate"),
    ]
    assert costing.total(charged) == 40.0
