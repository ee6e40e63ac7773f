#!/usr/bin/env python3
"""Benchmark: the public "Report a fault" POST of a unit's device page,
against the GET of that page, over real HTTP on the same server.

One fresh database with service_desk; units with live certificates are made
in `odoo shell` (not timed). Then a real `odoo` server on a free local port
is visited as an anonymous browser would (one session, its cookie and CSRF
token): for each unit, the GET of its device page `/service/d/<token>`, then
the POST of its fault report to `/service/d/<token>/report`, which creates
a request (ticket number, deadlines, status token) and answers with its
number. Every unit is reported once, so the per-unit duplicate and rate
rules never refuse; the per-client-address limit (all posts come from
127.0.0.1) is raised in the benchmark's database
(`service_desk.report_limit_address`). Each round times --reports of each;
the best median of --repeat rounds counts. Target: the POST within 2x the
GET. Every POST must answer 200 with a new ticket number.

    python3 bench/bench_public_report.py [--reports 200] [--repeat 3] [--smoke]

--smoke (what ./tools/test's bench tier runs): 10 units, one round, to prove
the benchmark still runs end to end; its ratio says nothing at that size,
but every report must still be created.
"""

import argparse
import http.cookiejar
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
import devlib  # noqa: E402
from bench_scan import Rpc  # noqa: E402
from odoo_server import OdooServer  # noqa: E402

TARGET = 2.0
SMOKE = {"reports": 10, "repeat": 1}
WARMUP = 5
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
TICKET_RE = re.compile(r'class="o_service_ticket_number">([^<]+)<')


class Visitor:
    """An anonymous browser: one session cookie, its CSRF token."""

    def __init__(self, url):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf_token = None

    def device_page(self, token):
        with self.opener.open(f"{self.url}/service/d/{token}", timeout=60) as response:
            page = response.read().decode()
        if self.csrf_token is None:
            self.csrf_token = CSRF_RE.search(page).group(1)
        return page

    def report_fault(self, token, index):
        form = urllib.parse.urlencode({
            "csrf_token": self.csrf_token,
            "description": f"The pump alarms E42 after ten minutes (report {index}).",
            "contact_name": "Ward 3 nurse",
            "contact_phone": "+86 21 5555 0100",
        }).encode()
        with self.opener.open(f"{self.url}/service/d/{token}/report", form, timeout=60) as response:
            page = response.read().decode()
        found = TICKET_RE.search(page)
        if response.status != 200 or "o_service_report_created" not in page or not found:
            raise RuntimeError(f"report {index} was not created (HTTP {response.status})")
        return found.group(1).strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=200, help="units visited and reported per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best median counts")
    parser.add_argument("--smoke", action="store_true", help="tiny run (10 units, one round)")
    options = parser.parse_args()
    if options.smoke:
        vars(options).update(SMOKE)
    odoo = devlib.find_odoo()
    database = devlib.unique_database("bench_public_report")
    port = devlib.free_port()
    log = Path(tempfile.mkdtemp(prefix="aftersales-bench-")) / "odoo.log"
    server = OdooServer(odoo.command, odoo.addons_dirs, database, log, port=port)
    units = WARMUP + options.reports * options.repeat
    try:
        print(f"installing service_desk into {database}...", flush=True)
        args = devlib.fresh_database(odoo, database, "service_desk", port)
        print(f"creating {units} units with certificates and labels...", flush=True)
        (data,) = devlib.shell_benchmark(odoo, args, HERE / "desk_units_shell.py", 1,
                                         BENCH_UNITS=str(units), BENCH_REPORT_LIMIT=str(units + 10))
        server.start()
        visitor = Visitor(server.url)
        tokens = data["tokens"]
        numbers = []
        for index, token in enumerate(tokens[:WARMUP]):
            visitor.device_page(token)
            numbers.append(visitor.report_fault(token, index))
        rounds = []
        for round_index in range(options.repeat):
            start = WARMUP + round_index * options.reports
            gets, posts = [], []
            for index, token in enumerate(tokens[start:start + options.reports], start):
                started = time.perf_counter()
                visitor.device_page(token)
                gets.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                numbers.append(visitor.report_fault(token, index))
                posts.append((time.perf_counter() - started) * 1000)
            rounds.append((statistics.median(gets), statistics.median(posts)))
        rpc = Rpc(server.url, database, "admin", "admin")
        created = rpc.execute("service.request", "search_count", [["channel", "=", "device_page"]])
    finally:
        server.stop()
        devlib.drop_database(database)

    print(f"\n{'round':>5} {'GET page ms':>12} {'POST report ms':>15} {'ratio':>6}   (medians)")
    for index, (get_ms, post_ms) in enumerate(rounds, 1):
        print(f"{index:>5} {get_ms:>12.1f} {post_ms:>15.1f} {post_ms / get_ms:>6.2f}")
    best_get = min(get_ms for get_ms, _post in rounds)
    best_post = min(post_ms for _get, post_ms in rounds)
    ratio = best_post / best_get
    print(f"\n{len(numbers)} reports posted, {len(set(numbers))} ticket numbers, {created} device-page "
          f"requests in the database (must be {units})")
    verdict = "not judged (--smoke)" if options.smoke else ("OK" if ratio <= TARGET else "OVER TARGET")
    print(f"ratios: fault report POST / device page GET, best medians of {options.repeat}: {ratio:.2f} "
          f"({best_post:.1f} ms against {best_get:.1f} ms; target <= {TARGET}): {verdict}")
    return 0 if created == units == len(set(numbers)) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except devlib.DevError as error:
        sys.exit(f"benchmark failed: {error}")
