"""Runs inside `odoo shell`: times validating BENCH_PICKINGS deliveries that
serve no RMA nor loan, one `button_validate()` each, as warehouse staff do.

Prints one JSON line: {"pickings": n, "seconds": s, "queries": q}. Setup (a
product, stock, n confirmed and reserved deliveries) is not timed; everything
is rolled back at the end.
"""

import json
import os
import time

from odoo import Command

env = env(context=dict(env.context, tracking_disable=True))  # noqa: F821 (odoo shell global)
count = int(os.environ["BENCH_PICKINGS"])
warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
customer = env["res.partner"].create({"name": "Bench customer"})
product = env["product.product"].create({"name": "Bench cable", "is_storable": True})
env["stock.quant"].create(
    {"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": count}
).action_apply_inventory()
pickings = env["stock.picking"].create([
    {
        "picking_type_id": warehouse.out_type_id.id,
        "partner_id": customer.id,
        "location_id": warehouse.lot_stock_id.id,
        "location_dest_id": customer.property_stock_customer.id,
        "move_ids": [Command.create({
            "product_id": product.id,
            "product_uom_qty": 1,
            "product_uom": product.uom_id.id,
            "location_id": warehouse.lot_stock_id.id,
            "location_dest_id": customer.property_stock_customer.id,
        })],
    }
    for _i in range(count)
])
pickings.action_confirm()
pickings.action_assign()
pickings.move_ids.picked = True
env.flush_all()
env.invalidate_all()
queries_before = env.cr.sql_log_count
started = time.perf_counter()
for picking in pickings:
    assert picking.button_validate() is True
env.flush_all()
seconds = time.perf_counter() - started
assert set(pickings.mapped("state")) == {"done"}
print("BENCH " + json.dumps({"pickings": count, "seconds": round(seconds, 3),
                             "queries": env.cr.sql_log_count - queries_before}), flush=True)
env.cr.rollback()
