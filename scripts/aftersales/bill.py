"""Finance's billing run: post-warranty repairs billed at cost.

Without ``--confirm`` it only lists the repairs ready to bill, with their
at-cost totals (a dry run). With ``--confirm`` it sends them all to the
server's ``bill_at_cost`` in one call, so in one transaction: the server locks
them, skips any that another clerk billed meanwhile, and makes the invoices
(one per customer or one per RMA). A repair is never billed twice, so a run
can simply be run again: what was billed is no longer listed.

When the server has service_desk (its ``service.visit`` model), the on-site
visits after the warranty are listed and billed the same way, by the visits'
own ``bill_at_cost`` (a second call, after the RMAs'); the report then names
each row's document (rma or visit). A server without it gets exactly the
RMA-only run.
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
from aftersales.models import BillableRma, BillableVisit, BillResult, Ref, VisitBillResult
from aftersales.output import Style, echo, fail, plain_amount, table

CSV_COLUMNS = ("rma", "customer", "serial", "product", "repair", "quotation", "amount", "currency",
               "invoice", "skipped")
# With visits: which document a row is, its number, and the repair (RMA) or
# the service request (visit) it comes from.
CSV_COLUMNS_WITH_VISITS = ("document", "number", "customer", "serial", "product", "repair", "request",
                           "quotation", "amount", "currency", "invoice", "skipped")
GROUPINGS = ("partner", "rma", "document")


def _name(ref: Ref | None) -> str:
    return ref.name if ref else ""


@dataclass
class Line:
    """One RMA of the run, and what became of it when it was billed."""

    rma: BillableRma
    invoice: str | None = None
    skipped: str | None = None

    kind = "rma"

    @property
    def doc(self) -> BillableRma:
        return self.rma

    def as_dict(self) -> dict[str, Any]:
        rma = self.rma
        return {"id": rma.id, "rma": rma.name, "customer": _name(rma.partner_id), "serial": _name(rma.lot_id),
                "product": _name(rma.product_id), "repair": _name(rma.repair_id),
                "quotation": _name(rma.sale_order_id), "amount": round(rma.amount_at_cost, 6),
                "currency": rma.currency, "company": _name(rma.company_id),
                "invoice": self.invoice, "skipped": self.skipped}

    def csv_row(self) -> dict[str, Any]:
        return {**self.as_dict(), "document": "rma", "number": self.rma.name, "request": ""}


@dataclass
class VisitLine:
    """One on-site visit of the run, and what became of it when it was billed."""

    visit: BillableVisit
    invoice: str | None = None
    skipped: str | None = None

    kind = "visit"

    @property
    def doc(self) -> BillableVisit:
        return self.visit

    def as_dict(self) -> dict[str, Any]:
        visit = self.visit
        return {"id": visit.id, "visit": visit.name, "customer": _name(visit.partner_id),
                "serial": _name(visit.lot_id), "product": _name(visit.product_id),
                "request": _name(visit.request_id), "quotation": _name(visit.sale_order_id),
                "amount": round(visit.amount_at_cost, 6), "currency": visit.currency,
                "company": _name(visit.company_id), "invoice": self.invoice, "skipped": self.skipped}

    def csv_row(self) -> dict[str, Any]:
        return {**self.as_dict(), "document": "visit", "number": self.visit.name, "repair": ""}


@dataclass
class Run:
    """What a run listed and billed: the RMAs, and the visits when the server
    has them (``visits`` None: a server without service_desk)."""

    lines: list[Line]
    result: BillResult | None = None
    visit_lines: list[VisitLine] | None = None
    visit_result: VisitBillResult | None = None
    confirmed: bool = False

    @property
    def with_visits(self) -> bool:
        return self.visit_lines is not None

    @property
    def all_lines(self) -> list[Line | VisitLine]:
        return [*self.lines, *(self.visit_lines or [])]

    @property
    def billed(self) -> bool:
        return self.result is not None or self.visit_result is not None

    @property
    def skipped(self) -> bool:
        return any(result and result.skipped for result in (self.result, self.visit_result))


def totals_at_cost(rmas: Sequence[BillableRma], visits: Sequence[BillableVisit] | None = None
                   ) -> dict[str, dict[str, Any]]:
    """Per currency: how many RMAs (and visits, when the server has them) and
    their untaxed at-cost amount."""
    totals: dict[str, dict[str, Any]] = {}
    for key, docs in (("rmas", rmas), ("visits", visits)):
        if docs is None:
            continue
        for doc in docs:
            total = totals.setdefault(doc.currency, {"rmas": 0, "amount": 0.0} if visits is None
                                      else {"rmas": 0, "visits": 0, "amount": 0.0})
            total[key] += 1
            total["amount"] = round(total["amount"] + doc.amount_at_cost, 6)
    return dict(sorted(totals.items()))


def totals_billed(*results: BillResult | VisitBillResult | None) -> dict[str, dict[str, float]]:
    """Per currency: the invoices' untaxed and taxed totals."""
    totals: dict[str, dict[str, float]] = {}
    for result in results:
        for invoice in result.invoices if result else ():
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


def visit_lines_of(visits: Sequence[BillableVisit], result: VisitBillResult | None) -> list[VisitLine]:
    if result is None:
        return [VisitLine(visit) for visit in visits]
    invoice_of = {visit_id: invoice.name for invoice in result.invoices for visit_id in invoice.visit_ids}
    reason_of = {skip.visit_id: skip.reason for skip in result.skipped}
    return [VisitLine(visit, invoice_of.get(visit.id), reason_of.get(visit.id)) for visit in visits]


def counted(rmas: int, visits: int | None) -> str:
    """"3 RMA(s)", or "3 RMA(s), 2 visit(s)" on a server with visits."""
    return f"{rmas} RMA(s)" if visits is None else f"{rmas} RMA(s), {visits} visit(s)"


# -- output ------------------------------------------------------------------------


def money(amount: float) -> str:
    return plain_amount(amount, thousands=True)


def _row(line: Line | VisitLine, billed: bool) -> list[str]:
    doc = line.doc
    work = doc.repair_id if isinstance(line, Line) else doc.request_id
    row = [doc.name, _name(doc.partner_id), _name(doc.lot_id), _name(doc.product_id), _name(work),
           _name(doc.sale_order_id), money(doc.amount_at_cost), doc.currency]
    if billed:
        row.append(line.invoice or ("not billed" if line.skipped else "-"))
    return row


def text_report(run: Run, style: Style) -> list[str]:
    billed = run.billed
    report: list[str] = []
    invoice_header = ["Invoice"] if billed else []
    if run.lines or not run.with_visits:
        headers = ["RMA", "Customer", "Serial", "Product", "Repair", "Quotation", "At cost", "Currency"]
        report += table([*headers, *invoice_header], [_row(line, billed) for line in run.lines], right=(6,))
    if run.visit_lines:
        headers = ["Visit", "Customer", "Serial", "Product", "Request", "Quotation", "At cost", "Currency"]
        report += table([*headers, *invoice_header], [_row(line, billed) for line in run.visit_lines],
                        right=(6,))
    rmas = [line.rma for line in run.lines]
    visits = [line.visit for line in run.visit_lines] if run.with_visits else None
    if not billed:
        count = counted(len(rmas), len(visits) if visits is not None else None)
        report.append(f"to bill: {count}, untaxed at cost")
        report += table(None, [
            [currency, money(total["amount"]), counted(total["rmas"], total.get("visits"))]
            for currency, total in totals_at_cost(rmas, visits).items()
        ], right=(1,), indent="  ")
        return report
    invoices = [(invoice, f"{len(invoice.rma_ids)} RMA(s)") for invoice in (run.result.invoices
                                                                           if run.result else ())]
    if run.visit_result:
        invoices += [(invoice, f"{len(invoice.visit_ids)} visit(s)") for invoice in run.visit_result.invoices]
    if invoices:
        report.append(style("invoices", "bold"))
        for invoice, count in invoices:
            report.append(
                f"  {invoice.name}  {invoice.partner or '-'}  {count}  "
                f"{invoice.currency} {money(invoice.amount_untaxed)} untaxed, "
                f"{money(invoice.amount_total)} with taxes")
    skips = [*(run.result.skipped if run.result else ()),
             *(run.visit_result.skipped if run.visit_result else ())]
    if skips:
        report.append(style("not billed", "red"))
        report += [f"  {skip.name}  {skip.reason}" for skip in skips]
    billed_rmas = len(run.result.billed) if run.result else 0
    if run.with_visits:
        billed_visits = len(run.visit_result.billed) if run.visit_result else 0
        report.append(f"billed: {billed_rmas} of {len(rmas)} RMA(s) and {billed_visits} of "
                      f"{len(visits or ())} visit(s) on {len(invoices)} invoice(s)")
    else:
        report.append(f"billed: {billed_rmas} of {len(rmas)} RMA(s) on {len(invoices)} invoice(s)")
    billed_totals = totals_billed(run.result, run.visit_result)
    report += table(None, [[currency, money(total["amount_untaxed"]), "untaxed", money(total["amount_total"]),
                            "with taxes"] for currency, total in billed_totals.items()],
                    right=(1, 3), indent="  ")
    return report


def json_report(run: Run, options: argparse.Namespace) -> dict[str, Any]:
    result = run.result
    rmas = [line.rma for line in run.lines]
    visits = [line.visit for line in run.visit_lines] if run.visit_lines is not None else None
    report = {
        "confirmed": options.confirm,
        "grouping": options.grouping,
        "rmas": [line.as_dict() for line in run.lines],
        "totals": totals_at_cost(rmas, visits),
        "invoices": [invoice.model_dump() for invoice in result.invoices] if result else [],
        "billed": list(result.billed) if result else [],
        "skipped": [skip.model_dump() for skip in result.skipped] if result else [],
        "billed_totals": totals_billed(result, run.visit_result) if run.billed else {},
    }
    if run.with_visits:
        visit_result = run.visit_result
        report["visits"] = [line.as_dict() for line in run.visit_lines or ()]
        if visit_result:
            report["invoices"] += [invoice.model_dump() for invoice in visit_result.invoices]
        report["billed_visits"] = list(visit_result.billed) if visit_result else []
        if visit_result:
            report["skipped"] += [skip.model_dump() for skip in visit_result.skipped]
    return report


def write_csv(target: CsvFile, run: Run) -> None:
    """One row per RMA (and visit). The amount is a number (a Decimal of the
    tool's own formatting, two decimals at least), which the writer leaves as
    it is: every text cell is escaped against formulas, a negative amount is
    not."""
    columns = CSV_COLUMNS_WITH_VISITS if run.with_visits else CSV_COLUMNS
    target.writerow(columns)
    for line in run.all_lines:
        row = line.csv_row()
        row["amount"] = Decimal(plain_amount(line.doc.amount_at_cost))
        target.writerow(row[column] for column in columns)


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
    return _bill_or_code(lambda: gateway.bill_at_cost(ids, _server_grouping(grouping, "rma")),
                         lambda: gateway.still_to_bill(ids))


def bill_visits(gateway: Gateway, visits: Sequence[BillableVisit], grouping: str | None
                ) -> VisitBillResult | int:
    ids = [visit.id for visit in visits]
    return _bill_or_code(lambda: gateway.bill_visits_at_cost(ids, _server_grouping(grouping, "visit")),
                         lambda: gateway.visits_still_to_bill(ids))


def _server_grouping(grouping: str | None, document: str) -> str | None:
    """"rma" and "document" both mean one invoice per document: the server's
    word for it is the document's ("rma" or "visit")."""
    return document if grouping in ("rma", "document") else grouping


def _bill_or_code(call: Callable[[], Any], still_to_bill: Callable[[], list[int]]) -> Any:
    try:
        return call()
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
        if still_to_bill():
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
    code = EXIT_OK
    with target or nullcontext():
        gateway = connect()
        rmas = gateway.billable(options.customer, options.limit)
        visits = gateway.billable_visits(options.customer, options.limit)
        result = visit_result = None
        if options.confirm and rmas:
            answer = bill(gateway, rmas, options.grouping)
            if isinstance(answer, int):
                return answer
            result = answer
        if options.confirm and visits:
            # The RMAs are billed (and committed) by now: whatever the visits'
            # answer, what was billed is reported.
            visit_answer = bill_visits(gateway, visits, options.grouping)
            if isinstance(visit_answer, int):
                if result is None:
                    return visit_answer
                code = visit_answer
            else:
                visit_result = visit_answer
        run = Run(lines_of(rmas, result), result,
                  visit_lines_of(visits, visit_result) if visits is not None else None, visit_result,
                  confirmed=options.confirm)
        if target:
            write_csv(target, run)
            target.commit()
    print_report(run, options)
    return max(code, EXIT_PARTIAL if run.skipped else EXIT_OK)


def print_report(run: Run, options: argparse.Namespace) -> None:
    if options.json:
        print(json.dumps(json_report(run, options), indent=2))
        return
    if not run.all_lines:
        matching = f" for customers matching {echo(options.customer)!r}" if options.customer else ""
        print(f"nothing to bill{matching}")
    else:
        print("\n".join(text_report(run, Style())))
        if not run.billed:
            print(f"dry run: nothing billed. To bill them: {confirm_command(options)}")
    if options.csv:
        what = counted(len(run.lines), len(run.visit_lines) if run.visit_lines is not None else None)
        print(f"{options.csv}: {what}")
