#!/usr/bin/env python3
"""Benchmark: the service KPI report over many requests, against a bare
`read_group` count of the same requests.

One fresh database with service_desk. BENCH requests (default 100,000, with
one RMA for ten requests and one rating for five) are made and committed,
the requests' tally folded as its nightly cron does, and the tables vacuumed
and analyzed as autovacuum would (so that PostgreSQL counts the requests from
an index, as on a production database, not by reading rows just written).
Then, in a new `odoo shell`, they are read twice as a service desk
administrator: a bare `_read_group` count of them (the baseline) and the KPI
report `service.request.get_kpi_summary()` (response / arrival / resolution
in time, satisfaction, shop turnaround, repeat repairs, requests per channel
and severity), best of --repeat each. Target: the report within 3x the
count. The database is dropped afterwards.

    python3 bench/bench_kpi.py [--requests 100000] [--repeat 5] [--smoke]

--smoke (what ./tools/test's bench tier runs): 200 requests, one repeat, to
prove the benchmark still runs end to end; its ratio says nothing at that size.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
import devlib  # noqa: E402

TARGET = 3.0
# What the report and the count read.
VACUUMED = ("service_request", "service_request_tally", "service_rma", "rating_rating")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny run (200 requests): does it still work?")
    options = parser.parse_args()
    if options.smoke:
        options.requests, options.repeat = 200, 1
    odoo = devlib.find_odoo()
    database = devlib.unique_database("bench_kpi")
    print(f"installing service_desk into {database}...", flush=True)
    try:
        args = devlib.fresh_database(odoo, database, "service_desk")
        (made,) = devlib.shell_benchmark(odoo, args, HERE / "kpi_shell.py", 1,
                                         BENCH_PHASE="setup", BENCH_REQUESTS=str(options.requests))
        devlib.vacuum_analyze(database, VACUUMED)
        (timed,) = devlib.shell_benchmark(odoo, args, HERE / "kpi_shell.py", 1,
                                          BENCH_PHASE="measure", BENCH_REQUESTS=str(made["requests"]),
                                          BENCH_RMAS=str(made["rmas"]), BENCH_RATINGS=str(made["ratings"]),
                                          BENCH_REPEAT=str(options.repeat))
        result = {**made, **timed}
    finally:
        devlib.drop_database(database)
    ratio = result["kpi_ms"] / result["count_ms"]
    print()
    print(f"{'requests':>9} {'RMAs':>7} {'ratings':>8} {'count ms':>9} {'queries':>8} "
          f"{'KPI ms':>8} {'queries':>8} {'ratio':>6}")
    print(f"{result['requests']:>9} {result['rmas']:>7} {result['ratings']:>8} {result['count_ms']:>9.1f} "
          f"{result['count_queries']:>8} {result['kpi_ms']:>8.1f} {result['kpi_queries']:>8} {ratio:>6.2f}")
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if ratio <= TARGET else "OVER TARGET")
    print(f"\nratios: KPI report / read_group count {ratio:.2f} (target <= {TARGET}), "
          f"{result['kpi_queries']} queries for {result['requests']} requests: {verdict}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except devlib.DevError as error:
        sys.exit(f"benchmark failed: {error}")
