"""Runs inside `odoo shell`: times validating one delivery of N serials.

Reads BENCH_SIZES (comma-separated) and prints one JSON line per size:
{"size": n, "seconds": s, "queries": q, "certificates": c}. Setup (products,
lots, stock, confirmed and reserved sale) is not timed. Everything is rolled
back at the end, so sizes do not influence each other.
"""

import json
import os
import time

from odoo import Command

env = env(context=dict(env.context, tracking_disable=True))  # noqa: F821 (odoo shell global)
has_warranty = "service.warranty" in env
warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)

for size in map(int, os.environ["BENCH_SIZES"].split(",")):
    # Created per size: each size's work is rolled back at its end.
    customer = env["res.partner"].create({"name": "Bench customer"})
    policy = has_warranty and env["service.warranty.policy"].create({"name": "Bench policy"})
    product = env["product.product"].create(
        {"name": f"Bench unit {size}", "is_storable": True, "tracking": "serial",
         **({"warranty_policy_id": policy.id} if has_warranty else {})}
    )
    lots = env["stock.lot"].create(
        [{"name": f"BENCH-{size}-{i:06d}", "product_id": product.id} for i in range(size)]
    )
    env["stock.quant"].create(
        [{"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "lot_id": lot.id,
          "inventory_quantity": 1} for lot in lots]
    ).action_apply_inventory()
    order = env["sale.order"].create(
        {"partner_id": customer.id,
         "order_line": [Command.create({"product_id": product.id, "product_uom_qty": size})]}
    )
    order.action_confirm()
    picking = order.picking_ids
    picking.action_assign()
    picking.move_ids.picked = True
    env.flush_all()
    queries_before = env.cr.sql_log_count
    started = time.perf_counter()
    result = picking.button_validate()
    env.flush_all()
    seconds = time.perf_counter() - started
    assert result is True and picking.state == "done", result
    certificates = (
        env["service.warranty"].search_count([("picking_id", "=", picking.id)]) if has_warranty else 0
    )
    print("BENCH " + json.dumps({"size": size, "seconds": round(seconds, 3),
                                 "queries": env.cr.sql_log_count - queries_before,
                                 "certificates": certificates}), flush=True)
    env.cr.rollback()
    env.invalidate_all()
