"""Finance's billing run: post-warranty repairs billed at cost.

Without ``--confirm`` it only lists the repairs ready to bill, with their
at-cost totals (a dry run). With ``--confirm`` it sends them all to the
server's ``bill_at_cost`` in one call, so in one transaction: the server locks
them, skips any that another clerk billed meanwhile, and makes the invoices
(one per customer or one per RMA). A repair is never billed twice, so a run
can simply be run again: what was billed is no longer listed.
"""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aftersales.csvsafe import CsvFile
from aftersales.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, ServerError
from aftersales.gateway import Gateway
from aftersales.models import BillableRma, BillResult, Ref
from aftersales.output import Style, echo, fail, plain_amount, table

CSV_COLUMNS = ("rma", "customer", "serial", "product", "repair", "quotation", "amount", "currency",
               "invoice", "skipped")
GROUPINGS = ("partner", "rma")


def _name(ref: Ref | None) -> str:
    return ref.name if ref else ""


@dataclass
class Line:
    """One RMA of the run, and what became of it when it was billed."""

    rma: BillableRma
    invoice: str | None = None
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        rma = self.rma
        return {"id": rma.id, "rma": rma.name, "customer": _name(rma.partner_id), "serial": _name(rma.lot_id),
                "product": _name(rma.product_id), "repair": _name(rma.repair_id),
                "quotation": _name(rma.sale_order_id), "amount": round(rma.amount_at_cost, 6),
                "currency": rma.currency, "company": _name(rma.company_id),
                "invoice": self.invoice, "skipped": self.skipped}


def totals_at_cost(rmas: Sequence[BillableRma]) -> dict[str, dict[str, Any]]:
    """Per currency: how many RMAs and their untaxed at-cost amount."""
    totals: dict[str, dict[str, Any]] = {}
    for rma in rmas:
        total = totals.setdefault(rma.currency, {"rmas": 0, "amount": 0.0})
        total["rmas"] += 1
        total["amount"] = round(total["amount"] + rma.amount_at_cost, 6)
    return dict(sorted(totals.items()))


def totals_billed(result: BillResult) -> dict[str, dict[str, float]]:
    """Per currency: the invoices' untaxed and taxed totals."""
    totals: dict[str, dict[str, float]] = {}
    for invoice in result.invoices:
        total = totals.setdefault(invoice.currency, {"amount_untaxed": 0.0, "amount_total": 0.0})
        total["amount_untaxed"] = round(total["amount_untaxed"] + invoice.amount_untaxed, 6)
        total["amount_total"] = round(total["amount_total"] + invoice.amount_total, 6)
    return dict(sorted(totals.items()))


def lines_of(rmas: Sequence[BillableRma], result: BillResult | None) -> list[Line]:
    if result is None:
        return [Line(rma) for rma in rmas]
    invoice_of = {rma_id: invoice.name for invoice in result.invoices for rma_id in invoice.rma_ids}
    reason_of = {skip.rma_id: skip.reason for skip in result.skipped}
    return [Line(rma, invoice_of.get(rma.id), reason_of.get(rma.id)) for rma in rmas]


# -- output ------------------------------------------------------------------------


def money(amount: float) -> str:
    return plain_amount(amount, thousands=True)


def text_report(lines: Sequence[Line], result: BillResult | None, style: Style) -> list[str]:
    rmas = [line.rma for line in lines]
    headers = ["RMA", "Customer", "Serial", "Product", "Repair", "Quotation", "At cost", "Currency"]
    if result is not None:
        headers.append("Invoice")
    rows = []
    for line in lines:
        rma = line.rma
        row = [rma.name, _name(rma.partner_id), _name(rma.lot_id), _name(rma.product_id),
               _name(rma.repair_id), _name(rma.sale_order_id), money(rma.amount_at_cost), rma.currency]
        if result is not None:
            row.append(line.invoice or ("not billed" if line.skipped else "-"))
        rows.append(row)
    report = table(headers, rows, right=(6,))
    if result is None:
        report.append(f"to bill: {len(rmas)} RMA(s), untaxed at cost")
        report += table(None, [[currency, money(total["amount"]), f"{total['rmas']} RMA(s)"]
                               for currency, total in totals_at_cost(rmas).items()], right=(1,), indent="  ")
        return report
    if result.invoices:
        report.append(style("invoices", "bold"))
        for invoice in result.invoices:
            report.append(
                f"  {invoice.name}  {invoice.partner or '-'}  {len(invoice.rma_ids)} RMA(s)  "
                f"{invoice.currency} {money(invoice.amount_untaxed)} untaxed, "
                f"{money(invoice.amount_total)} with taxes")
    if result.skipped:
        report.append(style("not billed", "red"))
        report += [f"  {skip.name}  {skip.reason}" for skip in result.skipped]
    report.append(f"billed: {len(result.billed)} of {len(rmas)} RMA(s) on {len(result.invoices)} invoice(s)")
    report += table(None, [[currency, money(total["amount_untaxed"]), "untaxed", money(total["amount_total"]),
                            "with taxes"] for currency, total in totals_billed(result).items()],
                    right=(1, 3), indent="  ")
    return report


def json_report(
    lines: Sequence[Line], result: BillResult | None, options: argparse.Namespace
) -> dict[str, Any]:
    return {
        "confirmed": options.confirm,
        "grouping": options.grouping,
        "rmas": [line.as_dict() for line in lines],
        "totals": totals_at_cost([line.rma for line in lines]),
        "invoices": [invoice.model_dump() for invoice in result.invoices] if result else [],
        "billed": list(result.billed) if result else [],
        "skipped": [skip.model_dump() for skip in result.skipped] if result else [],
        "billed_totals": totals_billed(result) if result else {},
    }


def write_csv(target: CsvFile, lines: Sequence[Line]) -> None:
    """One row per RMA. The amount is a number (a Decimal of the tool's own
    formatting, two decimals at least), which the writer leaves as it is:
    every text cell is escaped against formulas, a negative amount is not."""
    target.writerow(CSV_COLUMNS)
    for line in lines:
        row = line.as_dict()
        row["amount"] = Decimal(plain_amount(line.rma.amount_at_cost))
        target.writerow(row[column] for column in CSV_COLUMNS)


# -- command -----------------------------------------------------------------------


def confirm_command(options: argparse.Namespace) -> str:
    """The command that bills what this dry run listed."""
    words = ["aftersales", "bill", "--confirm"]
    for option in ("profile", "customer", "limit", "grouping"):
        value = getattr(options, option, None)
        if value is not None:
            words += [f"--{option}", str(value)]
    return shlex.join(words)


def bill(gateway: Gateway, rmas: Sequence[BillableRma], grouping: str | None) -> BillResult | int:
    """The server's answer, or the exit code after saying why nothing was billed."""
    ids = [rma.id for rma in rmas]
    try:
        return gateway.bill_at_cost(ids, grouping)
    except ServerError as error:
        if "AccessError" in error.name:
            fail(f"not allowed to bill: {error.message} "
                 "(an Odoo administrator can give this user the Invoicing rights)")
            return EXIT_USAGE
        if not error.is_user_error:
            raise
        # The server refuses when nothing of the selection can be billed. If
        # none is still to bill (a clerk billed them meanwhile), these rows
        # failed: 1. If they still are, the refusal is about something else
        # (no sales journal...): nothing was done, 2. Asked rather than read
        # from the message, which is in the user's language.
        if gateway.still_to_bill(ids):
            fail(f"the server refused to bill; nothing was billed: {error.message}")
            return EXIT_USAGE
        fail(f"nothing billed by this run, none is still to bill: {error.message}")
        return EXIT_PARTIAL


def run_bill(options: argparse.Namespace, connect: Callable[[], Gateway]) -> int:
    if options.limit is not None and options.limit < 1:
        fail("--limit must be at least 1")
        return EXIT_USAGE
    target = None
    if options.csv:
        # Opened before anything is billed: a path that cannot be written
        # stops the run before it starts; never left half-written.
        try:
            target = CsvFile(options.csv)
        except OSError as error:
            fail(f"cannot write {options.csv}: {error.strerror}")
            return EXIT_USAGE
    with target or nullcontext():
        gateway = connect()
        rmas = gateway.billable(options.customer, options.limit)
        result = None
        if options.confirm and rmas:
            answer = bill(gateway, rmas, options.grouping)
            if isinstance(answer, int):
                return answer
            result = answer
        lines = lines_of(rmas, result)
        if target:
            write_csv(target, lines)
            target.commit()
    print_report(lines, result, options)
    return EXIT_PARTIAL if result and result.skipped else EXIT_OK


def print_report(lines: Sequence[Line], result: BillResult | None, options: argparse.Namespace) -> None:
    if options.json:
        print(json.dumps(json_report(lines, result, options), indent=2))
        return
    if not lines:
        matching = f" for customers matching {echo(options.customer)!r}" if options.customer else ""
        print(f"nothing to bill{matching}")
    else:
        print("\n".join(text_report(lines, result, Style())))
        if result is None:
            print(f"dry run: nothing billed. To bill them: {confirm_command(options)}")
    if options.csv:
        print(f"{options.csv}: {len(lines)} RMA(s)")
