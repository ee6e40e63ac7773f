"""Cost-only pricing of a repair that the warranty does not cover, without Odoo.

The customer pays what the repair cost us and nothing more: each part at its
cost, the labour hours at a cost rate, and the visit fee when the service was
on site. Amounts are in the company's currency; the models convert them to the
quotation's currency and leave taxes to Odoo.
"""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Part:
    """One part consumed by the repair.

    ``valued_amount``/``valued_quantity`` are what stock valuation recorded for
    the consumption (zero while the move is not done or not valued);
    ``standard_price`` is the product's cost price per unit of ``quantity``.
    """

    key: int
    quantity: float
    standard_price: float
    valued_amount: float = 0.0
    valued_quantity: float = 0.0


@dataclass(frozen=True)
class CostLine:
    kind: str  # "part", "labour" or "visit"
    key: int | None
    quantity: float
    unit_cost: float
    source: str  # "valuation", "cost_price", "labour_rate", "visit_fee" or "free"

    @property
    def amount(self):
        return self.quantity * self.unit_cost


def part_unit_cost(part):
    """The valuation's cost per unit where stock valuation gives one, otherwise
    the product's cost price; ``(unit_cost, source)``."""
    if part.valued_quantity and part.valued_amount:
        return abs(part.valued_amount) / abs(part.valued_quantity), "valuation"
    return part.standard_price, "cost_price"


def labour_rate(company_rate, policy_rate):
    """The policy's rate when it sets one, otherwise the company's."""
    return policy_rate if policy_rate and policy_rate > 0 else (company_rate or 0.0)


def at_cost_lines(parts, labour_hours, rate, visit_fee, on_site):
    """The lines of an at-cost quotation: one per part, labour when hours were
    spent, the visit fee when the service was on site and the policy has one.
    No margin and no markup anywhere."""
    if labour_hours < 0:
        raise ValueError("labour hours cannot be negative")
    if rate < 0 or visit_fee < 0:
        raise ValueError("a cost rate or a visit fee cannot be negative")
    lines = []
    for part in parts:
        unit_cost, source = part_unit_cost(part)
        lines.append(CostLine("part", part.key, part.quantity, unit_cost, source))
    if labour_hours:
        lines.append(CostLine("labour", None, labour_hours, rate, "labour_rate"))
    if on_site and visit_fee:
        lines.append(CostLine("visit", None, 1.0, visit_fee, "visit_fee"))
    return lines


def charged_lines(lines, parts=True, labour=True, visit_fee=True):
    """What the customer pays of ``lines`` under terms that make some cost
    components free (a maintenance contract: on-site labour and the visit fee
    free, parts at cost). A free part stays, at 0, so the bill still says it
    was used; free labour and a waived visit fee are left out."""
    kept = []
    for line in lines:
        if line.kind == "part" and not parts:
            kept.append(replace(line, unit_cost=0.0, source="free"))
        elif {"part": True, "labour": labour, "visit": visit_fee}[line.kind]:
            kept.append(line)
    return kept


def total(lines):
    return sum(line.amount for line in lines)
