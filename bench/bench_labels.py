#!/usr/bin/env python3
"""Benchmark: `aftersales labels` against Odoo's own serial label report.

In the same run, on the same 1,000 serials: Odoo's QWeb report of
service_warranty (HTML through wkhtmltopdf, fetched from /report/pdf as a
logged-in user) and `aftersales labels` (one RPC call for the tokens, then
reportlab locally); then `aftersales labels` alone on 10,000 serials. Prints
seconds, labels per second and file sizes, and the ratios. Target: at least
10x Odoo's labels per second, with a much smaller file.

    python3 bench/bench_labels.py [--sizes 1000,10000] [--url URL --db DB] [--smoke]

Without --url/--db it creates a fresh database with service_warranty (a few
minutes) and drops it afterwards; with them it uses that server as admin/admin.
Needs wkhtmltopdf for Odoo's side. --smoke (what ./tools/test's bench tier
runs): 20 labels, to prove the benchmark still runs end to end; its ratios say
nothing at that size and are not judged, but both sides must make a PDF.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))
from bench_register import connect, ensure_catalogue  # noqa: E402
from odoo_server import bench_server  # noqa: E402

AFTERSALES = Path(sys.executable).parent / "aftersales"
REPORT = "service_warranty.report_service_label"
TARGET_RATIO = 10
SMOKE_SIZES = "20"


def ensure_units(rpc, prefix: str, count: int) -> list[str]:
    """``count`` registered serials (created in batches through the server's own method)."""
    serials = [f"{prefix}{i:06d}" for i in range(count)]
    for start in range(0, count, 1000):
        rows = [{"line": i, "serial": s, "product": "BENCH-CMP", "customer": "BENCH-C1",
                 "date_sale": "2026-01-10"} for i, s in enumerate(serials[start:start + 1000], start)]
        answer = rpc.execute_kw("service.warranty", "register_units", [rows])
        if answer["errors"]:
            sys.exit(f"could not register the bench units: {answer['errors'][:3]}")
    return serials


def ours(url: str, database: str, serials: list[str], workdir: Path) -> tuple[float, int]:
    listing = workdir / f"serials-{len(serials)}.txt"
    listing.write_text("\n".join(serials) + "\n")
    output = workdir / f"ours-{len(serials)}.pdf"
    env = dict(os.environ, AFTERSALES_URL=url, AFTERSALES_DB=database, AFTERSALES_LOGIN="admin",
               AFTERSALES_PASSWORD="admin")
    started = time.perf_counter()
    done = subprocess.run([str(AFTERSALES), "labels", "--file", str(listing), "-o", str(output)],
                          env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"aftersales labels failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed, output.stat().st_size


def odoos(url: str, database: str, rpc, serials: list[str], workdir: Path) -> tuple[float, int]:
    """Odoo's report as the web client prints it: a session, then /report/pdf/<report>/<ids>."""
    lots = rpc.execute_kw("stock.lot", "search", [[("name", "in", serials)]])
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    body = json.dumps({"jsonrpc": "2.0", "params": {"db": database, "login": "admin", "password": "admin"}})
    opener.open(urllib.request.Request(f"{url}/web/session/authenticate", body.encode(),
                                       {"Content-Type": "application/json"}), timeout=60).read()
    started = time.perf_counter()
    with opener.open(f"{url}/report/pdf/{REPORT}/{','.join(map(str, lots))}", timeout=3600) as response:
        pdf = response.read()
    elapsed = time.perf_counter() - started
    if not pdf.startswith(b"%PDF"):
        sys.exit(f"Odoo's report did not answer a PDF: {pdf[:300]!r}")
    (workdir / f"odoo-{len(serials)}.pdf").write_bytes(pdf)
    return elapsed, len(pdf)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000",
                        help="label counts; the first is also printed by Odoo's report")
    parser.add_argument("--url", help="a running Odoo 19 with service_warranty (admin/admin)")
    parser.add_argument("--db")
    parser.add_argument("--smoke", action="store_true",
                        help=f"tiny run ({SMOKE_SIZES} labels): does it still work?")
    options = parser.parse_args()
    if options.smoke:
        options.sizes = SMOKE_SIZES
    sizes = [int(size) for size in options.sizes.split(",")]
    with bench_server(options.url, options.db) as (url, database), TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        rpc = connect(url, database)
        ensure_catalogue(rpc, customers=1)  # ensure_units() registers every unit to BENCH-C1
        print(f"registering {max(sizes)} units...", flush=True)
        serials = ensure_units(rpc, f"BL{int(time.time())}-", max(sizes))
        # A first run creates the tokens; both sides are then timed with tokens in place.
        ours(url, database, serials[:sizes[0]], workdir)
        rows = []
        for size in sizes:
            seconds, size_bytes = ours(url, database, serials[:size], workdir)
            rows.append(("aftersales labels", size, seconds, size_bytes))
        print(f"Odoo's report on {sizes[0]} labels (wkhtmltopdf; takes a while)...", flush=True)
        odoo_seconds, odoo_bytes = odoos(url, database, rpc, serials[:sizes[0]], workdir)
        rows.insert(1, ("Odoo QWeb + wkhtmltopdf", sizes[0], odoo_seconds, odoo_bytes))

    print(f"\n{'':26}{'labels':>8}{'seconds':>10}{'labels/s':>10}{'PDF kB':>10}{'bytes/label':>12}")
    for name, count, seconds, size_bytes in rows:
        print(f"{name:26}{count:>8}{seconds:>10.2f}{count / seconds:>10.0f}{size_bytes / 1024:>10.0f}"
              f"{size_bytes / count:>12.0f}")
    ours_rate = sizes[0] / rows[0][2]
    odoo_rate = sizes[0] / odoo_seconds
    speed, smaller = ours_rate / odoo_rate, odoo_bytes / rows[0][3]
    fast_enough = speed >= TARGET_RATIO
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if fast_enough else "UNDER TARGET")
    print(f"\nratios: on {sizes[0]} labels: {speed:.1f}x Odoo's labels/s, file {smaller:.1f}x smaller; "
          f"target >= {TARGET_RATIO}x: {verdict}")
    return 0 if fast_enough or options.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
