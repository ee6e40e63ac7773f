#!/usr/bin/env python3
"""Benchmark: finance's batch billing of post-warranty repairs at cost.

One fresh database with service_rma. Builds 1,100 finished at-cost repairs for
100 customers, then bills 100 of them (one per customer) and 1,000 (ten per
customer) in one `bill_at_cost` action each, one invoice per customer, in the
same run. Prints the seconds and SQL queries of each, and how the queries
grow: target, no growth with the number of repairs beyond a small
per-invoice constant (both runs make 100 invoices; at most 2 more queries
per invoice for the larger run).

    python3 bench/bench_billing.py [--small 100] [--large 1000] [--customers 100] [--smoke]

--smoke (what ./tools/test's bench tier runs): 5 and 20 repairs for 5
customers, to prove the benchmark still runs end to end. The query growth is
judged at that size too: it counts queries, not seconds.

Needs Odoo 19 and PostgreSQL as for ./tools/test. Takes a few minutes (the
install and the repairs); the database is dropped afterwards.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
import devlib  # noqa: E402

SMOKE = {"small": 5, "large": 20, "customers": 5}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--smoke", action="store_true",
                        help="tiny run (5 and 20 repairs, 5 customers): does it still work?")
    options = parser.parse_args()
    if options.smoke:
        vars(options).update(SMOKE)
    odoo = devlib.find_odoo()
    database = devlib.unique_database("bench_billing")
    print(f"installing service_rma into {database}...", flush=True)
    try:
        args = devlib.fresh_database(odoo, database, "service_rma")
        print(f"building {options.small + options.large} finished at-cost repairs...", flush=True)
        lines = devlib.shell_benchmark(
            odoo, args, HERE / "billing_shell.py", 2, BENCH_SMALL=str(options.small),
            BENCH_LARGE=str(options.large), BENCH_CUSTOMERS=str(options.customers),
        )
    finally:
        devlib.drop_database(database)
    print()
    print(
        "{:>8} {:>9} {:>8} {:>9} {:>12} {:>14}".format(
            "repairs", "invoices", "seconds", "queries", "q/invoice", "repairs/s"
        )
    )
    for row in lines:
        print(
            f"{row['repairs']:>8} {row['invoices']:>9} {row['seconds']:>8.2f} {row['queries']:>9} "
            f"{row['queries'] / row['invoices']:>12.1f} {row['repairs'] / row['seconds']:>14.1f}"
        )
    small, large = lines
    extra = large["queries"] - small["queries"]
    per_repair = extra / max(large["repairs"] - small["repairs"], 1)
    print(
        f"\n{large['repairs']} vs {small['repairs']} repairs, {large['invoices']} invoices each: "
        f"{extra:+d} queries ({per_repair:.3f} per extra repair), time ratio "
        f"{large['seconds'] / small['seconds']:.2f}"
    )
    # Both runs make the same invoices: what the larger one adds may only be
    # the ORM's batched INSERT/UPDATE chunks (a query per few hundred rows),
    # a small constant per invoice at most, never a query per repair.
    per_invoice = extra / large["invoices"]
    ok = per_invoice <= 2 and per_repair < 0.5
    print(
        f"ratios: growth {per_invoice:.2f} queries per invoice (target <= 2, nothing per repair): "
        f"{'OK' if ok else 'GROWS'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except devlib.DevError as error:
        sys.exit(f"benchmark failed: {error}")
