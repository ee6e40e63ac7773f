#!/usr/bin/env python3
"""Benchmark: what issuing warranty certificates adds to validating a delivery.

Two fresh databases in the same run: one with Odoo's sale_stock + repair +
portal (what service_warranty depends on), one with service_warranty on top.
In each, validate one delivery of each size (default 1,000 and 10,000
serials) and time `button_validate()` alone. Prints the seconds, the SQL
queries and the ratio with/without. Target: certificates add at most 30%.

    python3 bench/bench_delivery_validation.py [--sizes 1000,10000] [--repeat 1] [--smoke]

--smoke (what ./tools/test's bench tier runs): 20 serials, once, to prove the
benchmark still runs end to end; its ratio says nothing at that size.

Needs Odoo 19 and PostgreSQL as for ./tools/test. Takes several minutes (two
module installs, then the validations); the databases are dropped afterwards.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
import devlib  # noqa: E402

BASELINE_MODULES = "sale_stock,repair,portal"
SMOKE_SIZES = "20"


def run_in(database, modules, sizes, repeat, odoo):
    print(f"installing {modules} into {database}...", flush=True)
    results = []
    try:
        args = devlib.fresh_database(odoo, database, modules)
        for _ in range(repeat):
            results.append(devlib.shell_benchmark(
                odoo, args, HERE / "delivery_validation_shell.py", len(sizes),
                BENCH_SIZES=",".join(map(str, sizes)),
            ))
    finally:
        devlib.drop_database(database)
    # Best of the repeats per size: the least disturbed measurement.
    return {
        size: min((run[i] for run in results), key=lambda r: r["seconds"])
        for i, size in enumerate(sizes)
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--smoke", action="store_true",
                        help=f"tiny run ({SMOKE_SIZES} serials, once): does it still work?")
    options = parser.parse_args()
    if options.smoke:
        options.sizes, options.repeat = SMOKE_SIZES, 1
    sizes = [int(s) for s in options.sizes.split(",")]
    odoo = devlib.find_odoo()
    without = run_in(devlib.unique_database("bench_without"), BASELINE_MODULES, sizes, options.repeat, odoo)
    with_ = run_in(devlib.unique_database("bench_with"), "service_warranty", sizes, options.repeat, odoo)
    print()
    header = ("serials", "without s", "with s", "ratio", "q without", "q with", "certs")
    print("{:>8} {:>10} {:>8} {:>6} {:>10} {:>7} {:>6}".format(*header))
    worst = 0.0
    for size in sizes:
        a, b = without[size], with_[size]
        ratio = b["seconds"] / a["seconds"]
        worst = max(worst, ratio)
        print(f"{size:>8} {a['seconds']:>10.2f} {b['seconds']:>8.2f} {ratio:>6.2f} "
              f"{a['queries']:>10} {b['queries']:>7} {b['certificates']:>6}")
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if worst <= 1.30 else "OVER TARGET")
    print(f"\nratios: worst with/without {worst:.2f} (target <= 1.30): {verdict}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except devlib.DevError as error:
        sys.exit(f"benchmark failed: {error}")
