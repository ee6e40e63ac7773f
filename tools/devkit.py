#!/usr/bin/env python3
"""Developer commands behind ``tools/test`` and ``tools/demo``.

Standard library only: it runs before the project's own environment exists.
It never installs Odoo; it finds the one the user brought (``tools/devlib.py``):

- ``ODOO_BIN`` (path to ``odoo``/``odoo-bin``), else ``odoo`` or ``odoo-bin``
  on PATH;
- Odoo's own add-ons next to the ``odoo`` package of that install (a source
  checkout's ``addons/``), plus any directories in ``ODOO_ADDONS_PATH``;
- PostgreSQL from the standard ``PG*`` variables (default 127.0.0.1:5432).
"""

import argparse
import ast
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import devlib
from devlib import ADDONS, BUILD, ROOT, say

VENV = ROOT / ".venv"
TIERS = ("lint", "fast", "odoo", "e2e", "bench", "peer")
NEEDS_ODOO = ("odoo", "e2e", "bench", "peer")
# OCA's rma for 19.0, the latest on PyPI when pinned (2026-12-01). It depends
# on stock_account only, which Odoo Community has: no other OCA wheel needed.
# A dependency outside Odoo would be pinned here beside it.
PEER_WHEELS = ("odoo-addon-rma==19.0.1.0.4.2",)
PEER_MODULES = ("rma",)
PEER = BUILD / "peer"
# The bench tier's template databases, each made from a copy of the one
# before: Odoo's modules that service_warranty needs, then service_warranty,
# service_rma, service_desk and service_maintenance. The benchmarks copy them
# instead of installing (seconds instead of a minute or more each).
BENCH_LADDER = (
    "sale_stock,repair,portal", "service_warranty", "service_rma", "service_desk", "service_maintenance",
)


def banner(message):
    line = "!" * 78
    say(f"\n{line}\n!! {message}\n{line}\n")


def ensure_venv():
    """The project's own environment: the aftersales package and dev tools."""
    stamp = VENV / ".pyproject.sha256"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    python = VENV / "bin" / "python"
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    say("Preparing the development environment (.venv)...")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True
    )
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-e", f"{ROOT}[dev]"], check=True
    )
    stamp.write_text(digest)
    return python


# -- tiers -------------------------------------------------------------------


def tier(passed=0, failed=0, skipped=0, note=""):
    return {"passed": passed, "failed": failed, "skipped": skipped, "note": note}


LINT_TARGETS = ("addons", "scripts", "tests", "tools", "bench")
PYLINT_MESSAGE_RE = re.compile(r"^\S+:\d+: \[([A-Z]\d{4})\(([\w-]+)\)", re.MULTILINE)


def run_lint(python):
    """ruff over the code, then pylint-odoo (OCA's checks, .pylintrc) over the
    add-ons. One tier: it fails when either reports anything."""
    results = [_run_ruff(python), _run_pylint_odoo(python)]
    failed = sum(problems for problems, _note in results)
    notes = "; ".join(note for _problems, note in results)
    return tier(passed=sum(1 for problems, _note in results if not problems), failed=failed, note=notes)


def _run_ruff(python):
    """(problems found, note)."""
    say("== lint: ruff")
    targets = [p for p in LINT_TARGETS if (ROOT / p).exists()]
    result = subprocess.run(
        [str(python), "-m", "ruff", "check", *targets],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    say(result.stdout.strip() or "(ruff printed nothing)")
    if result.stderr.strip():
        say(result.stderr.strip())
    if result.returncode == 0:
        return 0, "ruff check: no problem"
    problems = re.search(r"Found (\d+) error", result.stdout)
    count = int(problems.group(1)) if problems else 1
    return count, f"ruff check: {count} problem(s)"


def _run_pylint_odoo(python):
    """(findings, note). pylint's exit code is a bit field: 1 fatal and 32
    usage error mean it did not check everything, whatever it printed."""
    say("== lint: pylint-odoo (.pylintrc)")
    modules = [str(ADDONS.relative_to(ROOT) / name) for name in devlib.our_modules()]
    result = subprocess.run(
        [str(python), "-m", "pylint", f"--rcfile={ROOT / '.pylintrc'}", *modules],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    say(result.stdout.strip() or "(pylint-odoo printed nothing)")
    if result.stderr.strip():
        say(result.stderr.strip())
    found = PYLINT_MESSAGE_RE.findall(result.stdout)
    if result.returncode & (1 | 32) or (result.returncode and not found):
        return max(len(found), 1), f"pylint-odoo did not run cleanly (exit {result.returncode})"
    if not found:
        return 0, "pylint-odoo: no finding"
    per_check = {}
    for msg_id, symbol in found:
        per_check[f"{symbol} ({msg_id})"] = per_check.get(f"{symbol} ({msg_id})", 0) + 1
    detail = ", ".join(f"{name} x{count}" for name, count in sorted(per_check.items()))
    return len(found), f"pylint-odoo: {len(found)} finding(s): {detail}"


def _junit_counts(path):
    tree = ET.parse(path)
    suites = [tree.getroot()] if tree.getroot().tag == "testsuite" else tree.getroot()
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def run_pytest(python, name, paths, extra_env=None):
    say(f"== {name}: pytest {' '.join(paths)}")
    report = BUILD / f"junit-{name}.xml"
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", f"--junitxml={report}", *paths],
        cwd=ROOT,
        env=dict(os.environ, **(extra_env or {})),
        check=False,
    )
    if result.returncode == 5:
        return tier(note="no test collected")
    if not report.exists():
        return tier(failed=1, note=f"pytest exited {result.returncode} without a report")
    passed, failed, skipped = _junit_counts(report)
    if result.returncode and not failed:
        failed = 1
    return tier(passed, failed, skipped, note=f"pytest exit code {result.returncode}")


SUMMARY_RE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
LOG_LINE_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) ")
SKIP_RE = re.compile(r" skipped \S+ : ")
# "... ERROR db odoo.addons.rma.tests.test_rma_portal: FAIL: TestRmaPortal.test_x"
FAILED_TEST_RE = re.compile(r" odoo\.addons\.(\w+)\.\S*: (?:FAIL|ERROR): (\w+\.\w+)")
STARTED_TEST_RE = re.compile(r" odoo\.addons\.(\w+)\.tests\.\S*: Starting (\w+\.\w+)")


def odoo_has_websocket(command):
    """Odoo's browser tests drive Chromium through websocket-client, a test
    dependency its requirements.txt omits; without it tours skip."""
    if "python" not in Path(command[0]).name:
        return True
    probe = subprocess.run([command[0], "-c", "import websocket"], capture_output=True, check=False)
    if probe.returncode == 0:
        return True
    banner("websocket-client is missing from Odoo's Python: UI tours will be SKIPPED. "
           f"Install it there: {command[0]} -m pip install websocket-client")
    return False


def run_logged(args, log_path, timeout):
    """Run a command into a log file; (exit code, timed out)."""
    with log_path.open("w") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=BUILD)
        try:
            return process.wait(timeout=timeout), False
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait(), True


def run_odoo(odoo):
    return run_odoo_suite("odoo", odoo, devlib.our_modules(), odoo.addons_dirs, "odoo-tests.log")


def run_odoo_suite(name, odoo, modules, addons_dirs, log_name):
    """Install ``modules`` into a fresh database with --test-enable and run
    their tests (``--test-tags /module,...``): the tier, failed on any failing
    test or error logged outside them. The database is dropped afterwards."""
    missing_tools = devlib.ensure_debian_packages(["wkhtmltopdf", "chromium", "fonts-noto-cjk"])
    if not odoo_has_websocket(odoo.command):
        missing_tools.append("websocket-client")
    database = devlib.unique_database(f"aftersales_{'test' if name == 'odoo' else name}")
    log_path = BUILD / log_name
    say(f"== {name}: {' '.join(odoo.command)} on fresh database {database}")
    found = ", ".join(map(str, addons_dirs)) or "(none found)"
    say(f"   modules: {', '.join(modules)}; add-ons: {found}")
    args = [
        *odoo.command,
        *devlib.odoo_args(database, addons_dirs, devlib.free_port()),
        "-i", ",".join(modules),
        "--test-enable",
        f"--test-tags={','.join('/' + m for m in modules)}",
        "--stop-after-init",
        "--log-level=test",
    ]
    started = time.monotonic()
    timeout = int(os.environ.get("AFTERSALES_ODOO_TIMEOUT", "2700"))
    try:
        returncode, timed_out = run_logged(args, log_path, timeout)
    finally:
        devlib.drop_database(database)
    elapsed = time.monotonic() - started
    text = log_path.read_text(errors="replace")
    error_lines = [
        line for line in text.splitlines()
        if (m := LOG_LINE_RE.match(line)) and m.group(1) in ("ERROR", "CRITICAL")
    ]
    for line in error_lines[:40]:
        say("   " + line[:300])
    summary = SUMMARY_RE.findall(text)
    note = f"{elapsed:.0f}s, log in build/{log_name}"
    if missing_tools:
        note += f"; missing {', '.join(missing_tools)}: those tests skip"
    if timed_out:
        return tier(failed=1, note=f"Odoo was stopped after {timeout}s (AFTERSALES_ODOO_TIMEOUT); {note}")
    if not summary:
        say(text[-3000:])
        return tier(failed=1, note=f"Odoo did not report test results (exit {returncode}); {note}")
    failed, errors, total = map(int, summary[-1])
    skipped = len(SKIP_RE.findall(text))
    failures = failed + errors
    started_tests = {}
    for module, test in STARTED_TEST_RE.findall(text):
        started_tests.setdefault(module, set()).add(test)
    if len(modules) > 1:
        note += "; tests run: " + ", ".join(f"{m} {len(started_tests.get(m, ()))}" for m in modules)
    failing = sorted({f"{module}: {test}" for module, test in FAILED_TEST_RE.findall(text)})
    if failing:
        note += f"; failing: {', '.join(failing[:10])}{' ...' if len(failing) > 10 else ''}"
    unexplained = 0
    if not failures:
        unexplained = len([line for line in error_lines if "when loading database" not in line])
    if returncode and not failures and not unexplained:
        unexplained = 1
    if unexplained:
        note += f"; {unexplained} error(s) logged outside tests"
    return tier(max(total - failures - skipped, 0), failures + unexplained, skipped, note)


# -- bench: every benchmark at smoke size ------------------------------------


def run_bench(python, odoo):
    """Each bench/bench_*.py with --smoke, against copies of template
    databases made once for the tier: one passed or failed per benchmark,
    passed when it exits 0 and prints its ``ratios:`` line."""
    scripts = sorted((ROOT / "bench").glob("bench_*.py"))
    if not scripts:
        return tier(note="no benchmark")
    missing = devlib.ensure_debian_packages(["wkhtmltopdf"])
    say(f"== bench: {len(scripts)} benchmarks with --smoke")
    started = time.monotonic()
    templates = {}
    log_path = BUILD / "bench-databases.log"
    log_path.write_text("")
    try:
        try:
            previous = None
            for modules in BENCH_LADDER:
                database = devlib.unique_database("aftersales_bench_tpl")
                say(f"   preparing {database} with {modules}...")
                if previous:
                    devlib.copy_database(previous, database)
                templates[modules] = database
                args = devlib.odoo_args(database, odoo.addons_dirs, devlib.free_port())
                devlib.install_modules(odoo.command, args, modules, log_path)
                previous = database
        except devlib.DevError as error:
            say(f"   {error}")
            return tier(failed=len(scripts), note=f"could not prepare the benchmarks' databases: {error}")
        prepared = time.monotonic() - started
        outcomes = [_run_one_bench(python, script, templates) for script in scripts]
    finally:
        for database in templates.values():
            devlib.drop_database(database)
    failed = [name for name, ok, _seconds in outcomes if not ok]
    times = ", ".join(f"{name} {seconds:.0f}s" for name, _ok, seconds in outcomes)
    note = (f"{time.monotonic() - started:.0f}s: databases {prepared:.0f}s, {times}; "
            "logs in build/bench-*.log")
    if failed:
        note = f"failed: {', '.join(failed)}; {note}"
    if missing:
        note += f"; missing {', '.join(missing)}"
    return tier(passed=len(outcomes) - len(failed), failed=len(failed), note=note)


def _run_one_bench(python, script, templates):
    """(name, passed, seconds) of one benchmark's smoke run."""
    log_path = BUILD / f"bench-{script.stem.removeprefix('bench_')}.log"
    timeout = int(os.environ.get("AFTERSALES_BENCH_TIMEOUT", "600"))
    env = dict(os.environ, PYTHONUNBUFFERED="1", **devlib.templates_env(templates))
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen([str(python), str(script), "--smoke"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
            log.write(f"\nstopped after {timeout}s (AFTERSALES_BENCH_TIMEOUT)\n")
    seconds = time.monotonic() - started
    output = log_path.read_text(errors="replace")
    ratios = [line for line in output.splitlines() if line.startswith("ratios:")]
    ok = returncode == 0 and bool(ratios)
    say(f"   {script.name}: {'ok' if ok else 'FAILED'} in {seconds:.0f}s (exit {returncode})")
    for line in ratios:
        say(f"     {line}")
    if not ok:
        say("     " + "\n     ".join(output.strip().splitlines()[-15:]))
        if returncode == 0:
            say("     (no 'ratios:' line: the benchmark did not get to its result)")
    return script.stem, ok, seconds


# -- peer: OCA rma beside our add-ons ----------------------------------------


class PeerUnavailable(Exception):
    """The peer add-ons could not be fetched (PyPI unreachable, say)."""


def fetch_peer(python):
    """The pinned wheels in build/peer/wheels (downloaded once), their
    ``odoo/addons/*`` unpacked afresh into build/peer/addons: that directory."""
    wheels, addons = PEER / "wheels", PEER / "addons"
    wheels.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(addons, ignore_errors=True)
    addons.mkdir(parents=True)
    for requirement in PEER_WHEELS:
        name, version = requirement.split("==")
        pattern = f"{name.replace('-', '_')}-{version}-*.whl"
        if not any(wheels.glob(pattern)):
            say(f"   pip download --no-deps {requirement}")
            done = subprocess.run(
                [str(python), "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--timeout", "30", "--retries", "1", "-d", str(wheels), requirement],
                capture_output=True, text=True, timeout=600, check=False,
            )
            if done.returncode or not any(wheels.glob(pattern)):
                lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
                why = ([line for line in lines if line.startswith("ERROR")] or lines)[-1].strip()[:300]
                if re.search(r"NewConnectionError|Connection refused|Name or service not known|timed out",
                             done.stderr):
                    why = f"the package index is unreachable ({why})"
                raise PeerUnavailable(f"could not download {requirement}: {why}")
        wheel = sorted(wheels.glob(pattern))[-1]
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                parts = Path(member.filename).parts
                if len(parts) < 4 or parts[:2] != ("odoo", "addons") or member.is_dir() or ".." in parts:
                    continue
                target = addons.joinpath(*parts[2:])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))
    return addons


def _missing_dependencies(modules, addons_dirs):
    """Dependencies of ``modules`` found in none of ``addons_dirs``."""
    missing = set()
    for module in modules:
        manifest = next((d / module / "__manifest__.py" for d in addons_dirs
                         if (d / module / "__manifest__.py").exists()), None)
        if manifest is None:
            missing.add(module)
            continue
        for dependency in ast.literal_eval(manifest.read_text()).get("depends", []):
            if not any((d / dependency / "__manifest__.py").exists() for d in addons_dirs):
                missing.add(dependency)
    return sorted(missing)


def run_peer(python, odoo):
    """OCA rma (PEER_WHEELS) installed beside our add-ons in one fresh
    database, its tests and ours run there: it fails when either suite does.
    None when the wheels cannot be fetched: the tier did not run."""
    say(f"== peer: {', '.join(PEER_WHEELS)} beside {', '.join(devlib.our_modules())}")
    started = time.monotonic()
    try:
        peer_addons = fetch_peer(python)
    except (PeerUnavailable, OSError, subprocess.TimeoutExpired, zipfile.BadZipFile) as error:
        return None, str(error)
    addons_dirs = [*odoo.addons_dirs, peer_addons]
    missing = _missing_dependencies(PEER_MODULES, [*addons_dirs, ADDONS])
    if missing:
        return tier(failed=1, note=f"{', '.join(PEER_MODULES)} need(s) {', '.join(missing)}, in neither "
                    "Odoo nor PEER_WHEELS: pin their wheels there"), None
    fetched = time.monotonic() - started
    result = run_odoo_suite("peer", odoo, [*PEER_MODULES, *devlib.our_modules()], addons_dirs,
                            "peer-tests.log")
    result["note"] = f"{', '.join(PEER_WHEELS)} (fetched in {fetched:.0f}s); {result['note']}"
    return result, None


def git_head():
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or None


def cmd_test(options):
    BUILD.mkdir(exist_ok=True)
    tiers = {}
    not_run = []
    wanted = set(options.only.split(",")) if options.only else set(TIERS)
    unknown = wanted - set(TIERS)
    if unknown:
        print(f"devkit test: --only: unknown tier(s) {', '.join(sorted(unknown))}; "
              f"the tiers are {', '.join(TIERS)}", file=sys.stderr)
        return 2
    python = ensure_venv()
    try:
        odoo, reason = devlib.find_odoo(), ""
    except devlib.OdooNotFound as error:
        odoo, reason = None, str(error)
    e2e = ROOT / "tests" / "e2e"
    has_e2e = e2e.is_dir() and any(e2e.glob("test_*.py"))

    def skipped_on_request(name):
        if name == "lint" and options.skip_lint:
            return tier(note="skipped on request (--skip-lint)")
        if name not in wanted:
            return tier(note=f"skipped on request (--only {options.only})")
        if options.skip_odoo and name in NEEDS_ODOO:
            return tier(note="skipped on request (--skip-odoo: it runs a real Odoo)")
        return None

    def needs_odoo(name, run):
        if (done := skipped_on_request(name)) is not None:
            return done
        if odoo is None:
            if not not_run:
                banner(f"ODOO 19 NOT FOUND: {reason}. The tiers that need it did NOT run.")
            not_run.append(name)
            return tier(note=f"NOT RUN: Odoo not found ({reason})")
        return run()

    tiers["lint"] = skipped_on_request("lint") or run_lint(python)
    tiers["fast"] = skipped_on_request("fast") or run_pytest(python, "fast", ["tests/unit"])
    tiers["odoo"] = needs_odoo("odoo", lambda: run_odoo(odoo))
    if has_e2e:
        tiers["e2e"] = needs_odoo("e2e", lambda: run_pytest(
            python, "e2e", ["tests/e2e"],
            extra_env={"ODOO_BIN": shlex.join(odoo.command),
                       "ODOO_ADDONS_PATH": ",".join(map(str, odoo.addons_dirs))},
        ))
    tiers["bench"] = needs_odoo("bench", lambda: run_bench(python, odoo))

    def peer():
        result, why_not = run_peer(python, odoo)
        if result is not None:
            return result
        not_run.append("peer")
        banner(f"PEER TIER NOT RUN: {why_not}")
        return tier(note=f"NOT RUN: {why_not}")

    tiers["peer"] = needs_odoo("peer", peer)
    summary = {"head": git_head(), "tiers": tiers}
    (BUILD / "test-summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    say("\n== summary (build/test-summary.json)")
    for name, t in tiers.items():
        counts = f"{t['passed']:4} passed {t['failed']:4} failed {t['skipped']:4} skipped"
        say(f"   {name:5} {counts}  {t['note']}")
    totals = {key: sum(t[key] for t in tiers.values()) for key in ("passed", "failed", "skipped")}
    say(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    if not_run:
        banner(f"Not run: {', '.join(not_run)}. This result says nothing about what they test.")
        if os.environ.get("CI"):
            return 1
    return 1 if totals["failed"] else 0


# -- demo --------------------------------------------------------------------


# The portal logins of the demo data (addons/service_warranty/demo/): the
# password is the login.
DEMO_PORTAL_LOGINS = (("portal-acme", "Acme Diagnostics"), ("portal-riverside", "Riverside Clinic"))


def _say_walkthrough(base, database, token, modules):
    """What the demo holds and what to try in it, after the install."""
    say("")
    say(f"Aftersales demo on {base}  (database '{database}')")
    say("  log in:        admin / admin")
    for login, customer in DEMO_PORTAL_LOGINS:
        say(f"  portal:        {login} / {login}   ({customer}: warranties, returns, service requests, "
            f"contracts at {base}/my)")
    say(f"  certificates:  {base}/odoo/action-service_warranty.service_warranty_action")
    if token:
        say(f"  a device page: {base}/service/d/{token}   (what a customer's QR label opens)")
    say("  next: After-sales > Warranties > Certificates, open one, Print card;")
    say("        After-sales > Warranties > Devices, open a serial, After-sales tab, Print QR label.")
    say("  returns: After-sales > Returns > Scan a unit, type BG200-24-000101 (under warranty)")
    say("           or BG200-24-000102 (warranty over: a repair billed at cost). Open RMA, Receive unit")
    say("           (validate the receipt), Diagnosed, Start repair; on the repair add the part")
    say("           'BG-200 sensor cartridge' and Labour (hours), Confirm, Start and End Repair; then")
    say("           Invoicing > Customers > Post-warranty repairs to bill, Bill at cost (labour at the")
    say("           demo's 65.00 an hour, Invoicing > Configuration > Settings).")
    if "service_desk" in modules:
        say("  service desk: After-sales > Service desk > Service requests: Riverside Clinic's analyzer")
        say("           is down (urgent, on site); open its visit, Arrived on site, Finish, sign, Print the")
        say("           service report; Solved and Close send the satisfaction survey. Service desk >")
        say("           Hotline takes a new call; Reporting > Dashboard shows the service levels.")
    if "service_maintenance" in modules:
        say("  maintenance: After-sales > Maintenance > Contracts: Acme's contract and its planned")
        say("           inspections; Advisories: publish the analyzers' advisory and Notify owners.")


def cmd_demo(options):
    try:
        command, addons_dirs = devlib.find_odoo()
    except devlib.OdooNotFound as error:
        sys.exit(f"Odoo 19 not found: {error}. See README.md, 'Prerequisites'.")
    BUILD.mkdir(exist_ok=True)
    database = options.database
    port = options.port or devlib.free_port()
    missing = devlib.ensure_debian_packages(["wkhtmltopdf", "fonts-noto-cjk"])
    if "fonts-noto-cjk" in missing:
        banner("No Chinese font (fc-list :lang=zh lists none): Chinese text will be missing from "
               "printed cards. Install Debian's fonts-noto-cjk (as root: apt-get install fonts-noto-cjk).")
    if not options.keep and devlib.database_exists(database):
        say(f"Dropping the existing database '{database}' to start afresh (--keep reuses it instead)...")
        devlib.drop_database(database)
    modules = devlib.our_modules()
    say(f"Installing {', '.join(modules)} with demo data into database '{database}' (a few minutes)...")
    log_path = BUILD / "demo-install.log"
    log_path.write_text("")
    try:
        devlib.install_modules(command, devlib.odoo_args(database, addons_dirs, port), ",".join(modules),
                               log_path, options=("--with-demo",))
    except devlib.InstallFailed as error:
        sys.exit(f"Installing failed (exit {error.returncode}); see {log_path}")
    token = subprocess.run(
        ["psql", "-At", "-d", database, "-c",
         "SELECT service_token FROM stock_lot WHERE service_token IS NOT NULL ORDER BY id LIMIT 1"],
        env=devlib.pg_env(), capture_output=True, text=True, check=False,
    ).stdout.strip()
    base = f"http://127.0.0.1:{port}"
    _say_walkthrough(base, database, token, modules)
    say(f"Ctrl-C stops the server; the database stays (drop it with `dropdb {database}`).")
    say("")
    server = subprocess.Popen(
        [*command, *devlib.odoo_args(database, addons_dirs, port), "--log-level=warn"], cwd=BUILD
    )
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="devkit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="run every test tier and write build/test-summary.json")
    test.add_argument("--skip-odoo", action="store_true",
                      help="do not run the tiers that need Odoo (odoo, e2e, bench, peer)")
    test.add_argument("--skip-lint", action="store_true", help="do not run ruff and pylint-odoo")
    test.add_argument("--only", metavar="TIER[,TIER]",
                      help=f"run only these tiers ({', '.join(TIERS)}); the others are recorded as skipped")
    demo = sub.add_parser(
        "demo",
        help="fresh database with our add-ons and demo data, then serve it",
        description="Install our add-ons with demo data into a fresh database and serve it on "
        "127.0.0.1 until Ctrl-C. An existing database of the same name is DROPPED first, "
        "unless --keep.",
    )
    demo.add_argument("--database", default="aftersales_demo",
                      help="database name (default aftersales_demo); dropped first if it exists, "
                      "unless --keep")
    demo.add_argument("--port", type=int, default=8069, help="HTTP port (default 8069)")
    demo.add_argument("--keep", action="store_true",
                      help="reuse an existing database instead of dropping and recreating it")
    options = parser.parse_args(argv)
    try:
        return {"test": cmd_test, "demo": cmd_demo}[options.command](options)
    except devlib.DevError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    sys.exit(main())
