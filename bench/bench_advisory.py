#!/usr/bin/env python3
"""Benchmark: "Notify owners" of an advisory to many owners, against Odoo's
own `message_post` to the same recipients.

One fresh database with service_maintenance. The same owners (default
10,000, one unit each with a live certificate, one in ten reading Chinese)
are told twice in one transaction: by Odoo's `message_post` of one message
to all of them (its e-mails queued, not sent: the baseline), then by the
advisory's "Notify owners" (one notice and one queued e-mail per owner, in
the owner's language, with their units). Target: the advisory within 2x the
baseline. A second run must tell nobody.

    python3 bench/bench_advisory.py [--owners 10000] [--smoke]

--smoke (what ./tools/test's bench tier runs): 20 owners, to prove the
benchmark still runs end to end; its ratio says nothing at that size.
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
    parser.add_argument("--owners", type=int, default=10000)
    parser.add_argument("--smoke", action="store_true", help="tiny run (20 owners): does it still work?")
    options = parser.parse_args()
    if options.smoke:
        options.owners = 20
    odoo = devlib.find_odoo()
    database = devlib.unique_database("bench_advisory")
    print(f"installing service_maintenance into {database}...", flush=True)
    try:
        args = devlib.fresh_database(odoo, database, "service_maintenance")
        (result,) = devlib.shell_benchmark(odoo, args, HERE / "advisory_shell.py", 1,
                                           BENCH_OWNERS=str(options.owners))
    finally:
        devlib.drop_database(database)
    ratio = result["advisory_seconds"] / result["baseline_seconds"]
    print()
    print(f"{'owners':>7} {'message_post s':>15} {'queries':>8} {'notify s':>9} {'queries':>8} {'ratio':>6}")
    print(f"{result['owners']:>7} {result['baseline_seconds']:>15.2f} {result['baseline_queries']:>8} "
          f"{result['advisory_seconds']:>9.2f} {result['advisory_queries']:>8} {ratio:>6.2f}")
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if ratio <= TARGET else "OVER TARGET")
    print(f"\nratios: notify owners / message_post {ratio:.2f} (target <= {TARGET}), "
          f"{result['mails']} e-mails queued for {result['owners']} owners: {verdict}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except devlib.DevError as error:
        sys.exit(f"benchmark failed: {error}")
