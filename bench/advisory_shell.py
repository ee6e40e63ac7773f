"""Runs inside `odoo shell`: times "Notify owners" of an advisory to
BENCH_OWNERS owners (one unit each, live certificates), against Odoo's own
`message_post` of one message to the same recipients, both queued through
the mail queue (nothing is sent), in the same transaction.

Prints one JSON line: {"owners": n, "baseline_seconds": s, "baseline_queries": q,
"advisory_seconds": s, "advisory_queries": q, "mails": m}. Setup (owners,
units, certificates) is not timed; everything is rolled back at the end.
"""

import json
import os
import time

env = env(context=dict(env.context, tracking_disable=True))  # noqa: F821 (odoo shell global)
count = int(os.environ["BENCH_OWNERS"])
env["res.lang"]._activate_lang("zh_CN")
env.company.email = env.company.email or "service@vendor.example.com"
policy = env["service.warranty.policy"].create({"name": "Bench policy", "warranty_months": 12})
product = env["product.product"].create({
    "name": "Bench pump", "is_storable": True, "tracking": "serial", "warranty_policy_id": policy.id,
})
# One owner in ten reads Chinese: the e-mails are rendered in two languages.
owners = env["res.partner"].create([
    {"name": f"Bench owner {i}", "email": f"owner{i}@bench.example.com",
     "lang": "zh_CN" if i % 10 == 0 else "en_US"}
    for i in range(count)
])
lots = env["stock.lot"].create([{"name": f"BENCH-{i:06d}", "product_id": product.id} for i in range(count)])
env["service.warranty"].create([
    {"lot_id": lot.id, "partner_id": owner.id, "policy_id": policy.id, "date_delivery": "2026-01-10",
     "state": "active"}
    for lot, owner in zip(lots, owners)
])
Advisory = env["service.advisory"]
body = "<p>Do not charge below 0 °C; we replace the battery free of charge.</p>"
baseline_advisory = Advisory.create({"title": "Baseline", "product_id": product.id, "description": body})
advisory = Advisory.create({"title": "Battery may overheat", "product_id": product.id, "description": body})
env.flush_all()
env.invalidate_all()


def timed(func):
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = func()
    env.flush_all()
    return result, time.perf_counter() - started, env.cr.sql_log_count - queries


# Odoo's own: one message to every owner, its e-mails queued (not sent).
_message, baseline_seconds, baseline_queries = timed(lambda: baseline_advisory.with_context(
    mail_notify_force_send=False,
).message_post(body=body, partner_ids=owners.ids, message_type="comment", subtype_xmlid="mail.mt_comment"))
env.invalidate_all()
notices, advisory_seconds, advisory_queries = timed(advisory.action_notify_owners)
mails = env["mail.mail"].search([("model", "=", advisory._name), ("res_id", "=", advisory.id)])
assert len(notices) == count, f"{len(notices)} notices for {count} owners"
assert len(mails) == count and set(mails.mapped("state")) == {"outgoing"}, "one queued e-mail per owner"
assert not advisory.action_notify_owners(), "a second run tells nobody"
print("BENCH " + json.dumps({
    "owners": count, "baseline_seconds": round(baseline_seconds, 3), "baseline_queries": baseline_queries,
    "advisory_seconds": round(advisory_seconds, 3), "advisory_queries": advisory_queries, "mails": len(mails),
}), flush=True)
env.cr.rollback()
