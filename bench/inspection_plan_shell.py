"""Runs inside `odoo shell`: times the inspection plan generator for
BENCH_CONTRACTS running contracts of BENCH_UNITS units each (monthly for the
first three months, then quarterly; one year ahead: six inspections each),
against a bare batched `create` of the same visit records (same values and
context, other names, no plan number), in the same transaction, the one
BENCH_ORDER names first.

Prints one JSON line: {"contracts": n, "units": u, "visits": v,
"generator_seconds": s, "generator_queries": q, "create_seconds": s,
"create_queries": q, "first": name}. Setup (customers, units, contracts) is not timed;
everything is rolled back at the end.
"""

import json
import os
import time

from odoo import Command, fields
from odoo.addons.service_warranty.decisions import deciding
from odoo.tools import SQL

env = env(context=dict(env.context, tracking_disable=True))  # noqa: F821 (odoo shell global)
count = int(os.environ["BENCH_CONTRACTS"])
units = int(os.environ["BENCH_UNITS"])
today = fields.Date.context_today(env["service.contract"])
product = env["product.product"].create({"name": "Bench inspected pump", "is_storable": True,
                                         "tracking": "serial"})
customers = env["res.partner"].create([{"name": f"Bench customer {i}"} for i in range(count)])
lots = env["stock.lot"].create([
    {"name": f"INSP-{i:05d}-{u:02d}", "product_id": product.id} for i in range(count) for u in range(units)
])
engineer = env["res.users"].create({"name": "Bench engineer", "login": "bench_inspection_engineer"})
contracts = env["service.contract"].create([
    {
        "partner_id": customer.id, "user_id": engineer.id, "date_start": today,
        "lot_ids": [Command.set(lots[i * units:(i + 1) * units].ids)],
        "period_ids": [Command.create({"level": "maintenance", "date_from": today})],
    }
    for i, customer in enumerate(customers)
])
for contract in contracts:  # action_start gives each its portal token, one at a time
    contract.action_start()
# The plan is set behind the ORM's back so that setting it does not already plan.
env.cr.execute(SQL(
    "UPDATE service_contract SET plan_kind = 'months', plan_first_count = 3, plan_first_months = 1, "
    "plan_then_months = 3, plan_horizon_months = 12 WHERE id IN %s", tuple(contracts.ids),
))
env.flush_all()
env.invalidate_all()


def timed(func):
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = func()
    env.flush_all()
    return result, time.perf_counter() - started, env.cr.sql_log_count - queries


# The same visits' values, made untimed by the generator's own pieces, with
# other names and no plan number (0), so that both sets can exist together
# and the generator leaves the bare ones alone.
now = fields.Datetime.now()
vals_list = [
    {**contract._prepare_inspection_vals(sequence, start, contract.user_id),
     "name": f"{contract.name}-B{sequence:02d}", "plan_sequence": 0}
    for contract, planned in contracts._planned_inspections(today, now).items()
    for sequence, (start, _day) in planned.items()
]
env.invalidate_all()
Visit = env["service.visit"].with_context(
    mail_create_nolog=True, mail_create_nosubscribe=True, mail_auto_subscribe_no_notify=True,
)
# BENCH_ORDER says which runs first, so that a warm cache favours neither.
first = os.environ.get("BENCH_ORDER", "generator")
runs = {}
for name in ([first] + [n for n in ("generator", "create") if n != first]):
    with deciding():
        runs[name] = timed(contracts._generate_inspections if name == "generator"
                           else lambda: Visit.create(vals_list))
    env.invalidate_all()
visits, generator_seconds, generator_queries = runs["generator"]
bare, create_seconds, create_queries = runs["create"]
assert len(visits) == count * 6, f"{len(visits)} inspections for {count} contracts"
assert len(bare) == len(visits)
assert not contracts._generate_inspections(), "a second run creates nothing"
print("BENCH " + json.dumps({
    "contracts": count, "units": units, "visits": len(visits),
    "generator_seconds": round(generator_seconds, 3), "generator_queries": generator_queries,
    "create_seconds": round(create_seconds, 3), "create_queries": create_queries, "first": first,
}), flush=True)
env.cr.rollback()
