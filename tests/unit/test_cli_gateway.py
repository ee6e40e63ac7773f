"""The gateway's typed mapping, retries and batching; the transports' error mapping."""

import http.client
import io
import json
import socket
import urllib.error
from datetime import date

import odoorpc
import pytest
from fakes import MODULES_OK, STATUS, FakeTransport, Then, make_gateway

from aftersales.config import Profile
from aftersales.errors import (
    BadCredentials,
    MissingAddon,
    ServerError,
    TransientError,
    Unreachable,
    WrongDatabase,
)
from aftersales.gateway import Gateway
from aftersales.models import M2O, OdooRecord, OStr, RegisterRow
from aftersales.transport import Json2Transport, OdooRpcTransport, map_fault, map_os_error


def test_status_maps_false_and_dates():
    transport = FakeTransport({("stock.lot", "get_service_status"): STATUS})
    status = make_gateway(transport).status("sn-1", on_date=date(2026, 5, 1))
    assert transport.calls == [("stock.lot", "get_service_status", None,
                                {"code": "sn-1", "on_date": "2026-05-01"})]
    assert status.customer is None and status.product_code is None
    assert status.certificate.date_install is None
    assert status.certificate.date_end == date(2027, 1, 9)
    assert status.repairs[0].technician is None
    assert status.verdict.covered is True


def test_status_unknown_code_is_none():
    transport = FakeTransport({("stock.lot", "get_service_status"): False})
    assert make_gateway(transport).status("nope") is None
    assert transport.calls[0][3] == {"code": "nope"}, "no on_date sent when none is asked"


def test_status_without_certificate():
    answer = {**STATUS, "certificate": False}
    status = make_gateway(FakeTransport({("stock.lot", "get_service_status"): answer})).status("SN-1")
    assert status.certificate is None


class Warranty(OdooRecord):
    name: str
    lot_id: M2O
    invoice_ref: OStr = None


def test_search_read_names_its_fields_and_maps_many2one():
    rows = [{"id": 1, "name": "WAR/1", "lot_id": [7, "SN-1"], "invoice_ref": False},
            {"id": 2, "name": "WAR/2", "lot_id": False, "invoice_ref": "INV/1"}]
    transport = FakeTransport({("service.warranty", "search_read"): rows})
    result = make_gateway(transport).search_read("service.warranty", [("state", "=", "active")], Warranty,
                                                 limit=5)
    assert transport.calls[0][3] == {"domain": [("state", "=", "active")],
                                     "fields": ["name", "lot_id", "invoice_ref"], "limit": 5}
    assert result[0].lot_id.id == 7 and result[0].lot_id.name == "SN-1"
    assert result[0].invoice_ref is None
    assert result[1].lot_id is None and result[1].invoice_ref == "INV/1"


def test_read_is_batched():
    def read(ids, fields):
        return [{"id": i, "name": f"W{i}", "lot_id": False} for i in ids]

    transport = FakeTransport({("service.warranty", "read"): read})
    rows = make_gateway(transport).read("service.warranty", list(range(1, 2501)), Warranty)
    assert [len(call[2]) for call in transport.calls] == [1000, 1000, 500]
    assert [row.id for row in rows] == list(range(1, 2501))


def test_transient_failures_are_retried_with_growing_backoff():
    delays = []
    transport = FakeTransport({("stock.lot", "get_service_status"): Then(
        TransientError("reset"), TransientError("serialization"), False)})
    gateway = Gateway(transport, retries=3, backoff=1.0, sleep=delays.append)
    assert gateway.status("x") is None
    assert len(transport.calls) == 3
    assert len(delays) == 2
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0


def test_retries_give_up():
    transport = FakeTransport({("stock.lot", "get_service_status"): TransientError("reset")})
    with pytest.raises(TransientError):
        make_gateway(transport, retries=2).status("x")
    assert len(transport.calls) == 3


@pytest.mark.parametrize("error", [ServerError("odoo.exceptions.UserError", "no"), Unreachable("down")])
def test_other_failures_are_not_retried(error):
    transport = FakeTransport({("stock.lot", "get_service_status"): error})
    with pytest.raises(type(error)):
        make_gateway(transport).status("x")
    assert len(transport.calls) == 1


def test_labels_sends_only_what_is_asked():
    answer = {"labels": [{"serial": "A", "product": "P", "product_code": False, "url": "http://o/u"}],
              "unknown": ["B"]}
    transport = FakeTransport({("stock.lot", "get_service_labels"): answer})
    result = make_gateway(transport).labels(["A", "B"], picking="WH/OUT/1")
    assert transport.calls[0][3] == {"serials": ["A", "B"], "picking": "WH/OUT/1"}
    assert result.labels[0].product_code is None and result.unknown == ["B"]


def test_register_batches_and_reports_progress():
    def register_units(ids, rows, dry_run):
        return {"created": [{"line": r["line"], "serial": r["serial"], "certificate": False} for r in rows],
                "skipped": [], "errors": []}

    transport = FakeTransport({("service.warranty", "register_units"): register_units})
    rows = [RegisterRow(line=i + 2, serial=f"S{i}", product="P", customer="C", date_sale="2026-01-01")
            for i in range(1201)]
    done = []
    result = make_gateway(transport).register(rows, dry_run=True, batch_size=500, progress=done.append)
    assert [len(call[3]["rows"]) for call in transport.calls] == [500, 500, 201]
    assert all(call[3]["dry_run"] is True for call in transport.calls)
    assert transport.calls[0][3]["rows"][0] == {"line": 2, "serial": "S0", "product": "P", "customer": "C",
                                                "date_sale": "2026-01-01"}
    assert done == [500, 500, 201]
    assert len(result.created) == 1201 and result.created[0].certificate is None


def test_addon_states_and_requirement():
    transport = FakeTransport({("ir.module.module", "search_read"): [MODULES_OK[0]]})
    gateway = make_gateway(transport)
    assert gateway.addon_states() == {"service_warranty": "installed", "service_rma": "absent"}
    assert transport.calls[0][3]["fields"] == ["name", "state"]
    gateway.require_addons("service_warranty")
    with pytest.raises(MissingAddon, match=r"service_rma \(absent\)"):
        gateway.require_addons("service_warranty", "service_rma")


@pytest.mark.parametrize("message", ["Object service.rma doesn't exist",
                                     "the model 'service.rma' does not exist"])
def test_scan_without_rma_addon(message):
    transport = FakeTransport({("service.rma", "scan"): ServerError("odoo.exceptions.UserError", message)})
    with pytest.raises(MissingAddon, match="service_rma"):
        make_gateway(transport).scan("SN-1")


# -- transports ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message", "expected"),
    [
        ("psycopg2.errors.SerializationFailure", "could not serialize", TransientError),
        ("odoo.exceptions.ConcurrencyError", "another scan", TransientError),
        ("odoo.exceptions.AccessDenied", "Access Denied", BadCredentials),
        ("psycopg2.OperationalError", 'FATAL:  database "nodb" does not exist', WrongDatabase),
        ("odoo.exceptions.UserError", "No transfer named X.", ServerError),
    ],
)
def test_map_fault(name, message, expected):
    assert type(map_fault(name, message, "nodb")) is expected


@pytest.mark.parametrize(
    ("error", "expected", "text"),
    [
        (urllib.error.URLError(ConnectionRefusedError(111, "refused")), Unreachable, "connection refused"),
        (urllib.error.URLError(socket.gaierror(-2, "Name or service not known")), Unreachable, "resolve"),
        (TimeoutError("timed out"), Unreachable, "within 30 s"),
        (ConnectionResetError(104, "reset"), TransientError, "was cut"),
        (http.client.RemoteDisconnected("closed"), TransientError, "was cut"),
    ],
)
def test_map_os_error(error, expected, text):
    mapped = map_os_error(error, "http://h", 30)
    assert type(mapped) is expected and text in str(mapped)


PROFILE = Profile(url="http://127.0.0.1:8069", database="db", login="me", api_key="k", transport="json2")


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def http_error(code, body):
    return urllib.error.HTTPError("http://h", code, "x", {}, io.BytesIO(json.dumps(body).encode()))


def test_json2_request_shape():
    seen = []

    def opener(request, timeout):
        seen.append((request, timeout))
        return FakeResponse(json.dumps({"labels": [], "unknown": []}).encode())

    transport = Json2Transport(PROFILE, opener=opener)
    assert transport.call("stock.lot", "get_service_labels", serials=["A"]) == {"labels": [], "unknown": []}
    request, timeout = seen[0]
    assert request.full_url == "http://127.0.0.1:8069/json/2/stock.lot/get_service_labels"
    assert request.get_header("Authorization") == "bearer k"
    assert request.get_header("X-odoo-database") == "db"
    assert json.loads(request.data) == {"serials": ["A"]}
    assert timeout == 30.0
    transport.call("res.partner", "read", [1, 2], fields=["name"])
    assert json.loads(seen[1][0].data) == {"fields": ["name"], "ids": [1, 2]}


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (http_error(401, {"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey"}),
         BadCredentials),
        (http_error(422, {"name": "odoo.exceptions.UserError", "message": "No transfer named X."}),
         ServerError),
        (http_error(503, {}), TransientError),
        (http_error(500, {"name": "psycopg2.errors.SerializationFailure", "message": "x"}), TransientError),
        (urllib.error.URLError(ConnectionRefusedError(111, "refused")), Unreachable),
        (urllib.error.HTTPError("http://h", 404, "x", {}, io.BytesIO(
            b"<h1>Not Found</h1><p>No database is selected and the requested URL was not found")),
         WrongDatabase),
        (urllib.error.HTTPError("http://h", 404, "x", {}, io.BytesIO(b"<h1>Not Found</h1>")), Unreachable),
    ],
)
def test_json2_errors(error, expected):
    def opener(request, timeout):
        raise error

    with pytest.raises(expected):
        Json2Transport(PROFILE, opener=opener).call("stock.lot", "get_service_labels")


def test_odoorpc_transport_maps_its_errors():
    transport = OdooRpcTransport(Profile(url="https://odoo.example.com", database="db", login="me",
                                         password="pw"))
    assert (transport._host, transport._port, transport._protocol) == ("odoo.example.com", 443, "jsonrpc+ssl")

    def wrong_login():
        raise odoorpc.error.RPCError("Wrong login ID or password")

    with pytest.raises(BadCredentials, match="'me'"):
        transport._guard(wrong_login)

    def user_error():
        raise odoorpc.error.RPCError("x", {"data": {"name": "odoo.exceptions.UserError", "message": "Nope."}})

    with pytest.raises(ServerError, match=r"Nope\."):
        transport._guard(user_error)
