"""The real ``aftersales`` command against a real Odoo 19, then the server's
state read back over RPC."""

from __future__ import annotations

import csv
import json
from datetime import date

import pypdfium2
import pytest
import zxingcpp

from aftersales.models import M2O, ODate, OdooRecord, OStr

HEADER = "serial,product,customer,date_sale,date_install,invoice_ref,policy\n"


class Certificate(OdooRecord):
    name: str
    state: str
    lot_id: M2O
    partner_id: M2O
    policy_id: M2O
    date_sale: ODate = None
    date_install: ODate = None
    invoice_ref: OStr = None
    origin: OStr = None


def certificates(admin, prefix: str) -> list[Certificate]:
    return admin.search_read("service.warranty", [("lot_id.name", "=like", f"{prefix}%")], Certificate,
                             order="id")


def register(cli, tmp_path, name: str, rows: list[str], *args: str):
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path, cli("register", str(path), *args)


# -- ping ---------------------------------------------------------------------------


def test_ping_reports_each_check(cli):
    # The e2e database has service_warranty only: ping must name service_rma as missing.
    result = cli("ping")
    assert result.code == 2, result.err
    assert "Odoo 19.0" in result.out and "logged in as 'admin'" in result.out
    assert "add-on service_warranty: installed" in result.out
    assert "service_rma" in result.err and "not installed" in result.err


def test_ping_wrong_password(cli, odoo):
    result = cli("ping", env=odoo.env(AFTERSALES_PASSWORD="wrong"))
    assert result.code == 2
    assert "bad credentials" in result.err and "'admin'" in result.err


def test_ping_wrong_database(cli, odoo):
    result = cli("ping", env=odoo.env(AFTERSALES_DB="no_such_db_e2e"))
    assert result.code == 2
    assert "wrong database: the server has no database 'no_such_db_e2e'" in result.err


def test_ping_unreachable(cli, odoo):
    from odoo_server import devkit

    result = cli("ping", env=odoo.env(AFTERSALES_URL=f"http://127.0.0.1:{devkit.free_port()}"))
    assert result.code == 2
    assert "server unreachable" in result.err and "connection refused" in result.err


def test_profile_from_config_file(cli, odoo, tmp_path):
    config = tmp_path / "aftersales.toml"
    config.write_text(f'[profiles.e2e]\nurl = "{odoo.url}"\ndatabase = "{odoo.database}"\nlogin = "admin"\n')
    result = cli("status", "NO-SUCH-UNIT", "--config", str(config), "--profile", "e2e",
                 env={"AFTERSALES_PASSWORD": "admin"})
    assert result.code == 1, "connected with the file's profile and the environment's secret"
    assert "no unit matches" in result.err


def json2_env(odoo, api_key, **overrides):
    env = odoo.env(AFTERSALES_TRANSPORT="json2", AFTERSALES_API_KEY=api_key, **overrides)
    del env["AFTERSALES_PASSWORD"]
    return env


def test_json2_transport(cli, odoo, api_key, unit):
    """The same commands over /json/2 with an API key, the API Odoo 20 keeps."""
    result = cli("status", unit, "--json", env=json2_env(odoo, api_key))
    assert result.code == 0, result.err
    assert json.loads(result.out)["customer"] == "Globex"
    assert cli("status", "E2E-NO-SUCH", env=json2_env(odoo, api_key)).code == 1
    labels = cli("labels", unit, "-o", "j2.pdf", env=json2_env(odoo, api_key))
    assert labels.code == 0, labels.err
    wrong_key = cli("ping", env=json2_env(odoo, "0" * 40))
    assert wrong_key.code == 2 and "bad credentials" in wrong_key.err
    wrong_db = cli("status", unit, env=json2_env(odoo, api_key, AFTERSALES_DB="no_such_db_e2e"))
    assert wrong_db.code == 2 and "wrong database" in wrong_db.err


# -- register -----------------------------------------------------------------------


def test_register_good_and_bad_rows_then_rerun(cli, admin, catalogue, tmp_path):
    rows = [
        f"E2E-R-1,{catalogue.product_code},E2E-C1,2026-01-10,,INV/E2E/1,",
        f"E2E-R-2,{catalogue.barcode},buyer@acme.example,2026-01-11,2026-01-20,,E2E 24 months",
        f"E2E-R-3,{catalogue.product_code},Globex,2026-02-01,,,",
        "E2E-R-4,NO-SUCH-PRODUCT,E2E-C1,2026-01-10,,,",
        f"E2E-R-5,{catalogue.untracked_code},E2E-C1,2026-01-10,,,",
        f"E2E-R-6,{catalogue.product_code},Nobody At All,2026-01-10,,,",
        f"E2E-R-7,{catalogue.product_code},E2E-C1,2026-31-01,,,",
        f"E2E-R-8,{catalogue.product_code},E2E-C1,2026-01-10,,,No such policy",
    ]
    _dry_path, dry = register(cli, tmp_path, "dry.csv", rows, "--dry-run")
    assert dry.code == 1
    assert "8 row(s): 3 would register, 0 already registered, 5 rejected" in dry.out
    assert certificates(admin, "E2E-R-") == [], "a dry run creates nothing"

    path, first = register(cli, tmp_path, "units.csv", rows)
    assert first.code == 1, first.err
    assert "8 row(s): 3 registered, 0 already registered, 5 rejected" in first.out
    for line, column in [(5, "product"), (6, "product"), (7, "customer"), (8, "date_sale"), (9, "policy")]:
        assert f"units.csv:{line}: {column}: " in first.out
    created = certificates(admin, "E2E-R-")
    assert [(c.lot_id.name, c.partner_id.name, c.state, c.origin) for c in created] == [
        ("E2E-R-1", "Acme Ltd", "active", "import"),
        ("E2E-R-2", "Acme Ltd", "active", "import"),
        ("E2E-R-3", "Globex", "active", "import"),
    ]
    assert created[0].invoice_ref == "INV/E2E/1" and created[0].date_sale == date(2026, 1, 10)
    assert created[1].date_install == date(2026, 1, 20)
    assert {c.policy_id.id for c in created} == {catalogue.policy_id}

    with (tmp_path / "units.rejects.csv").open(newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [r["serial"] for r in rejects] == ["E2E-R-4", "E2E-R-5", "E2E-R-6", "E2E-R-7", "E2E-R-8"]
    assert rejects[3]["error"] == "date_sale: '2026-31-01' is not a date written YYYY-MM-DD"

    again = cli("register", str(path))
    assert again.code == 1
    assert "0 registered, 3 already registered, 5 rejected" in again.out
    assert len(certificates(admin, "E2E-R-")) == 3, "re-running the file creates nothing twice"

    # The clerk fixes the rejects file and feeds it back.
    fixed = (tmp_path / "units.rejects.csv").read_text().replace("NO-SUCH-PRODUCT", catalogue.product_code)
    (tmp_path / "units.rejects.csv").write_text(fixed)
    third = cli("register", str(tmp_path / "units.rejects.csv"))
    assert "5 row(s): 1 registered" in third.out
    assert len(certificates(admin, "E2E-R-")) == 4


def test_register_malformed_csv(cli, admin, catalogue, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("serial;product;client;date\nE2E-M-1;E2E-CMP;E2E-C1;2026-01-10\n")
    result = cli("register", str(path))
    assert result.code == 2
    assert "line 1: unknown column(s) 'client', 'date'" in result.err
    assert certificates(admin, "E2E-M-") == []


# -- status -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unit(admin, catalogue) -> str:
    """A unit registered through the server's own method, independent of the CLI."""
    from aftersales.models import RegisterRow

    row = RegisterRow(line=1, serial="E2E-S-1", product=catalogue.product_code, customer="E2E-C2",
                      date_sale=date.today().isoformat())
    result = admin.register([row])
    assert len(result.created) == 1, result
    return "E2E-S-1"


def test_status_by_serial_token_and_url(cli, unit):
    by_serial = cli("status", unit.lower(), "--json")
    assert by_serial.code == 0, by_serial.err
    status = json.loads(by_serial.out)
    assert status["serial"] == unit and status["customer"] == "Globex"
    assert status["certificate"]["state"] == "active" and status["certificate"]["policy"] == "E2E 24 months"
    assert status["verdict"]["covered"] is True and status["repairs"] == []
    url = status["service_url"]
    token = url.rsplit("/", 1)[1]
    assert len(token) == 32
    for code in (token, url):
        again = cli("status", code, "--json")
        assert again.code == 0 and json.loads(again.out)["serial"] == unit

    text = cli("status", unit)
    assert text.out.startswith(f"{unit}  [E2E-CMP] Compressor XL")
    assert "verdict      COVERED" in text.out and "customer     Globex" in text.out


@pytest.mark.parametrize("code", ["E2E-NO-SUCH", "x" * 32, "http://example.com/service/d/" + "y" * 32])
def test_status_unknown_code(cli, code):
    result = cli("status", code)
    assert result.code == 1
    assert "no unit matches" in result.err


# -- labels -------------------------------------------------------------------------


def test_labels_pdf_decodes_to_the_servers_urls(cli, admin, unit, catalogue, tmp_path):
    register(cli, tmp_path, "more.csv", [f"E2E-L-{i},E2E-CMP,E2E-C1,2026-01-10,,," for i in range(1, 5)])
    result = cli("labels", "E2E-L-3", unit, "E2E-L-1", "E2E-NOPE", "-o", "labels.pdf")
    assert result.code == 1, "an unknown serial makes it exit 1"
    assert "unknown serial: E2E-NOPE" in result.err
    assert "3 label(s) on 1 page(s)" in result.out
    page = pypdfium2.PdfDocument(str(tmp_path / "labels.pdf"))[0]
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil()))
    expected = sorted(admin.status(serial).service_url for serial in ("E2E-L-3", unit, "E2E-L-1"))
    assert decoded == expected
    text = page.get_textpage().get_text_range()
    assert "S/N E2E-L-3" in text and "Compressor XL" in text and "E2E-CMP" in text


def test_labels_from_file_on_a_roll(cli, unit, tmp_path):
    (tmp_path / "serials.txt").write_text(f"# today's units\n{unit}\n")
    result = cli("labels", "--file", "serials.txt", "--layout", "roll-62x29", "-o", "roll.pdf")
    assert result.code == 0, result.err
    assert "1 label(s) on 1 page(s), layout roll-62x29" in result.out


def test_labels_unknown_transfer(cli, tmp_path):
    result = cli("labels", "--picking", "WH/OUT/E2E-NOPE", "-o", "x.pdf")
    assert result.code == 2
    assert "No transfer named WH/OUT/E2E-NOPE" in result.err
    assert not (tmp_path / "x.pdf").exists()


# -- scan ---------------------------------------------------------------------------


def test_scan_says_the_rma_addon_is_missing(cli, unit):
    result = cli("scan", stdin=f"{unit}\n")
    assert result.code == 2
    assert "add-on missing" in result.err and "service_rma" in result.err


def test_scan_while_server_is_stopped_keeps_the_codes(cli, odoo, unit, tmp_path):
    """The server stops: scans are journalled, nothing is lost; it restarts:
    the replay reaches it (and is refused cleanly, service_rma being absent
    here) while the journal still holds every scan."""
    odoo.stop()
    try:
        offline = cli("scan", "--json", stdin=f"{unit}\nE2E-S-2\n")
    finally:
        odoo.start()
    assert offline.code == 1, offline.err
    assert [json.loads(line)["queued"] for line in offline.out.splitlines()] == [True, True]
    assert "2 scan(s) wait in" in offline.err
    journal = tmp_path / "state" / "aftersales" / "scan-journal.jsonl"
    assert [json.loads(line)["code"] for line in journal.read_text().splitlines()] == [unit, "E2E-S-2"]

    replay = cli("scan", "--replay")
    assert replay.code == 2 and "service_rma" in replay.err
    assert [json.loads(line)["code"] for line in journal.read_text().splitlines()] == [unit, "E2E-S-2"]
