#!/usr/bin/env python3
"""Benchmark: `aftersales register` of a 10,000-row CSV against a local Odoo.

Times the real command (every row checked by the server in dry-run batches,
then written in batches of 500), its re-run (everything already registered),
and, in the same run, the naive baseline of one RPC call per row, so the
ratio does not depend on the machine. Target: 500 rows/s or better.

    python3 bench/bench_register.py [--rows 10000] [--customers 1] [--url URL --db DB] [--smoke]

Without --url/--db it creates a fresh database with service_warranty (a few
minutes) and drops it afterwards; with them it uses that server as admin/admin.
--smoke (what ./tools/test's bench tier runs): 20 rows and a baseline of 20
calls, to prove the benchmark still runs end to end; its rate says nothing at
that size and is not judged, but every row must still be registered.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from urllib.parse import urlsplit

import odoorpc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from odoo_server import bench_server  # noqa: E402

AFTERSALES = Path(sys.executable).parent / "aftersales"
BASELINE_ROWS = 200
TARGET = 500
SMOKE = {"rows": 20, "baseline_rows": 20}


def connect(url: str, database: str) -> odoorpc.ODOO:
    parts = urlsplit(url)
    rpc = odoorpc.ODOO(parts.hostname, port=parts.port or 80, timeout=600)
    rpc.login(database, "admin", "admin")
    return rpc


def customer_ref(number: int) -> str:
    return f"BENCH-C{number}"


def ensure_catalogue(rpc: odoorpc.ODOO, customers: int) -> None:
    """A serial-tracked product with a policy, and ``customers`` customers,
    created once."""
    if not rpc.execute_kw("product.product", "search_count", [[("default_code", "=", "BENCH-CMP")]]):
        policy = rpc.execute_kw("service.warranty.policy", "create", [{"name": "Bench 12 months"}])
        rpc.execute_kw("product.template", "create", [{
            "name": "Bench compressor", "default_code": "BENCH-CMP", "tracking": "serial",
            "is_storable": True, "warranty_policy_id": policy}])
    refs = [customer_ref(number) for number in range(1, customers + 1)]
    found = rpc.execute_kw("res.partner", "search_read", [[("ref", "in", refs)]], {"fields": ["ref"]})
    missing = sorted(set(refs) - {partner["ref"] for partner in found})
    if missing:
        rpc.execute_kw("res.partner", "create", [[{"name": f"Bench customer {ref}", "ref": ref}
                                                  for ref in missing]])


def certificates(rpc: odoorpc.ODOO, prefix: str) -> int:
    return rpc.execute_kw("service.warranty", "search_count", [[("lot_id.name", "=like", f"{prefix}%")]])


def run_command(url: str, database: str, *args: str) -> tuple[float, str]:
    env = dict(os.environ, AFTERSALES_URL=url, AFTERSALES_DB=database, AFTERSALES_LOGIN="admin",
               AFTERSALES_PASSWORD="admin")
    started = time.perf_counter()
    done = subprocess.run([str(AFTERSALES), *args], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"aftersales {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed, done.stdout.strip().splitlines()[-1]


def baseline(rpc: odoorpc.ODOO, prefix: str, rows: int = BASELINE_ROWS) -> float:
    """Seconds per row when each row is its own call (what batching avoids)."""
    started = time.perf_counter()
    for i in range(rows):
        rpc.execute_kw("service.warranty", "register_units", [[{
            "line": i, "serial": f"{prefix}{i:06d}", "product": "BENCH-CMP", "customer": customer_ref(1),
            "date_sale": "2026-01-10"}]])
    return (time.perf_counter() - started) / rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1,
                        help="rows name this many customers in turn (a real file names many)")
    parser.add_argument("--url", help="a running Odoo 19 with service_warranty (admin/admin)")
    parser.add_argument("--db")
    parser.add_argument("--baseline-rows", type=int, default=BASELINE_ROWS,
                        help=f"rows of the one-call-per-row baseline (default {BASELINE_ROWS})")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny run (20 rows, 20 baseline calls): does it still work?")
    options = parser.parse_args()
    if options.smoke:
        vars(options).update(SMOKE)
    stamp = f"BR{int(time.time())}-"
    with bench_server(options.url, options.db) as (url, database), TemporaryDirectory() as tmp:
        rpc = connect(url, database)
        ensure_catalogue(rpc, options.customers)
        path = Path(tmp) / "units.csv"
        lines = ["serial,product,customer,date_sale,date_install,invoice_ref,policy"]
        lines += [f"{stamp}{i:06d},BENCH-CMP,{customer_ref(i % options.customers + 1)},2026-01-10,,INV/{i},"
                  for i in range(options.rows)]
        path.write_text("\n".join(lines) + "\n")

        first, summary = run_command(url, database, "register", str(path))
        created = certificates(rpc, stamp)
        again, summary_again = run_command(url, database, "register", str(path))
        per_row = baseline(rpc, f"{stamp}ONE-", options.baseline_rows)

    rate, rate_again, naive = options.rows / first, options.rows / again, 1 / per_row
    print(f"\n{summary}\n{summary_again}\n")
    print(f"{'':32}{'seconds':>10}{'rows/s':>10}")
    print(f"{'register (check + write)':32}{first:>10.2f}{rate:>10.0f}")
    print(f"{'re-run (all already there)':32}{again:>10.2f}{rate_again:>10.0f}")
    print(f"{'one call per row (baseline)':32}{per_row * options.rows:>10.2f}{naive:>10.0f}"
          f"   ({per_row * 1000:.1f} ms per call, measured on {options.baseline_rows} rows)")
    fast_enough = rate >= TARGET
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if fast_enough else "UNDER TARGET")
    print(f"\ncertificates created: {created} of {options.rows}")
    print(f"ratios: batched is {rate / naive:.1f}x the baseline; target >= {TARGET} rows/s: {verdict}")
    return 0 if created == options.rows and (fast_enough or options.smoke) else 1


if __name__ == "__main__":
    sys.exit(main())
