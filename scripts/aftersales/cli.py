"""The ``aftersales`` command: parses the command line, connects, runs one
sub-command and turns what went wrong into an exit code scripts can trust:

    0  everything done
    1  some rows or codes failed (each one reported); the rest was done
    2  usage, configuration or connection error: nothing was done

A usage error is found before connecting: an empty (or blank) argument or
option, a value of the wrong kind or out of range, a file that cannot be
read or written. argparse's own errors (SystemExit 2) and the commands'
checks (return 2) say which argument and why.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn

from aftersales import __version__
from aftersales.config import Profile, load_profile
from aftersales.errors import (
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    AftersalesError,
    ConfigError,
    ConnectionProblem,
    ServerError,
)
from aftersales.gateway import Gateway
from aftersales.models import CODE_MAX, MAX_LENGTH, ServiceStatus
from aftersales.output import ECHO_WIDTH, Style, echo, fail
from aftersales.transport import make_transport

SERVICE_PATH = "/service/d/"
ODOO_MAJOR = 19

Connect = Callable[[], Gateway]


def device_url(base_url: str, token: str) -> str:
    """The URL a unit's QR label encodes (the server's ``stock.lot.service_url``)."""
    base = base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"base URL must start with http:// or https://, got {echo(base_url)!r}")
    if not token or not token.replace("-", "").replace("_", "").isalnum() or len(token) != 32:
        raise ValueError(f"not a service token (32 URL-safe characters): {echo(token)!r}")
    return f"{base}{SERVICE_PATH}{token}"


def gateway_for(profile: Profile) -> Gateway:
    return Gateway(make_transport(profile), retries=profile.retries)


# -- commands ----------------------------------------------------------------------


def cmd_url(options: argparse.Namespace, _connect: Connect) -> int:
    try:
        print(device_url(options.base_url, options.token))
    except ValueError as error:
        fail(str(error))
        return EXIT_USAGE
    return EXIT_OK


def cmd_ping(options: argparse.Namespace, connect: Connect) -> int:
    """Each check in order, stopping at the first that fails: the first
    failure explains the following ones."""
    style = Style()
    ok, bad = style("ok", "green"), style("FAILED", "red")
    gateway = connect()
    profile = getattr(gateway.transport, "profile", None)
    where = profile.url if profile else "the server"
    version = gateway.server_version()
    found = re.search(r"\d+", version)  # "19.0", "19.0+e", "saas~19.1"
    major = int(found.group()) if found else 0
    if major != ODOO_MAJOR:
        print(f"{bad}  {where} runs Odoo {version}; aftersales needs Odoo {ODOO_MAJOR}")
        return EXIT_USAGE
    print(f"{ok}  {where} answers: Odoo {version}")
    uid = gateway.login()
    if profile:
        print(f"{ok}  database {profile.database!r}, logged in as {profile.login!r} (user id {uid})")
    states = gateway.addon_states()
    for name, state in states.items():
        print(f"{ok if state == 'installed' else bad}  add-on {name}: {state}")
    missing = [name for name, state in states.items() if state != "installed"]
    if missing:
        fail(f"add-on(s) not installed on the server: {', '.join(missing)}")
        return EXIT_USAGE
    return EXIT_OK


def _day(value: date | None) -> str:
    return value.isoformat() if value else "-"


def format_status(status: ServiceStatus, style: Style) -> str:
    code = status.product_code
    product = status.product + (f" [{code}]" if code and f"[{code}]" not in status.product else "")
    verdict = status.verdict
    lines = [
        f"{style(status.serial, 'bold')}  {product}",
        f"customer     {status.customer or '-'}",
    ]
    cert = status.certificate
    if cert:
        lines += [
            f"certificate  {cert.name} ({cert.state}), policy {cert.policy or '-'}",
            f"  sold {_day(cert.date_sale)}  delivered {_day(cert.date_delivery)}  "
            f"installed {_day(cert.date_install)}  invoice {cert.invoice_ref or '-'}",
            f"  warranty {_day(cert.date_start)} to {_day(cert.date_end)}  "
            f"refund until {_day(cert.refund_until)}  exchange until {_day(cert.exchange_until)}",
        ]
    else:
        lines.append("certificate  none")
    colour = "green" if verdict.covered else ("yellow" if verdict.remedy != "none" else "red")
    heading = "COVERED" if verdict.covered else "NOT COVERED"
    lines.append(f"verdict      {style(heading, colour)}: {verdict.remedy} ({verdict.reason}) "
                 f"{verdict.reason_text}".rstrip())
    if status.repairs:
        lines.append("repairs")
        lines += [
            f"  {r.name}  {_day(r.date)}  {r.state}  "
            f"{'under warranty' if r.under_warranty else 'charged'}  {r.technician or ''}".rstrip()
            for r in status.repairs
        ]
    else:
        lines.append("repairs      none")
    if status.service_url:
        lines.append(f"page         {status.service_url}")
    return "\n".join(lines)


def cmd_status(options: argparse.Namespace, connect: Connect) -> int:
    gateway = connect()
    status = gateway.status(options.code, on_date=options.on)
    if status is None:
        if options.json:
            print(json.dumps({"code": options.code, "found": False}))
        fail(f"no unit matches {echo(options.code)!r} (a label URL, a 32-character token or a serial)")
        return EXIT_PARTIAL
    if options.json:
        print(status.model_dump_json(indent=2))
    else:
        print(format_status(status, Style()))
    return EXIT_OK


def cmd_labels(options: argparse.Namespace, connect: Connect) -> int:
    from aftersales.labels import run_labels

    return run_labels(options, connect)


def cmd_register(options: argparse.Namespace, connect: Connect) -> int:
    from aftersales.register import run_register

    return run_register(options, connect)


def cmd_bill(options: argparse.Namespace, connect: Connect) -> int:
    from aftersales.bill import run_bill

    return run_bill(options, connect)


def cmd_scan(options: argparse.Namespace, connect: Connect) -> int:
    from aftersales.scan import run_scan

    return run_scan(options, connect)


# -- parser ------------------------------------------------------------------------

EPILOG = """\
exit codes:
  0  done
  1  some rows or codes failed (each is reported); the rest was done
  2  usage, configuration or connection error: nothing was done
     (an empty argument or a bad option value is a usage error)

connection: a profile from ~/.config/aftersales/config.toml (or --config),
chosen by --profile, AFTERSALES_PROFILE or the file's `default`, overridden by
AFTERSALES_URL, AFTERSALES_DB, AFTERSALES_LOGIN and AFTERSALES_PASSWORD or
AFTERSALES_API_KEY. Secrets are never taken from the command line.

examples:
  aftersales ping
  aftersales status SN-2026-000123
  aftersales labels --picking WH/OUT/00042 -o labels.pdf
  aftersales register units.csv --dry-run
  aftersales scan
  aftersales bill --confirm
"""


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {echo(value)!r}") from None


def _text(value: str) -> str:
    """A code, name or reference, trimmed. Blank is a usage error, not a search
    for nothing (``bill --customer ""`` would otherwise bill every customer)."""
    text = value.strip()
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    if len(text) > CODE_MAX:
        raise argparse.ArgumentTypeError(f"longer than {CODE_MAX} characters")
    return text


def _path(value: str) -> Path:
    if not value.strip():
        raise argparse.ArgumentTypeError("must name a file")
    return Path(value)


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {echo(value)!r}") from None


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    # 0 is meaningful: retry the server at every scan while offline.
    if not (seconds >= 0 and math.isfinite(seconds)):
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more, not {echo(value)!r}")
    return seconds


class Parser(argparse.ArgumentParser):
    """argparse's own, whose error messages repeat a bad value clipped: "invalid
    choice: 'ZZZZ…'" rather than the 10,000 characters someone pasted."""

    LONG_QUOTED = re.compile("'([^']{" + str(ECHO_WIDTH + 1) + ",})'")  # what argparse repeats with %r
    LONG_WORD = re.compile(r"\S{" + str(ECHO_WIDTH + 3) + ",}")  # "unrecognized arguments: ..."

    def error(self, message: str) -> NoReturn:
        message = self.LONG_QUOTED.sub(lambda found: repr(echo(found.group(1))), message)
        super().error(self.LONG_WORD.sub(lambda found: echo(found.group()), message))


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--config", type=_path, default=argparse.SUPPRESS,
                        help="config file (default ~/.config/aftersales/config.toml)")
    common.add_argument("--profile", type=_text, default=argparse.SUPPRESS,
                        help="profile name in the config file")
    parser = Parser(
        prog="aftersales",
        description="Command-line toolkit for the Aftersales add-ons for Odoo 19.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"aftersales {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=summary, parents=[common],
                              epilog=f"example:\n{example}",
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    ping = command("ping", "check the connection, the Odoo version and that both add-ons are installed",
                   "  AFTERSALES_URL=https://odoo.example.com AFTERSALES_DB=prod AFTERSALES_LOGIN=me \\\n"
                   "  AFTERSALES_API_KEY=... aftersales ping")
    ping.set_defaults(handler=cmd_ping)

    status = command("status", "a unit's product, customer, certificate, verdict today and repairs",
                     "  aftersales status https://odoo.example.com/service/d/Zt3...   (a label URL)\n"
                     "  aftersales status SN-2026-000123 --json | jq .verdict.covered")
    status.add_argument("code", type=_text, help="a label URL, a 32-character token or a serial number")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.add_argument("--on", type=_date, metavar="YYYY-MM-DD",
                        help="the verdict on that day (default today)")
    status.set_defaults(handler=cmd_status)

    labels = command("labels", "QR label sheets as a PDF, rendered locally",
                     "  aftersales labels SN-1 SN-2 SN-3 -o labels.pdf\n"
                     "  aftersales labels --sale-order S00042 --layout roll-62x29 -o roll.pdf\n"
                     "  aftersales labels --file serials.txt --skip 5   (sheet with 5 labels used)")
    labels.add_argument("serials", nargs="*", help="serial numbers")
    labels.add_argument("--file", type=_path, help="a file of serials, one per line ('-' for stdin)")
    labels.add_argument("--picking", type=_text, help="every serial of this transfer, e.g. WH/OUT/00042")
    labels.add_argument("--sale-order", type=_text,
                        help="every serial delivered for this sale order, e.g. S00042")
    labels.add_argument("--layout", default="a4-3x8", help="a4-3x8 (default), a4-3x8-70x37, roll-62x29")
    labels.add_argument("--skip", type=_whole, default=0,
                        help="leave this many labels of the first sheet blank")
    labels.add_argument("-o", "--output", type=_path, default=Path("labels.pdf"), help="PDF file to write")
    labels.set_defaults(handler=cmd_labels)

    register = command(
        "register", "bulk registration of units sold outside Odoo, from a CSV file",
        "  aftersales register units.csv --dry-run\n"
        "  aftersales register units.csv        # then fix units.rejects.csv and:\n"
        "  aftersales register units.rejects.csv\n"
        f"columns: serial, product (internal reference or barcode), customer (reference,\n"
        f"email or name), date_sale (YYYY-MM-DD), and optional date_install,\n"
        f"invoice_ref, policy; at most {MAX_LENGTH['customer']} characters for customer, "
        f"{MAX_LENGTH['serial']} for the others.\n"
        "Re-running a file creates nothing twice. A file that is not UTF-8 is refused\n"
        "whole, naming its first bad line. In the rejects file a cell starting with\n"
        "= + - @ (which a spreadsheet would run as a formula) is prefixed with ';\n"
        "it is read back as it was.")
    register.add_argument("file", type=_path, help="the CSV file (comma, semicolon or tab separated, UTF-8)")
    register.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    register.add_argument("--rejects", type=_path,
                          help="where to write the bad rows (default FILE.rejects.csv)")
    register.add_argument("--batch-size", type=_whole, default=500,
                          help="rows per server call (default 500)")
    register.set_defaults(handler=cmd_register)

    scan = command("scan", "scan station: one code per line in, verdict and RMA out",
                   "  aftersales scan              # a USB scanner types codes; Ctrl-C to stop\n"
                   "  aftersales scan --json < codes.txt\n"
                   "  aftersales scan --replay     # only send what was queued while offline")
    scan.add_argument("--json", action="store_true", help="one JSON object per line instead of text")
    scan.add_argument("--journal", type=_path,
                      help="offline journal (default in ~/.local/state/aftersales)")
    scan.add_argument("--replay", action="store_true", help="send the queued scans and exit")
    scan.add_argument("--retry-every", type=_seconds, default=10.0, metavar="SECONDS",
                      help="while offline, how often a new scan retries the server "
                      "(default 10; 0: at every scan)")
    scan.set_defaults(handler=cmd_scan)

    bill = command(
        "bill", "billing run: post-warranty repairs ready to bill at cost; --confirm bills them",
        "  aftersales bill                        # list them with their at-cost totals (dry run)\n"
        "  aftersales bill --customer acme --csv acme.csv\n"
        "  aftersales bill --confirm --grouping rma --csv billed.csv\n\n"
        "Lists the repairs whose at-cost quotation is confirmed and not yet billed, by\n"
        "customer. --confirm bills them in one server call, as draft invoices (one per\n"
        "customer, or per RMA), and prints them; an RMA someone billed meanwhile is\n"
        "skipped and reported (exit 1). Nothing is ever billed twice: running it again\n"
        "bills only what is still to bill. Billing needs Odoo's Invoicing rights.\n"
        "On a server with service_desk, the on-site visits after the warranty (parts,\n"
        "labour and the visit fee at cost) are listed and billed too, in a second call;\n"
        "the CSV then starts with a document column (rma or visit).")
    bill.add_argument("--confirm", action="store_true", help="bill them (without it: list only, a dry run)")
    bill.add_argument("--grouping", choices=("partner", "rma", "document"),
                      help="one invoice per customer, or per document (rma and document both mean one "
                           "per RMA and one per visit; default: the company's setting)")
    bill.add_argument("--customer", type=_text, metavar="TEXT",
                      help="only customers whose name contains TEXT")
    bill.add_argument("--limit", type=_whole, metavar="N",
                      help="at most N RMAs (by customer, then RMA), and N visits")
    bill.add_argument("--csv", type=_path, metavar="FILE",
                      help="write the summary there, one row per RMA or visit (with its invoice after "
                           "--confirm); "
                           "a text starting with = + - @ is prefixed with ' (no formula runs)")
    bill.add_argument("--json", action="store_true", help="print the run as JSON")
    bill.set_defaults(handler=cmd_bill)

    url = command("url", "print the device URL a QR label encodes for a token",
                  "  aftersales url https://odoo.example.com Zt3...")
    url.add_argument("base_url", help="the Odoo server's public URL, e.g. https://odoo.example.com")
    url.add_argument("token", help="the unit's service token (32 characters)")
    url.set_defaults(handler=cmd_url)
    return parser


def main(argv: list[str] | None = None, connect: Connect | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    handler = getattr(options, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE

    def default_connect() -> Gateway:
        return gateway_for(load_profile(getattr(options, "config", None), getattr(options, "profile", None)))

    try:
        return handler(options, connect or default_connect)
    except ConfigError as error:
        fail(f"configuration: {error}")
        return EXIT_USAGE
    except ConnectionProblem as error:
        fail(f"{error.kind}: {error}")
        return EXIT_USAGE
    except ServerError as error:
        fail(f"the server refused: {error.message}")
        return EXIT_USAGE
    except AftersalesError as error:
        fail(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        # The shell's convention for "killed by SIGINT"; batches already sent
        # stay done, and re-running is safe (the server skips what it has).
        fail("interrupted")
        return 130
