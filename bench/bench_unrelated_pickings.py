#!/usr/bin/env python3
"""Benchmark: what service_rma adds to validating deliveries that are none of
its business.

Two fresh databases in the same run, one with service_warranty (what
service_rma depends on), one with service_rma on top. In each, validate the
same number of one-line deliveries (default 1,000), one `button_validate()`
each, and time them. service_rma reacts to a done transfer from its moves'
links, not by searching RMAs and loans, so the ratio should stay within 5%.
The best of the repeats is kept per database.

    python3 bench/bench_unrelated_pickings.py [--pickings 1000] [--repeat 3] [--smoke]

--smoke (what ./tools/test's bench tier runs): 20 deliveries, once, to prove
the benchmark still runs end to end; its ratio says nothing at that size.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
import devlib  # noqa: E402

TARGET = 1.05


def run_in(database, modules, pickings, repeat, odoo):
    print(f"installing {modules} into {database}...", flush=True)
    results = []
    try:
        args = devlib.fresh_database(odoo, database, modules)
        for _ in range(repeat):
            results += devlib.shell_benchmark(
                odoo, args, HERE / "unrelated_pickings_shell.py", 1, BENCH_PICKINGS=str(pickings)
            )
    finally:
        devlib.drop_database(database)
    return min(results, key=lambda result: result["seconds"])


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pickings", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true",
                        help="tiny run (20 deliveries, once): does it still work?")
    options = parser.parse_args()
    if options.smoke:
        options.pickings, options.repeat = 20, 1
    odoo = devlib.find_odoo()
    without = run_in(devlib.unique_database("bench_pick_without"), "service_warranty", options.pickings,
                     options.repeat, odoo)
    with_ = run_in(devlib.unique_database("bench_pick_with"), "service_rma", options.pickings,
                   options.repeat, odoo)
    ratio = with_["seconds"] / without["seconds"]
    print()
    print(f"{'deliveries':>10} {'without s':>10} {'with s':>8} {'ratio':>6} {'q without':>10} {'q with':>7}")
    print(f"{options.pickings:>10} {without['seconds']:>10.2f} {with_['seconds']:>8.2f} {ratio:>6.3f} "
          f"{without['queries']:>10} {with_['queries']:>7}")
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if ratio <= TARGET else "OVER TARGET")
    print(f"\nratios: service_rma / service_warranty {ratio:.3f} (target <= {TARGET}), "
          f"queries {with_['queries']} / {without['queries']}: {verdict}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except devlib.DevError as error:
        sys.exit(f"benchmark failed: {error}")
