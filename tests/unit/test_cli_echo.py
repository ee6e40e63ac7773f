"""What the command repeats back of a user's input is clipped to 80 characters,
so that a huge code cannot flood the terminal or the log."""

import io
import json

import pytest
from fakes import STATUS, FakeTransport, make_gateway
from test_cli_bill import FakeServer as BillServer
from test_cli_labels import labels_gateway
from test_cli_register import HEADER, write
from test_cli_scan import FakeServer as ScanServer
from test_cli_scan import _run_with

from aftersales.cli import main
from aftersales.config import load_profile
from aftersales.errors import ConfigError
from aftersales.output import ECHO_WIDTH, echo
from aftersales.register import CsvProblem, read_csv, validate

HUGE = "Z" * 500
CLIPPED = "Z" * (ECHO_WIDTH - 1) + "…"


def test_echo_clips_to_80_characters():
    assert echo("SN-1") == "SN-1"
    assert echo("x" * 80) == "x" * 80
    assert echo(HUGE) == CLIPPED and len(echo(HUGE)) == 80


def test_status_of_an_unknown_code(capsys):
    transport = FakeTransport({("stock.lot", "get_service_status"): False})
    assert main(["status", HUGE], connect=lambda: make_gateway(transport)) == 1
    err = capsys.readouterr().err
    assert f"no unit matches {CLIPPED!r}" in err and HUGE not in err
    assert transport.calls[0][3] == {"code": HUGE}, "the server gets the code whole"


def test_status_json_keeps_the_code_whole(capsys):
    transport = FakeTransport({("stock.lot", "get_service_status"): False})
    assert main(["status", HUGE, "--json"], connect=lambda: make_gateway(transport)) == 1
    assert json.loads(capsys.readouterr().out) == {"code": HUGE, "found": False}


def test_scan_text_lines(tmp_path, capsys):
    server = ScanServer()
    assert _run_with(server, tmp_path, io.StringIO(f"BAD{HUGE}\n{HUGE}\n")) == 1
    failed, found = capsys.readouterr().out.splitlines()
    assert failed.startswith("FAILED  BADZZZ") and len(failed) < 200
    assert found.startswith("repair  ZZZ") and len(found) < 200
    server.up = False
    _run_with(server, tmp_path, io.StringIO(f"{HUGE}\n"))
    queued = capsys.readouterr().out.strip()
    assert queued.startswith(f"QUEUED  {CLIPPED}  server unreachable")


def test_labels_unknown_serial(tmp_path, capsys):
    serial = "S" * 120
    _transport, gateway = labels_gateway({"SN-1"})
    assert main(["labels", serial, "SN-1", "-o", str(tmp_path / "o.pdf")], connect=lambda: gateway) == 1
    err = capsys.readouterr().err
    assert f"unknown serial: {echo(serial)}" in err and serial not in err


def test_register_messages(tmp_path):
    serial = "S" * 120
    path = write(tmp_path, HEADER + f"{serial},P,C,2026-01-10,,,\n{serial},P,C,2026-01-10,,,\n"
                 f"SN-3,P,C,{HUGE},,,\n")
    _good, errors = validate(read_csv(path))
    reasons = [error.reason for error in errors]
    assert reasons[0] == f"{echo(serial)} of P is already on line 2 of this file"
    assert reasons[1] == f"{CLIPPED!r} is not a date written YYYY-MM-DD"


def test_register_unknown_column(tmp_path):
    with pytest.raises(CsvProblem) as problem:
        read_csv(write(tmp_path, f"serial,product,customer,date_sale,{HUGE}\n"))
    assert repr(CLIPPED.lower()) in str(problem.value) and HUGE.lower() not in str(problem.value)


def test_url_token(capsys):
    assert main(["url", "https://o.example.com", HUGE]) == 2
    err = capsys.readouterr().err
    assert repr(CLIPPED) in err and HUGE not in err


def test_bill_customer(capsys):
    customer = "c" * 300
    assert main(["bill", "--customer", customer],
                connect=lambda: make_gateway(BillServer(rows=[]).transport)) == 0
    out = capsys.readouterr().out
    assert out == f"nothing to bill for customers matching {echo(customer)!r}\n"


def test_bad_option_values(capsys):
    for args in (["status", "SN-1", "--on", HUGE], ["bill", "--grouping", HUGE], ["bill", "--limit", HUGE]):
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert HUGE not in err and "ZZZ" in err, args


def test_unknown_profile(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[profiles.shop]\nurl = "https://o.example.com"\n')
    with pytest.raises(ConfigError) as problem:
        load_profile(config, HUGE, env={})
    assert repr(CLIPPED) in str(problem.value) and HUGE not in str(problem.value)


def test_status_text_of_a_found_unit_is_not_clipped(capsys):
    status = {**STATUS, "serial": "S" * 100}
    transport = FakeTransport({("stock.lot", "get_service_status"): status})
    assert main(["status", "S" * 100], connect=lambda: make_gateway(transport)) == 0
    assert capsys.readouterr().out.startswith("S" * 100), "the server's record is shown as it is"
