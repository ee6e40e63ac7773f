"""The real ``aftersales`` command against a real Odoo 19, then the server's
state read back over RPC."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
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


def decode_labels(path) -> tuple[list[str], str]:
    """The QR codes of a label PDF's first page, decoded and sorted, and its text."""
    page = pypdfium2.PdfDocument(str(path))[0]
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil()))
    return decoded, page.get_textpage().get_text_range()


def register(cli, tmp_path, name: str, rows: list[str], *args: str):
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path, cli("register", str(path), *args)


# -- ping ---------------------------------------------------------------------------


def test_ping_reports_each_check(cli):
    # Both add-ons are installed: every check passes. (An add-on missing is
    # the fast tier's test_ping_names_the_missing_addon.)
    result = cli("ping")
    assert result.code == 0, result.err
    assert "Odoo 19.0" in result.out and "logged in as 'admin'" in result.out
    assert "add-on service_warranty: installed" in result.out
    assert "add-on service_rma: installed" in result.out
    assert "FAILED" not in result.out and "not installed" not in result.err


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
    decoded, text = decode_labels(tmp_path / "labels.pdf")
    expected = sorted(admin.status(serial).service_url for serial in ("E2E-L-3", unit, "E2E-L-1"))
    assert decoded == expected
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


@dataclass
class Delivery:
    picking: str
    serials: list[str]


@pytest.fixture(scope="module")
def delivery(rpc, catalogue) -> Delivery:
    """A real delivery, made over RPC as a sales clerk and a warehouse clerk
    would: two serials in stock, a confirmed sale order, its picking validated."""
    template_id = rpc.execute_kw("product.template", "create", [{
        "name": "Heat pump", "default_code": "E2E-HP", "tracking": "serial", "is_storable": True,
        "warranty_policy_id": catalogue.policy_id}])
    [product_id] = rpc.execute_kw("product.product", "search", [[("product_tmpl_id", "=", template_id)]])
    serials = ["E2E-D-1", "E2E-D-2"]
    lot_ids = rpc.execute_kw("stock.lot", "create",
                             [[{"name": serial, "product_id": product_id} for serial in serials]])
    [warehouse] = rpc.execute_kw("stock.warehouse", "search_read", [[]],
                                 {"fields": ["lot_stock_id"], "limit": 1})
    quant_ids = rpc.execute_kw("stock.quant", "create", [[
        {"product_id": product_id, "location_id": warehouse["lot_stock_id"][0], "lot_id": lot_id,
         "inventory_quantity": 1} for lot_id in lot_ids]], {"context": {"inventory_mode": True}})
    rpc.execute_kw("stock.quant", "action_apply_inventory", [quant_ids])

    [partner_id] = rpc.execute_kw("res.partner", "search", [[("ref", "=", "E2E-C1")]])
    order_id = rpc.execute_kw("sale.order", "create", [{
        "partner_id": partner_id,
        "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 2})]}])
    rpc.execute_kw("sale.order", "action_confirm", [[order_id]])
    [order] = rpc.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])
    [picking_id] = order["picking_ids"]
    rpc.execute_kw("stock.picking", "action_assign", [[picking_id]])
    [picking] = rpc.execute_kw("stock.picking", "read", [[picking_id], ["name", "move_ids"]])
    reserved = rpc.execute_kw("stock.move.line", "search_read", [[("picking_id", "=", picking_id)]],
                              {"fields": ["lot_id"]})
    assert sorted(line["lot_id"][1] for line in reserved) == serials, reserved
    rpc.execute_kw("stock.move", "write", [picking["move_ids"], {"picked": True}])
    rpc.execute_kw("stock.picking", "button_validate", [[picking_id]])
    [done] = rpc.execute_kw("stock.picking", "read", [[picking_id], ["state"]])
    assert done["state"] == "done", done
    return Delivery(picking["name"], serials)


def test_labels_of_a_delivery(cli, admin, delivery, tmp_path):
    assert delivery.picking.startswith("WH/OUT/")
    issued = certificates(admin, "E2E-D-")
    assert [(c.lot_id.name, c.partner_id.name) for c in issued] == [(s, "Acme Ltd") for s in delivery.serials]

    result = cli("labels", "--picking", delivery.picking, "-o", "delivery.pdf")
    assert result.code == 0, result.err
    assert "2 label(s) on 1 page(s)" in result.out
    decoded, text = decode_labels(tmp_path / "delivery.pdf")
    assert decoded == sorted(admin.status(serial).service_url for serial in delivery.serials)
    assert len(set(decoded)) == 2
    assert all(url.rsplit("/", 2)[1] == "d" and len(url.rsplit("/", 1)[1]) == 32 for url in decoded), decoded
    assert "S/N E2E-D-1" in text and "S/N E2E-D-2" in text and "Heat pump" in text


# -- scan ---------------------------------------------------------------------------


def registered(admin, catalogue, *serials: str) -> list[str]:
    """Units with a certificate, registered through the server's own method."""
    from aftersales.models import RegisterRow

    rows = [RegisterRow(line=i, serial=serial, product=catalogue.product_code, customer="E2E-C1",
                        date_sale=date.today().isoformat()) for i, serial in enumerate(serials, 1)]
    result = admin.register(rows)
    assert len(result.created) == len(serials), result
    return list(serials)


def rma_count(admin, serial: str | None = None) -> int:
    domain = [("lot_id.name", "=", serial)] if serial else []
    return admin.call("service.rma", "search_count", domain=domain)


def expected_verdict(admin, serial: str) -> str:
    """The RMA's verdict, from the unit's status read independently of the scan."""
    remedy = admin.status(serial).verdict.remedy
    return "rejected" if remedy in (None, "none") else remedy


def journal_of(tmp_path):
    return tmp_path / "state" / "aftersales" / "scan-journal.jsonl"


def waiting_codes(tmp_path) -> list[str]:
    """The codes the scan journal holds unanswered, in scan order."""
    path = journal_of(tmp_path)
    records = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    done = {record["done"] for record in records if "done" in record}
    return [record["code"] for record in records if "code" in record and record["seq"] not in done]


def test_scan_by_serial_token_and_url(cli, admin, catalogue, tmp_path):
    serials = registered(admin, catalogue, "E2E-SC-1", "E2E-SC-2", "E2E-SC-3")
    url = admin.status("E2E-SC-3").service_url
    token = admin.status("E2E-SC-2").service_url.rsplit("/", 1)[1]
    codes = ["E2E-SC-1", token, url]

    first = cli("scan", "--json", stdin="".join(f"{code}\n" for code in codes))
    assert first.code == 0, first.err
    events = [json.loads(line) for line in first.out.splitlines()]
    assert [e["code"] for e in events] == codes
    for event, serial in zip(events, serials):
        assert event["ok"] is True and event["replayed"] is False
        rma = event["rma"]
        assert rma["serial"] == serial and rma["created"] is True and rma["state"] == "draft"
        assert rma["verdict"]["remedy"] == expected_verdict(admin, serial)
        assert rma["verdict"]["overridden"] is False and rma["verdict"]["reason_text"]
        assert rma["product"] and "Compressor XL" in rma["product"]
        assert rma_count(admin, serial) == 1
    assert journal_of(tmp_path).read_text() == "", "every answered scan leaves the journal"

    # Scanned again, as text: the same open RMAs, none created.
    again = cli("scan", stdin="".join(f"{code}\n" for code in codes))
    assert again.code == 0, again.err
    lines = again.out.splitlines()
    assert len(lines) == 3
    for line, event, serial in zip(lines, events, serials):
        verdict, name = event["rma"]["verdict"], event["rma"]["name"]
        assert line == f"{verdict['remedy']}  {serial}  {name} (draft)  {verdict['reason_text']}", line
        assert " new " not in line
        assert rma_count(admin, serial) == 1


def test_scan_unknown_codes_create_nothing(cli, admin, rpc, catalogue, tmp_path):
    [product_id] = rpc.execute_kw("product.product", "search",
                                  [[("default_code", "=", catalogue.product_code)]])
    rpc.execute_kw("stock.lot", "create", [{"name": "E2E-NOCERT-1", "product_id": product_id}])
    before = rma_count(admin)
    result = cli("scan", stdin="E2E-NO-SUCH\nhttp://example.com/service/d/" + "z" * 32 + "\nE2E-NOCERT-1\n")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 3, result.out
    assert lines[0].startswith("FAILED  E2E-NO-SUCH  No unit matches E2E-NO-SUCH")
    assert lines[1].startswith("FAILED  http://example.com/service/d/") and "No unit matches" in lines[1]
    assert lines[2].startswith("FAILED  E2E-NOCERT-1  E2E-NOCERT-1 has no warranty certificate")
    assert rma_count(admin) == before
    assert journal_of(tmp_path).read_text() == "", "a refused code is answered: it does not wait"


def test_scan_wrong_password(cli, admin, odoo, catalogue, tmp_path):
    [serial] = registered(admin, catalogue, "E2E-SC-PW")
    result = cli("scan", env=odoo.env(AFTERSALES_PASSWORD="wrong"), stdin=f"{serial}\n")
    assert result.code == 2
    assert "bad credentials" in result.err
    assert rma_count(admin, serial) == 0
    assert waiting_codes(tmp_path) == [], "nothing was read, so nothing waits"


def test_scan_station_through_a_server_restart(odoo, admin, catalogue, station, cli, tmp_path):
    """The server stops mid-scan: the station keeps reading, scans wait in the
    journal; it restarts: the next scan sends them first, in scan order, once."""
    a, b, c, d = registered(admin, catalogue, "E2E-Q-1", "E2E-Q-2", "E2E-Q-3", "E2E-Q-4")
    scanner = station("scan", "--json", "--retry-every", "0")
    scanner.send(a)
    first = scanner.event()
    assert first["ok"] and first["rma"]["created"] and first["rma"]["serial"] == a, first

    odoo.stop()
    try:
        scanner.send(b)
        assert scanner.event() == {"code": b, "queued": True, "waiting": 1}
        scanner.send(c)
        assert scanner.event() == {"code": c, "queued": True, "waiting": 2}
        assert waiting_codes(tmp_path) == [b, c]
        assert scanner.process.poll() is None, "the station keeps running while the server is down"
    finally:
        odoo.start()

    scanner.send(d)
    events = [scanner.event() for _ in range(3)]
    assert [(e["code"], e["ok"], e["replayed"]) for e in events] == [(b, True, True), (c, True, True),
                                                                     (d, True, False)]
    assert all(e["rma"]["created"] for e in events)
    ids = [first["rma"]["rma_id"], *(e["rma"]["rma_id"] for e in events)]
    assert ids == sorted(ids) and len(set(ids)) == 4, "the server received them in scan order"

    code, rest, err = scanner.finish()
    assert code == 0, err
    assert rest == "" and "wait in" not in err
    assert journal_of(tmp_path).read_text() == ""
    assert {serial: rma_count(admin, serial) for serial in (a, b, c, d)} == {a: 1, b: 1, c: 1, d: 1}

    # Nothing is left to replay, and replaying changes nothing.
    replay = cli("scan", "--replay")
    assert replay.code == 0, replay.err
    assert replay.out == ""
    assert {serial: rma_count(admin, serial) for serial in (a, b, c, d)} == {a: 1, b: 1, c: 1, d: 1}
