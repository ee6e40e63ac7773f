#!/usr/bin/env python3
"""Benchmark: creating a service request over RPC, against Odoo's own
`repair.order` create on the same server.

One fresh database with service_desk; units with live certificates under a
policy whose support clocks run on working days 08:30-17:30 (a calendar of
its own, in the company's Asia/Shanghai time zone) are made in `odoo shell`
(not timed). Then a real `odoo` server on a free local port answers, over
JSON-RPC as admin, one create per call, call for call on the same unit:

- `repair.order` create of the unit for its customer: Odoo's own document
  with a sequence, a chatter and followers (the baseline);
- `service.request` create of the unit: its ticket number, customer,
  certificate and policy found from the unit, and its response and
  resolution deadlines planned on the working-hour calendar.

The two alternate which goes first; each round times --requests of each, and
the best of --repeat rounds counts. Target: the request within 1.0x the
repair order. Every request must have both deadlines, inside working hours.

    python3 bench/bench_request_create.py [--requests 200] [--repeat 3] [--smoke]

--smoke (what ./tools/test's bench tier runs): 10 of each, one round, to
prove the benchmark still runs end to end; its ratio says nothing at that
size, but the deadlines are still checked.
"""

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
import devlib  # noqa: E402
from bench_scan import Rpc  # noqa: E402
from odoo_server import OdooServer  # noqa: E402

TARGET = 1.0
SMOKE = {"requests": 10, "repeat": 1}
WARMUP = 10
SHANGHAI = timedelta(hours=8)  # no daylight saving time


def within_working_hours(deadline):
    """Whether a naive-UTC ``deadline`` falls on Monday-Friday 08:30-17:30 in Shanghai."""
    local = datetime.fromisoformat(deadline) + SHANGHAI
    minutes = local.hour * 60 + local.minute
    return local.weekday() < 5 and 8 * 60 + 30 <= minutes <= 17 * 60 + 30


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="creates of each per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best counts")
    parser.add_argument("--smoke", action="store_true", help="tiny run (10 of each, one round)")
    options = parser.parse_args()
    if options.smoke:
        vars(options).update(SMOKE)
    odoo = devlib.find_odoo()
    database = devlib.unique_database("bench_request_create")
    port = devlib.free_port()
    log = Path(tempfile.mkdtemp(prefix="aftersales-bench-")) / "odoo.log"
    server = OdooServer(odoo.command, odoo.addons_dirs, database, log, port=port)
    units = WARMUP + options.requests * options.repeat
    try:
        print(f"installing service_desk into {database}...", flush=True)
        args = devlib.fresh_database(odoo, database, "service_desk", port)
        print(f"creating {units} units with certificates on a working-hour policy...", flush=True)
        (data,) = devlib.shell_benchmark(odoo, args, HERE / "desk_units_shell.py", 1, BENCH_UNITS=str(units))
        server.start()
        rpc = Rpc(server.url, database, "admin", "admin")
        partner_id, product_id, lot_ids = data["partner_id"], data["product_id"], data["lot_ids"]

        def create_repair(lot_id):
            return rpc.execute("repair.order", "create",
                               {"partner_id": partner_id, "product_id": product_id, "lot_id": lot_id})

        def create_request(lot_id):
            return rpc.execute("service.request", "create",
                               {"title": "Pump alarms E42", "lot_id": lot_id, "severity": "serious"})

        request_ids = [create_request(lot_id) for lot_id in lot_ids[:WARMUP]]
        for lot_id in lot_ids[:WARMUP]:
            create_repair(lot_id)
        rounds = []
        for round_index in range(options.repeat):
            start = WARMUP + round_index * options.requests
            seconds = {"repair": 0.0, "request": 0.0}
            for position, lot_id in enumerate(lot_ids[start:start + options.requests]):
                calls = [("repair", create_repair), ("request", create_request)]
                for name, call in calls if position % 2 else reversed(calls):
                    started = time.perf_counter()
                    created = call(lot_id)
                    seconds[name] += time.perf_counter() - started
                    if name == "request":
                        request_ids.append(created)
            rounds.append(seconds)
        requests = rpc.execute("service.request", "read", request_ids,
                               ["name", "warranty_id", "response_deadline", "resolution_deadline"])
    finally:
        server.stop()
        devlib.drop_database(database)

    bad = [r["name"] for r in requests if not (
        r["warranty_id"] and r["response_deadline"] and r["resolution_deadline"]
        and within_working_hours(r["response_deadline"]) and within_working_hours(r["resolution_deadline"])
    )]
    numbers = {r["name"] for r in requests}
    print(f"\n{'round':>5} {'repair.order s':>15} {'ms/call':>8} {'service.request s':>18} {'ms/call':>8}"
          f" {'ratio':>6}")
    for index, seconds in enumerate(rounds, 1):
        print(f"{index:>5} {seconds['repair']:>15.2f} {seconds['repair'] * 1000 / options.requests:>8.1f}"
              f" {seconds['request']:>18.2f} {seconds['request'] * 1000 / options.requests:>8.1f}"
              f" {seconds['request'] / seconds['repair']:>6.2f}")
    best_repair = min(seconds["repair"] for seconds in rounds)
    best_request = min(seconds["request"] for seconds in rounds)
    ratio = best_request / best_repair
    print(f"\n{len(requests)} requests, {len(numbers)} ticket numbers, {len(bad)} without both deadlines "
          f"in working hours{': ' + ', '.join(bad[:5]) if bad else ''}")
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if ratio <= TARGET else "OVER TARGET")
    print(f"ratios: service.request create / repair.order create, best of {options.repeat}: {ratio:.2f} "
          f"({best_request * 1000 / options.requests:.1f} ms against "
          f"{best_repair * 1000 / options.requests:.1f} ms per call; target <= {TARGET}): {verdict}")
    return 0 if not bad and len(numbers) == len(requests) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except devlib.DevError as error:
        sys.exit(f"benchmark failed: {error}")
