"""Bulk registration: CSV reading, row validation, the two passes, the rejects file."""

import csv
from datetime import date

import pytest
from fakes import FakeTransport, make_gateway

from aftersales.cli import main
from aftersales.models import RegisterRow
from aftersales.register import CsvProblem, read_csv, rejects_path, validate

HEADER = "serial,product,customer,date_sale,date_install,invoice_ref,policy\n"


def write(tmp_path, text, name="units.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_row_model():
    row = RegisterRow.model_validate({"line": 2, "serial": " SN-1 ", "product": "P", "customer": "C",
                                      "date_sale": "2026-01-10", "date_install": "", "invoice_ref": " "})
    assert row.serial == "SN-1" and row.date_sale == date(2026, 1, 10)
    assert row.date_install is None and row.invoice_ref is None
    assert row.to_rpc() == {"line": 2, "serial": "SN-1", "product": "P", "customer": "C",
                            "date_sale": "2026-01-10"}


def test_line_numbers_survive_quoted_newlines_and_blank_lines(tmp_path):
    path = write(tmp_path, HEADER + 'SN-1,P,"Acme\nLtd",2026-01-10,,,\n\nSN-2,P,C,2026-01-10,,,\n')
    assert [line for line, _raw in read_csv(path).records] == [2, 5]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_excel_delimiters_and_bom(tmp_path, delimiter):
    text = HEADER.replace(",", delimiter) + delimiter.join(["SN-1", "P", "C", "2026-01-10", "", "", ""])
    path = tmp_path / "units.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    source = read_csv(path)
    assert source.records[0][1]["serial"] == "SN-1" and source.records[0][1]["date_sale"] == "2026-01-10"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("serial,product,customer\n", "missing column(s) date_sale"),
        ("serial,product,customer,date_sale,date_sold\n", "unknown column(s) 'date_sold'"),
        ("serial,serial,product,customer,date_sale\n", "named twice"),
    ],
)
def test_file_problems(tmp_path, text, message):
    with pytest.raises(CsvProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_csv(write(tmp_path, text))


def test_not_utf8(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(HEADER.encode() + "SN-1,P,Café,2026-01-10,,,\n".encode("latin-1"))
    with pytest.raises(CsvProblem, match="not UTF-8"):
        read_csv(path)


def test_validation_names_line_column_and_reason(tmp_path):
    path = write(tmp_path, HEADER + "\n".join([
        "SN-1,P,C,2026-01-10,,,",
        "SN-2,P,C,10/01/2026,,,",
        "SN-3,P,,2026-02-30,,,",
        "SN-4,P,C,2026-01-10,2026-01-01,,",
        "SN-1,P,D,2026-01-10,,,",
        "SN-1,Q,C,2026-01-10,,,",
        "SN-5,P,C,2026-01-10,,,,extra",
    ]) + "\n")
    good, errors = validate(read_csv(path))
    assert [(row.line, row.serial, row.product) for row in good] == [(2, "SN-1", "P"), (7, "SN-1", "Q")]
    found = {(e.line, e.column): e.reason for e in errors}
    assert found == {
        (3, "date_sale"): "'10/01/2026' is not a date written YYYY-MM-DD",
        (4, "customer"): "is required",
        (4, "date_sale"): "'2026-02-30' is not a date written YYYY-MM-DD",
        (5, "date_install"): "the installation date is before the sale date",
        (6, "serial"): "SN-1 of P is already on line 2 of this file",
        (8, "-"): "8 cells but 7 columns: quote values with commas",
    }


def test_rejects_path():
    from pathlib import Path

    assert rejects_path(Path("/d/units.csv")) == Path("/d/units.rejects.csv")
    assert rejects_path(Path("/d/units.rejects.csv")) == Path("/d/units.rejects.csv")


class FakeServer:
    """register_units with the server's idempotence: a serial registered once is skipped after."""

    def __init__(self, bad_products=("NOPE",)):
        self.registered: dict[str, str] = {}
        self.bad_products = bad_products
        self.transport = FakeTransport({("service.warranty", "register_units"): self.register_units})

    def register_units(self, ids, rows, dry_run):
        answer = {"created": [], "skipped": [], "errors": []}
        for row in rows:
            if row["product"] in self.bad_products:
                answer["errors"].append({"line": row["line"], "column": "product",
                                         "reason": f"No product {row['product']}."})
            elif row["serial"] in self.registered:
                reason = f"already registered as {self.registered[row['serial']]}"
                answer["skipped"].append({"line": row["line"], "serial": row["serial"], "reason": reason})
            else:
                name = False
                if not dry_run:
                    name = self.registered[row["serial"]] = f"WAR/{len(self.registered) + 1}"
                answer["created"].append({"line": row["line"], "serial": row["serial"], "certificate": name})
        return answer

    def calls(self, dry_run):
        return [c for c in self.transport.calls if c[3]["dry_run"] is dry_run]


def run(server, *args):
    return main(["register", *map(str, args)], connect=lambda: make_gateway(server.transport))


def test_dry_run_writes_nothing(tmp_path, capsys):
    server = FakeServer()
    path = write(tmp_path, HEADER + "SN-1,P,C,2026-01-10,,,\nSN-2,NOPE,C,2026-01-10,,,\n")
    assert run(server, path, "--dry-run") == 1
    assert server.registered == {} and server.calls(dry_run=False) == []
    out = capsys.readouterr().out
    assert f"{path}:3: product: No product NOPE." in out
    assert "2 row(s): 1 would register, 0 already registered, 1 rejected" in out
    assert not rejects_path(path).exists(), "a dry run leaves no file behind"


def test_import_rejects_and_rerun(tmp_path, capsys):
    server = FakeServer()
    rows = [f"SN-{i},P,C,2026-01-10,,,\n" for i in range(1, 1101)]
    path = write(tmp_path, HEADER + "".join(rows) + "SN-X,NOPE,C,2026-01-10,,,\nSN-Y,P,C,someday,,,\n")
    assert run(server, path, "--batch-size", 500) == 1
    assert len(server.registered) == 1100
    # Every row checked (3 dry-run batches) before the first write.
    kinds = [c[3]["dry_run"] for c in server.transport.calls]
    assert kinds == [True, True, True, False, False, False]
    assert "1102 row(s): 1100 registered, 0 already registered, 2 rejected" in capsys.readouterr().out
    with rejects_path(path).open(newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["serial"], r["error"]) for r in rejects] == [
        ("SN-X", "product: No product NOPE."),
        ("SN-Y", "date_sale: 'someday' is not a date written YYYY-MM-DD"),
    ]
    assert rejects[0]["customer"] == "C", "the rejects file keeps every column, to fix and re-run"

    # Re-running the same file creates nothing twice.
    assert run(server, path) == 1
    assert len(server.registered) == 1100
    assert len(server.calls(dry_run=False)) == 3, "no write call when every row is already there"
    assert "0 registered, 1100 already registered, 2 rejected" in capsys.readouterr().out


def test_fixed_rejects_file_is_read_back_and_shrinks(tmp_path, capsys):
    server = FakeServer()
    path = write(tmp_path, HEADER + "SN-1,NOPE,C,2026-01-10,,,\nSN-2,P,C,2026-99-10,,,\n")
    run(server, path)
    rejects = rejects_path(path)
    text = rejects.read_text().replace("NOPE", "P")  # the clerk fixes one row, not the other
    rejects.write_text(text)
    assert run(server, rejects) == 1
    assert set(server.registered) == {"SN-1"}
    with rejects.open(newline="") as handle:
        left = list(csv.DictReader(handle))
    assert [r["serial"] for r in left] == ["SN-2"], "rewritten in place with what is still wrong"
    assert left[0]["error"].startswith("date_sale:")
    capsys.readouterr()


def test_clean_run_removes_a_stale_rejects_file(tmp_path):
    server = FakeServer()
    path = write(tmp_path, HEADER + "SN-1,P,C,2026-01-10,,,\n")
    rejects_path(path).write_text("stale")
    assert run(server, path) == 0
    assert not rejects_path(path).exists()


def test_unreadable_file_is_a_usage_error(tmp_path, capsys):
    server = FakeServer()
    assert run(server, tmp_path / "absent.csv") == 2
    assert "cannot read it" in capsys.readouterr().err
    assert server.transport.calls == []


# -- the rejects file never loses a reject ---------------------------------------------


def read_rejects(path, delimiter=","):
    with rejects_path(path).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_quoted_cells_are_read_as_excel_writes_them(tmp_path):
    path = write(tmp_path, HEADER + 'SN-1,P,"Acme ""Big"" Ltd",2026-01-10,,"INV ""7""",\n')
    assert read_csv(path).records[0][1]["customer"] == 'Acme "Big" Ltd'
    assert read_csv(path).records[0][1]["invoice_ref"] == 'INV "7"'


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_rejected_row_with_double_quotes_is_written_to_the_rejects_file(tmp_path, capsys, delimiter):
    server = FakeServer()
    rows = ['SN-1,NOPE,"Acme ""Big"" Ltd",2026-01-10,,,', 'SN-2,P,"Say ""hi""",someday,,,',
            "SN-3,P,C,2026-01-10,,,"]
    path = write(tmp_path, (HEADER + "\n".join(rows) + "\n").replace(",", delimiter))
    assert run(server, path) == 1
    assert set(server.registered) == {"SN-3"}
    rejects = read_rejects(path, delimiter)
    assert [(r["serial"], r["customer"]) for r in rejects] == [("SN-1", 'Acme "Big" Ltd'),
                                                              ("SN-2", 'Say "hi"')]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no temporary file left"
    assert "2 rejected (fix them in" in capsys.readouterr().out


def test_rejects_file_keeps_the_cells_of_a_row_that_has_too_many(tmp_path, capsys):
    server = FakeServer()
    path = write(tmp_path, HEADER + "SN-1,P,Acme,Ltd,2026-01-10,,,Std\n")
    assert run(server, path) == 1
    with rejects_path(path).open(newline="", encoding="utf-8") as handle:
        [_header, row] = list(csv.reader(handle))
    assert row[:7] == ["SN-1", "P", "Acme", "Ltd", "2026-01-10", "", ""]
    assert row[8:] == ["Std"], "the cell beyond the columns is kept, after the error"
    assert row[7].startswith("8 cells but 7 columns")
    capsys.readouterr()


def test_server_reason_that_cannot_be_encoded_does_not_lose_the_rejects(tmp_path, capsys):
    server = FakeServer()
    path = write(tmp_path, HEADER + "SN-1,NOPE,C,2026-01-10,,,\nSN-2,P,C,someday,,,\n")
    answer = server.register_units

    def lone_surrogate(ids, rows, dry_run):
        result = answer(ids, rows, dry_run)
        for error in result["errors"]:
            error["reason"] += " \ud800"
        return result

    server.transport.answers[("service.warranty", "register_units")] = lone_surrogate
    assert run(server, path) == 1
    assert [r["serial"] for r in read_rejects(path)] == ["SN-1", "SN-2"]
    capsys.readouterr()


def test_rejects_file_that_cannot_be_written_stops_before_anything_is_registered(tmp_path, capsys):
    server = FakeServer()
    path = write(tmp_path, HEADER + "SN-1,P,C,2026-01-10,,,\n")
    assert run(server, path, "--rejects", tmp_path / "no-such-dir" / "r.csv") == 2
    assert "cannot write the rejects file" in capsys.readouterr().err
    assert server.transport.calls == []
    assert run(server, path, "--rejects", tmp_path) == 2
    assert "cannot write the rejects file" in capsys.readouterr().err
    assert server.transport.calls == []


def test_rejects_file_failing_midway_still_lists_every_reject(tmp_path, monkeypatch, capsys):
    from aftersales.csvsafe import CsvFile

    def disk_full(self, cells):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(CsvFile, "writerow", disk_full)
    server = FakeServer()
    path = write(tmp_path, HEADER + "SN-1,NOPE,C,2026-01-10,,,\nSN-2,P,C,2026-01-10,,,\n")
    assert run(server, path) == 1
    captured = capsys.readouterr()
    assert f"{path}:2: product: No product NOPE." in captured.out
    assert "cannot write the rejects file" in captured.err and "No space left" in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"], "nothing half-written left behind"


def test_rejects_file_escapes_formulas_and_reads_them_back_as_they_were(tmp_path, capsys):
    server = FakeServer(bad_products=("=NOPE",))
    path = write(tmp_path, HEADER + '"=cmd|\' /C calc\'!A0",=NOPE,@Acme,2026-01-10,,-7,+Std\n')
    assert run(server, path) == 1
    [reject] = read_rejects(path)
    assert (reject["serial"], reject["product"], reject["customer"]) == (
        "'=cmd|' /C calc'!A0", "'=NOPE", "'@Acme")
    assert (reject["invoice_ref"], reject["policy"]) == ("'-7", "'+Std")
    assert reject["error"] == "product: No product =NOPE."

    # Fed back, the cells are what the clerk's file said, not what protected them.
    server.bad_products = ()
    assert run(server, rejects_path(path)) == 0
    [row] = server.calls(dry_run=False)[-1][3]["rows"]
    assert (row["serial"], row["product"], row["customer"], row["invoice_ref"], row["policy"]) == (
        "=cmd|' /C calc'!A0", "=NOPE", "@Acme", "-7", "+Std")
    capsys.readouterr()


# -- a file that is not UTF-8 ----------------------------------------------------------


def latin1_file(tmp_path, lines, bom=False):
    path = tmp_path / "units.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + b"".join(
        line.encode("latin-1") + b"\r\n" for line in lines))
    return path


def test_not_utf8_names_the_line_and_what_to_do(tmp_path):
    path = latin1_file(tmp_path, [HEADER.strip(), "SN-1,P,C,2026-01-10,,,", "SN-2,P,Café,2026-01-10,,,"])
    with pytest.raises(CsvProblem) as problem:
        read_csv(path)
    message = str(problem.value)
    assert message.startswith(f"{path}, line 3: not UTF-8 text (byte 0xE9)")
    assert 'save it as "CSV UTF-8"' in message and "byte 6" not in message


def test_not_utf8_counts_lines_after_a_quoted_newline_and_a_bom(tmp_path):
    path = latin1_file(tmp_path, [HEADER.strip(), 'SN-1,P,"Acme', 'Ltd",2026-01-10,,,',
                                  "SN-2,P,Müller,2026-01-10,,,", "SN-3,P,C,2026-01-10,,,",
                                  "SN-4,P,Gérard,2026-01-10,,,", "SN-5,P,Noël,2026-01-10,,,",
                                  "SN-6,P,Zoë,2026-01-10,,,", "SN-7,P,Chloé,2026-01-10,,,"], bom=True)
    with pytest.raises(CsvProblem, match=r", line 4: not UTF-8 text \(byte 0xFC\); also on lines 6, 7, 8 "
                                         r"and 1 more;"):
        read_csv(path)


def test_not_utf8_header(tmp_path):
    path = latin1_file(tmp_path, ["serial,product,customer,date_sale,remarque_é"])
    with pytest.raises(CsvProblem, match=", line 1: not UTF-8"):
        read_csv(path)


def test_not_utf8_file_is_refused_whole(tmp_path, capsys):
    server = FakeServer()
    path = latin1_file(tmp_path, [HEADER.strip(), "SN-1,P,C,2026-01-10,,,", "SN-2,P,Café,2026-01-10,,,"])
    assert run(server, path) == 2
    err = capsys.readouterr().err
    assert "line 3: not UTF-8" in err and "nothing was registered" in err
    assert server.transport.calls == [], "not even the good rows: the file is saved again as a whole"
    assert not rejects_path(path).exists()


# -- field lengths ----------------------------------------------------------------------


@pytest.mark.parametrize(("column", "limit"), [("serial", 128), ("product", 128), ("customer", 256),
                                               ("invoice_ref", 128), ("policy", 128)])
def test_each_column_has_a_length_limit(tmp_path, column, limit):
    def row(value):
        cells = {"serial": "SN-1", "product": "P", "customer": "C", "date_sale": "2026-01-10",
                 "date_install": "", "invoice_ref": "", "policy": "", column: value}
        return ",".join(cells.values())

    path = write(tmp_path, HEADER + row("x" * limit) + "\n" + row(" " + "y" * (limit + 1) + " ") + "\n")
    good, errors = validate(read_csv(path))
    assert [r.line for r in good] == [2], "a value of the limit's length is fine"
    assert [(e.line, e.column, e.reason) for e in errors] == [
        (3, column, f"is longer than {limit} characters ({limit + 1})")]


def test_a_10000_character_serial_is_a_row_error_and_the_rest_is_registered(tmp_path, capsys):
    server = FakeServer()
    path = write(tmp_path, HEADER + "S" * 10_000 + ",P,C,2026-01-10,,,\nSN-2,P,C,2026-01-10,,,\n")
    assert run(server, path) == 1
    assert set(server.registered) == {"SN-2"}
    out = capsys.readouterr().out
    assert f"{path}:2: serial: is longer than 128 characters (10000)" in out
    assert len(out) < 1000, "the serial is not echoed back"
    assert read_rejects(path)[0]["serial"] == "S" * 10_000, "the rejects file keeps it whole, to fix"
