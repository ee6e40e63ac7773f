#!/usr/bin/env python3
"""Benchmark: one year of inspections for many maintenance contracts, by the
contracts' inspection plan generator, against a bare batched `create` of the
same visit records.

One fresh database with service_maintenance. 1,000 running contracts of 20
units each (default), planned monthly for the first three months, then
quarterly, one year ahead (six inspections each, on working days, for the
contract's engineer): the generator and a bare `create` of the same 6,000
visits (same values and context) are timed in one transaction, the bare
create first unless --first generator. Target: the generator within
2x the bare create. A second run of the generator must create nothing.
(That the generator's queries do not grow with the number of contracts per
batch is asserted in service_maintenance's TestInspectionPlan.)

    python3 bench/bench_inspection_plan.py [--contracts 1000] [--units 20] [--first create] [--smoke]

--smoke (what ./tools/test's bench tier runs): 5 contracts of 2 units, to
prove the benchmark still runs end to end; its ratio says nothing at that size.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
import devlib  # noqa: E402

TARGET = 2.0


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--first", choices=("generator", "create"), default="create",
                        help="which of the two runs first in the transaction")
    parser.add_argument("--smoke", action="store_true", help="tiny run (5 contracts of 2 units)")
    options = parser.parse_args()
    if options.smoke:
        options.contracts, options.units = 5, 2
    odoo = devlib.find_odoo()
    database = devlib.unique_database("bench_inspection_plan")
    print(f"installing service_maintenance into {database}...", flush=True)
    try:
        args = devlib.fresh_database(odoo, database, "service_maintenance")
        (result,) = devlib.shell_benchmark(odoo, args, HERE / "inspection_plan_shell.py", 1,
                                           BENCH_CONTRACTS=str(options.contracts),
                                           BENCH_UNITS=str(options.units), BENCH_ORDER=options.first)
    finally:
        devlib.drop_database(database)
    ratio = result["generator_seconds"] / result["create_seconds"]
    print()
    print(f"{'contracts':>9} {'units':>6} {'visits':>7} {'generator s':>12} {'queries':>8} "
          f"{'create s':>9} {'queries':>8} {'ratio':>6}")
    print(f"{result['contracts']:>9} {result['units']:>6} {result['visits']:>7} "
          f"{result['generator_seconds']:>12.2f} {result['generator_queries']:>8} "
          f"{result['create_seconds']:>9.2f} {result['create_queries']:>8} {ratio:>6.2f}")
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if ratio <= TARGET else "OVER TARGET")
    print(f"\nratios: inspection plan / bare create {ratio:.2f} (target <= {TARGET}), "
          f"{result['visits']} inspections for {result['contracts']} contracts x {result['units']} units, "
          f"none on a second run ({result['first']} first): {verdict}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except devlib.DevError as error:
        sys.exit(f"benchmark failed: {error}")
