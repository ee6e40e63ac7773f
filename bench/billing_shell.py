"""Runs inside `odoo shell`: bills at-cost repairs in one action and counts.

Builds BENCH_SMALL + BENCH_LARGE finished at-cost repairs (RMAs of units whose
warranty ended, each with one part and an hour of labour, repaired through
Odoo's repair order, so their quotations are real and confirmed) for
BENCH_CUSTOMERS customers, and commits them (a throw-away database). Then
bills the small set, then the large set, each in one ``bill_at_cost`` call
with one invoice per customer, timing it and counting its SQL queries. Prints
one JSON line per set: {"repairs", "invoices", "seconds", "queries"}.
"""

import json
import os
import time

env = env(context=dict(env.context, tracking_disable=True))  # noqa: F821 (odoo shell global)
small = int(os.environ.get("BENCH_SMALL", "100"))
large = int(os.environ.get("BENCH_LARGE", "1000"))
customers = int(os.environ.get("BENCH_CUSTOMERS", "100"))
total = small + large

company = env.company
company.service_labour_cost_rate = 40.0
warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
rma_location = warehouse._get_rma_location()
policy = env["service.warranty.policy"].create({"name": "Bench at cost", "post_warranty_mode": "at_cost"})
unit = env["product.product"].create(
    {
        "name": "Bench unit",
        "is_storable": True,
        "tracking": "serial",
        "warranty_policy_id": policy.id,
    }
)
part = env["product.product"].create({"name": "Bench part", "is_storable": True, "standard_price": 12.0})
# Parts are taken where Odoo's repair takes them: its operation type's source.
parts_location = warehouse.repair_type_id.default_location_src_id or warehouse.lot_stock_id
env["stock.quant"]._update_available_quantity(part, parts_location, total)
partners = env["res.partner"].create([{"name": f"Bench customer {n:03d}"} for n in range(customers)])
lots = env["stock.lot"].create([{"name": f"BILL-{n:06d}", "product_id": unit.id} for n in range(total)])
env["stock.quant"].create(
    [{"product_id": unit.id, "lot_id": lot.id, "location_id": rma_location.id, "quantity": 1} for lot in lots]
)


def customer(n):
    # The small set: one repair per customer; the large set: round-robin.
    return partners[n % customers]


warranties = env["service.warranty"].create(
    [
        {
            "lot_id": lot.id,
            "partner_id": customer(n).id,
            "policy_id": policy.id,
            "date_delivery": "2020-01-10",
            "state": "active",
        }
        for n, lot in enumerate(lots)
    ]
)
rmas = env["service.rma"].create(
    [
        {"lot_id": w.lot_id.id, "partner_id": w.partner_id.id, "warranty_id": w.id, "state": "diagnosed"}
        for w in warranties
    ]
)
assert set(rmas.mapped("remedy")) == {"repair_at_cost"}, set(rmas.mapped("remedy"))
rmas.action_start_repair()
repairs = rmas.repair_id
env["stock.move"].create(
    [
        {"repair_id": repair.id, "product_id": part.id, "product_uom_qty": 1, "repair_line_type": "add"}
        for repair in repairs
    ]
)
repairs.labour_hours = 1.0
repairs._action_repair_confirm()  # action_validate() is one repair at a time
repairs.action_repair_start()
repairs.action_repair_end()
assert set(rmas.mapped("billing_state")) == {"to_bill"}, set(rmas.mapped("billing_state"))
env.cr.commit()

for batch in (rmas[:small], rmas[small:]):
    env.invalidate_all()
    before = env.cr.sql_log_count
    start = time.perf_counter()
    result = batch.bill_at_cost("partner")
    env.flush_all()
    seconds = time.perf_counter() - start
    queries = env.cr.sql_log_count - before
    assert len(result["billed"]) == len(batch), result["skipped"][:3]
    env.cr.commit()
    print(
        "BENCH "
        + json.dumps(
            {
                "repairs": len(batch),
                "invoices": len(result["invoices"]),
                "seconds": seconds,
                "queries": queries,
            }
        ),
        flush=True,
    )
