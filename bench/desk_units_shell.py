"""Runs inside `odoo shell`: the units the service desk benchmarks work on,
committed (a throw-away database).

BENCH_UNITS serial units of one product whose warranty policy runs the
support clocks on working days 08:30-17:30 (a calendar of its own, read in
the company's Asia/Shanghai time zone; serious: respond in 4 h, resolve in
18 h), each with a live certificate of one customer and a label token. With
BENCH_REPORT_LIMIT set, the public form's per-address limit is raised to it
(the benchmark's client posts every report from 127.0.0.1).

Prints one JSON line: {"product_id": id, "partner_id": id, "lot_ids": [...],
"tokens": [...]} (lots and tokens in the same order).
"""

import json
import os

from odoo import Command

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))  # noqa: F821 (odoo shell)
count = int(os.environ["BENCH_UNITS"])
env.company.partner_id.tz = "Asia/Shanghai"
days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
calendar = env["resource.calendar"].create({
    "name": "Bench working days 08:30-17:30",
    "tz": "Asia/Shanghai",
    "attendance_ids": [Command.clear()] + [
        Command.create({"name": name, "dayofweek": str(day), "hour_from": 8.5, "hour_to": 17.5,
                        "day_period": "full_day"})
        for day, name in enumerate(days)
    ],
})
policy = env["service.warranty.policy"].create({
    "name": "Bench on working hours", "support_calendar_id": calendar.id,
    "response_hours_high": 4, "resolution_hours_high": 18,
})
product = env["product.product"].create({
    "name": "Bench infusion pump", "is_storable": True, "tracking": "serial",
    "warranty_policy_id": policy.id,
})
partner = env["res.partner"].create({"name": "Bench hospital", "email": "it@bench-hospital.example.com"})
lots = env["stock.lot"].create([{"name": f"BSD-{i:06d}", "product_id": product.id} for i in range(count)])
env["service.warranty"].create([
    {"lot_id": lot.id, "partner_id": partner.id, "policy_id": policy.id, "date_delivery": "2026-01-10",
     "state": "active"}
    for lot in lots
])
lots._ensure_service_token()
if os.environ.get("BENCH_REPORT_LIMIT"):
    env["ir.config_parameter"].set_param(
        "service_desk.report_limit_address", os.environ["BENCH_REPORT_LIMIT"]
    )
env.flush_all()
env.cr.commit()
print("BENCH " + json.dumps({
    "product_id": product.id, "partner_id": partner.id, "lot_ids": lots.ids,
    "tokens": lots.sudo().mapped("service_token"),
}), flush=True)
