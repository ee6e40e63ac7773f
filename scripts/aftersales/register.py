"""Bulk registration from a CSV file.

Every row is checked before anything is written: first here (columns, dates,
duplicates in the file), then by the server in dry-run batches (products,
customers, policies, serials registered elsewhere). Only then are the good
rows sent, in batches of one transaction each. Bad rows go to a rejects file
with the same columns plus ``error``, to fix and feed back; the server skips
units already registered, so re-running a file creates nothing twice.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from aftersales.csvsafe import CsvFile, unescape
from aftersales.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, AftersalesError
from aftersales.gateway import Gateway
from aftersales.models import RegisterResult, RegisterRow, RowError
from aftersales.output import Progress, Style, echo, fail
from aftersales.textfile import NotUtf8, decode_utf8

COLUMNS = ("serial", "product", "customer", "date_sale", "date_install", "invoice_ref", "policy")
REQUIRED_COLUMNS = COLUMNS[:4]
ERROR_COLUMN = "error"  # added to the rejects file; ignored when that file is read back


class CsvProblem(AftersalesError):
    """The file as a whole cannot be read: nothing was checked."""


@dataclass
class Source:
    path: Path
    fieldnames: list[str]
    delimiter: str = ","
    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # The cells beyond the last column of a row that has too many, by line:
    # the row is rejected, and its rejects line keeps them.
    extra: dict[int, list[str]] = field(default_factory=dict)


def read_csv(path: Path) -> Source:
    """The rows of ``path`` with the line each starts on. Comma, semicolon or
    tab separated (Excel's choice depends on the locale), UTF-8 with or
    without BOM. Cells escaped against formulas (``'=...``, as the rejects
    file writes them) are read as they were before."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CsvProblem(f"{path}: cannot read it: {error.strerror}") from None
    try:
        text = decode_utf8(data, str(path))
    except NotUtf8 as error:
        # The whole file, not only its bad lines: a file that is not UTF-8 was
        # saved in another encoding as a whole (Excel's plain "CSV"), so its
        # other rows are right only by luck, and a bad line could not even be
        # copied faithfully to the rejects file. Nothing is registered until
        # it is saved again as UTF-8.
        raise CsvProblem(f"{error}; nothing was registered: "
                         'save it as "CSV UTF-8" (UTF-8 encoding) and run it again') from None
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is sniffed: the rest is Excel's dialect, whose doubled
    # quotes ("Acme ""Big"" Ltd") the sniffer cannot see in a header.
    reader = csv.reader(text.splitlines(keepends=True), "excel", delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise CsvProblem(f"{path}: empty file; the first line must name the columns") from None
    unknown = [name for name in header if name not in (*COLUMNS, ERROR_COLUMN)]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing:
        problems = ([f"unknown column(s) {', '.join(repr(echo(name)) for name in unknown)}"]
                    if unknown else []) + (
            [f"missing column(s) {', '.join(missing)}"] if missing else [])
        raise CsvProblem(f"{path}, line 1: {'; '.join(problems)} (columns: {', '.join(COLUMNS)})")
    if len(set(header)) != len(header):
        raise CsvProblem(f"{path}, line 1: a column is named twice")
    source = Source(path, header, delimiter)
    line = reader.line_num + 1
    try:
        for read in reader:
            if any(cell.strip() for cell in read):
                cells = [unescape(cell) for cell in read]
                source.records.append((line, dict(zip(header, cells, strict=False))))
                if len(cells) > len(header):
                    source.extra[line] = cells[len(header):]
            line = reader.line_num + 1
    except csv.Error as error:
        raise CsvProblem(f"{path}, line {line}: {error}") from None
    return source


def _reason(error: dict) -> str:
    if error["type"] in ("missing", "string_too_short"):
        return "is required"
    if error["type"] == "string_too_long":
        return f"is longer than {error['ctx']['max_length']} characters ({len(str(error['input']).strip())})"
    return str(error["msg"]).removeprefix("Value error, ")


def validate(source: Source) -> tuple[list[RegisterRow], list[RowError]]:
    """The rows that are well-formed, and what is wrong with the others."""
    good: list[RegisterRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, str], int] = {}
    for line, raw in source.records:
        if line in source.extra:
            cells = len(source.fieldnames) + len(source.extra[line])
            errors.append(RowError(line=line, column="-", reason=(
                f"{cells} cells but {len(source.fieldnames)} columns: quote values with commas")))
            continue
        values = {key: value for key, value in raw.items() if key in COLUMNS and value is not None}
        try:
            row = RegisterRow.model_validate({**values, "line": line})
        except ValidationError as invalid:
            errors.extend(RowError(line=line, column=str(e["loc"][0]) if e["loc"] else "-", reason=_reason(e))
                          for e in invalid.errors())
            continue
        key = (row.serial, row.product)
        if key in first_seen:
            errors.append(RowError(line=line, column="serial", reason=(
                f"{echo(row.serial)} of {echo(row.product)} is already on line {first_seen[key]} "
                "of this file")))
            continue
        first_seen[key] = line
        good.append(row)
    return good, errors


def rejects_path(source: Path) -> Path:
    """``units.csv`` -> ``units.rejects.csv``; a rejects file is rewritten in
    place, so fixing and re-running it shrinks it to what is still wrong."""
    if source.name.endswith(".rejects.csv"):
        return source
    return source.with_name(f"{source.stem}.rejects.csv")


def write_rejects(source: Source, errors: Sequence[RowError], target: CsvFile) -> None:
    """The rejected rows as they were read, each with its ``error``, then the
    cells of a row that had too many (kept, to be merged by whoever fixes it)."""
    reasons: dict[int, list[str]] = {}
    for error in errors:
        # "-" is the row as a whole: no column to name.
        reason = error.reason if error.column == "-" else f"{error.column}: {error.reason}"
        reasons.setdefault(error.line, []).append(reason)
    columns = [name for name in source.fieldnames if name != ERROR_COLUMN]
    target.writerow([*columns, ERROR_COLUMN])
    for line, raw in source.records:
        if line in reasons:
            target.writerow([*(raw.get(name, "") for name in columns), "; ".join(reasons[line]),
                             *source.extra.get(line, ())])
    target.commit()


def register(
    gateway: Gateway, rows: Sequence[RegisterRow], *, dry_run: bool, batch_size: int,
    progress: Callable[[str, int], Progress] = Progress,
) -> RegisterResult:
    """Check every row with the server, then (unless ``dry_run``) send the good ones."""
    bar = progress("checking", len(rows))
    checked = gateway.register(rows, dry_run=True, batch_size=batch_size, progress=bar.advance)
    bar.close()
    if dry_run:
        return checked
    refused = {error.line for error in checked.errors} | {skip.line for skip in checked.skipped}
    to_write = [row for row in rows if row.line not in refused]
    bar = progress("registering", len(to_write))
    written = gateway.register(to_write, batch_size=batch_size, progress=bar.advance)
    bar.close()
    # A row can change between the two passes (another clerk registers it):
    # the second answer is the truth for the rows it saw.
    return RegisterResult(created=written.created, skipped=checked.skipped + written.skipped,
                          errors=checked.errors + written.errors)


def run_register(options: argparse.Namespace, connect: Callable[[], Gateway]) -> int:
    if options.batch_size < 1:
        fail("--batch-size must be at least 1")
        return EXIT_USAGE
    try:
        source = read_csv(options.file)
    except CsvProblem as error:
        fail(str(error))
        return EXIT_USAGE
    target = options.rejects or rejects_path(source.path)
    rejects = None
    if not options.dry_run:
        # Opened before anything is sent: a rejects file that cannot be
        # written stops the run before it starts, not after the rows are in.
        try:
            rejects = CsvFile(target, source.delimiter)
        except OSError as error:
            fail(f"cannot write the rejects file {target}: {error.strerror}")
            return EXIT_USAGE
    try:
        return _register_and_report(options, connect, source, rejects)
    finally:
        if rejects:
            rejects.discard()


def _register_and_report(options: argparse.Namespace, connect: Callable[[], Gateway], source: Source,
                         rejects: CsvFile | None) -> int:
    rows, errors = validate(source)
    gateway = connect()
    result = RegisterResult(errors=errors)
    if rows:
        result.extend(register(gateway, rows, dry_run=options.dry_run, batch_size=options.batch_size))
    bad_lines = {error.line for error in result.errors}
    verb = "would register" if options.dry_run else "registered"
    summary = (f"{source.path}: {len(source.records)} row(s): {len(result.created)} {verb}, "
               f"{len(result.skipped)} already registered, {len(bad_lines)} rejected")
    # The rejects file first, before anything is printed: whatever happens to
    # the terminal, the rows to fix are on disk.
    unwritten = None
    if bad_lines and rejects:
        try:
            write_rejects(source, result.errors, rejects)
            summary += f" (fix them in {rejects.path} and run it again)"
        except OSError as error:  # the disk filled up meanwhile
            unwritten = (f"cannot write the rejects file {rejects.path}: {error.strerror}; "
                         "the rejected rows are listed above")
    elif not bad_lines and rejects and rejects.path.exists() and rejects.path != source.path:
        rejects.path.unlink()  # a rejects file from an earlier run would now mislead
    style = Style()
    for error in sorted(result.errors, key=lambda e: e.line):
        print(f"{source.path}:{error.line}: {style(error.column, 'bold')}: {error.reason}")
    print(summary)
    if unwritten:
        fail(unwritten)
    return EXIT_PARTIAL if bad_lines else EXIT_OK
