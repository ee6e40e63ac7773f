"""Runs inside `odoo shell`, twice: BENCH_PHASE=setup makes the data and
commits them, BENCH_PHASE=measure times the service KPI report
(`service.request.get_kpi_summary`) over them against a bare `_read_group`
count of the same requests, both as a service desk administrator, best of
BENCH_REPEAT. Between the two, bench_kpi.py runs VACUUM ANALYZE on the
tables, as autovacuum would on a production database: PostgreSQL then
answers the count from the company index (an index-only scan), as it would
there, not by reading every row just written.

setup makes BENCH_REQUESTS requests (one RMA for ten requests, one rating
for five) and folds the requests' tally as its nightly cron does; it prints
{"requests": n, "rmas": n, "ratings": n}. measure prints {"count_ms": t,
"count_queries": q, "kpi_ms": t, "kpi_queries": q, "summary_requests": n}
and checks the report's figures against the rows setup made (BENCH_RMAS,
BENCH_RATINGS). The database is the benchmark's own, dropped afterwards.

The rows are made by copying a few requests, RMAs and ratings created through
the ORM with INSERT ... SELECT over generate_series (odoo.tools.SQL): creating
100,000 requests one ORM batch at a time takes the better part of an hour on
2 cores (a ticket number from the company's sequence and a chatter each).
The report reads stored columns and the requests' tally, which PostgreSQL's
triggers keep for these INSERTs and UPDATEs as for the ORM's.
"""

import json
import os
import time

from odoo.tools import SQL

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))  # noqa: F821 (odoo shell)
cr = env.cr
MANAGER_LOGIN = "bench_kpi_manager"


def copy_rows(table, seed_id, total, varying):
    """INSERT ``total`` copies of row ``seed_id`` of ``table``, the columns in
    ``varying`` (name: SQL over the series' ``i``) computed per row."""
    cr.execute(SQL(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id'",
        table,
    ))
    columns = [name for name, in cr.fetchall()]
    values = [varying.get(name, SQL("seed.%s", SQL.identifier(name))) for name in columns]
    cr.execute(SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s seed, generate_series(1, %s) i WHERE seed.id = %s",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(name) for name in columns),
        SQL(", ").join(values),
        SQL.identifier(table), total, seed_id,
    ))


def pick(ids):
    """The i-th of ``ids``, round robin, as SQL."""
    return SQL("(%s::int[])[1 + i %% %s]", list(ids), len(ids))


def setup():
    """Make the requests, RMAs and ratings, and commit them."""
    count = int(os.environ["BENCH_REQUESTS"])
    rmas = max(count // 10, 2)
    ratings = max(count // 5, 2)
    env["res.users"].create({
        "name": "Bench desk manager", "login": MANAGER_LOGIN,
        "group_ids": [(4, env.ref("service_desk.group_service_desk_manager").id)],
    })
    teams = env["service.team"].create([{"name": f"Bench team {i}"} for i in range(3)])
    customers = env["res.partner"].create([{"name": f"Bench customer {i}", "email": f"c{i}@bench.example.com"}
                                           for i in range(50)])
    policy = env["service.warranty.policy"].create({
        "name": "Bench policy",
        "support_calendar_id": env.ref("service_warranty.resource_calendar_working_days").id,
    })
    products = env["product.product"].create([
        {"name": f"Bench pump {i}", "is_storable": True, "tracking": "serial",
         "warranty_policy_id": policy.id}
        for i in range(5)
    ])
    units = max(rmas // 2, 1)  # half the units come back twice: repeat repairs to count
    lots = env["stock.lot"].create([
        {"name": f"KPI-{i:06d}", "product_id": products[i % len(products)].id} for i in range(units)
    ])
    seed_request = env["service.request"].create({
        "title": "Bench fault", "partner_id": customers[0].id, "lot_id": lots[0].id, "team_id": teams[0].id,
        "severity": "serious", "support_mode": "on_site",
    })
    seed_rma = env["service.rma"].create({"lot_id": lots[0].id, "partner_id": customers[0].id})
    seed_request.sudo()._rating_get_access_token()
    seed_rating = env["rating.rating"].sudo().search(
        [("res_model", "=", "service.request"), ("res_id", "=", seed_request.id)]
    )
    env.flush_all()



    start = SQL("now() at time zone 'UTC' - (i %% 365) * interval '1 day'")
    copy_rows("service_request", seed_request.id, count, {
        "name": SQL("'KPI-' || i"),
        "date_request": start,
        "team_id": pick(teams.ids),
        "partner_id": pick(customers.ids),
        "commercial_partner_id": pick(customers.ids),
        "lot_id": pick(lots.ids),
        "channel": SQL("(ARRAY['hotline', 'email', 'portal', 'device_page', 'staff'])[1 + i %% 5]"),
        # The device page's rows closed: one open report per unit from there.
        "state": SQL("(ARRAY['new', 'in_progress', 'solved', 'closed', 'closed'])[1 + i %% 5]"),
        "severity": SQL("(ARRAY['urgent', 'serious', 'normal'])[1 + i %% 3]"),
        "response_sla": SQL("(ARRAY['met', 'met', 'missed', NULL])[1 + i %% 4]"),
        "arrival_sla": SQL("(ARRAY['met', 'missed', NULL])[1 + i %% 3]"),
        "resolution_sla": SQL("(ARRAY['met', 'met', 'met', 'missed', NULL])[1 + i %% 5]"),
    })
    copy_rows("service_rma", seed_rma.id, rmas, {
        "name": SQL("'KPI-RMA-' || i"),
        "lot_id": SQL("(%s::int[])[1 + i %% %s]", lots.ids, len(lots)),
        "product_id": SQL("(%s::int[])[1 + (i %% %s) %% %s]", products.ids, len(lots), len(products)),
        "partner_id": pick(customers.ids),
        "commercial_partner_id": pick(customers.ids),
        "state": SQL("'done'"),
        "date_intake": start,
        "date_received": start,
        "date_returned": SQL(
            "now() at time zone 'UTC' - (i %% 365) * interval '1 day' + (i %% 72) * interval '1 hour'"
        ),
        "turnaround_hours": SQL("(i %% 72)::float"),
    })
    cr.execute(SQL(
        "SELECT id FROM service_request WHERE name LIKE 'KPI-%%' ORDER BY id LIMIT %s", ratings // 2,
    ))
    rated_requests = [row[0] for row in cr.fetchall()]
    cr.execute(SQL(
        "SELECT id FROM service_rma WHERE name LIKE 'KPI-RMA-%%' ORDER BY id LIMIT %s",
        ratings - len(rated_requests),
    ))
    rated_rmas = [row[0] for row in cr.fetchall()]
    for model, ids in (("service.request", rated_requests), ("service.rma", rated_rmas)):
        copy_rows("rating_rating", seed_rating.id, len(ids), {
            "res_model": SQL("%s", model),
            "res_model_id": SQL("%s", env["ir.model"]._get_id(model)),
            "res_id": SQL("(%s::int[])[i]", ids),
            "access_token": SQL("md5(random()::text || i)"),
            "rating": SQL("(ARRAY[5, 5, 5, 3, 1])[1 + i %% 5]"),
            "rating_text": SQL("(ARRAY['top', 'top', 'top', 'ok', 'ko'])[1 + i %% 5]"),
            "consumed": SQL("true"),
        })
        # What rating.mixin stores on the rated record: its last rating.
        cr.execute(SQL(
            """UPDATE %s record SET rating_last_value = rating.rating FROM rating_rating rating
                WHERE rating.res_model = %s AND rating.res_id = record.id AND rating.consumed""",
            SQL.identifier(env[model]._table), model,
        ))
    # What the nightly cron does to the changes the statements above appended
    # (the ratings' UPDATE among them): one row per key.
    env["service.request.tally"]._cron_compact()
    cr.commit()
    print("BENCH " + json.dumps({
        "requests": count, "rmas": rmas, "ratings": len(rated_requests) + len(rated_rmas),
    }), flush=True)


def measure():
    """Time the count and the report as the service desk administrator."""
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))
    manager = env["res.users"].search([("login", "=", MANAGER_LOGIN)])
    Request = env["service.request"].with_user(manager)

    def best(func):
        """Best of ``repeat`` (ms, queries), caches warmed by a first call."""
        result = func()
        timings = []
        for _run in range(repeat):
            env.invalidate_all()
            queries = cr.sql_log_count
            started = time.perf_counter()
            result = func()
            timings.append((time.perf_counter() - started, cr.sql_log_count - queries))
        seconds, queries = min(timings)
        return result, round(seconds * 1000, 2), queries

    counted, count_ms, count_queries = best(lambda: Request._read_group([], [], ["__count"]))
    summary, kpi_ms, kpi_queries = best(Request.get_kpi_summary)
    requests = int(os.environ["BENCH_REQUESTS"])
    assert counted[0][0] == summary["requests"] == requests + 1, (counted, summary["requests"])
    assert summary["satisfaction"]["rated"] == int(os.environ["BENCH_RATINGS"]), summary["satisfaction"]
    assert summary["turnaround"]["rmas"] == int(os.environ["BENCH_RMAS"]), summary["turnaround"]
    assert summary["repeat_repairs"]["units"] > 0, summary["repeat_repairs"]
    print("BENCH " + json.dumps({
        "count_ms": count_ms, "count_queries": count_queries, "kpi_ms": kpi_ms, "kpi_queries": kpi_queries,
        "summary_requests": summary["requests"],
    }), flush=True)
    cr.rollback()


{"setup": setup, "measure": measure}[os.environ["BENCH_PHASE"]]()
