"""The billing run against a fake server: listing, table and totals, CSV,
one batched bill_at_cost call, skipped RMAs, the server's refusals."""

import csv
import json

import pytest
from fakes import FakeTransport, make_gateway

from aftersales.cli import main
from aftersales.errors import MissingAddon, ServerError
from aftersales.models import BillableRma
from aftersales.output import plain_amount, table

FIELDS = ["name", "partner_id", "lot_id", "product_id", "repair_id", "sale_order_id", "amount_at_cost",
          "currency_id", "company_id"]


def rma(rma_id, name, partner, serial, amount, currency=(1, "EUR")):
    return {"id": rma_id, "name": name, "partner_id": list(partner), "lot_id": [100 + rma_id, serial],
            "product_id": [3, "[CMP] Compressor XL"], "repair_id": [200 + rma_id, f"WH/RO/{rma_id:05d}"],
            "sale_order_id": [300 + rma_id, f"S{rma_id:05d}"], "amount_at_cost": amount,
            "currency_id": list(currency), "company_id": [1, "My Company"]}


ACME, GLOBEX = (7, "Acme Ltd"), (8, "Globex")
ROWS = [rma(1, "RMA/0001", ACME, "SN-1", 1234.5), rma(2, "RMA/0002", ACME, "SN-2", 0.1),
        rma(3, "RMA/0003", GLOBEX, "SN-3", 99.0, currency=(2, "USD")),
        rma(4, "RMA/0004", GLOBEX, "SN-4", 0.2)]


class FakeServer:
    """service.rma's listing and bill_at_cost, with the server's rules: only
    what is to bill is listed, nothing is billed twice, one invoice per
    customer (or per RMA), a UserError when nothing can be billed. With
    ``visits``, the server has service_desk: service.visit answers the same
    way (one invoice per customer or per visit)."""

    def __init__(self, rows=ROWS, access=True, billed_elsewhere=(), refusal=None, visits=None):
        self.rows = {row["id"]: dict(row) for row in rows}
        self.billed: dict[int, str] = {rma_id: "INV/2026/00001" for rma_id in billed_elsewhere}
        self.visit_rows = {row["id"]: dict(row) for row in visits or ()}
        self.visit_billed: dict[int, str] = {}
        self.access = access
        self.refusal = refusal
        self.transport = FakeTransport({
            ("service.rma", "search_read"): self.search_read,
            ("service.rma", "search"): self.search,
            ("service.rma", "bill_at_cost"): self.bill_at_cost,
            # A server without service_desk, as /jsonrpc answers it.
            ("service.visit", "search_read"): ServerError("odoo.exceptions.UserError",
                                                          "Object service.visit doesn't exist"),
        })
        if visits is not None:
            self.transport.answers.update({
                ("service.visit", "search_read"): self.visit_search_read,
                ("service.visit", "search"): self.visit_search,
                ("service.visit", "bill_at_cost"): self.visit_bill_at_cost,
            })
        self.invoices = 0

    @staticmethod
    def _to_bill(domain, rows, billed):
        assert ("billing_state", "=", "to_bill") in domain
        rows = [row for row in rows.values() if row["id"] not in billed]
        for field, _operator, value in domain:
            if field == "partner_id":
                rows = [row for row in rows if value.lower() in row["partner_id"][1].lower()]
            elif field == "id":
                rows = [row for row in rows if row["id"] in value]
        return rows

    def search_read(self, ids, domain, fields, order, limit=None):
        rows = self._to_bill(domain, self.rows, self.billed)
        return [{"id": row["id"], **{field: row[field] for field in fields}} for row in rows][:limit]

    def search(self, ids, domain):
        return [row["id"] for row in self._to_bill(domain, self.rows, self.billed)]

    def visit_search_read(self, ids, domain, fields, order, limit=None):
        rows = self._to_bill(domain, self.visit_rows, self.visit_billed)
        return [{"id": row["id"], **{field: row[field] for field in fields}} for row in rows][:limit]

    def visit_search(self, ids, domain):
        return [row["id"] for row in self._to_bill(domain, self.visit_rows, self.visit_billed)]

    def bill_at_cost(self, ids, grouping):
        return self._bill(ids, grouping, "rma", self.rows, self.billed)

    def visit_bill_at_cost(self, ids, grouping):
        return self._bill(ids, grouping, "visit", self.visit_rows, self.visit_billed)

    def _bill(self, ids, grouping, document, documents, billed):
        if not self.access:
            raise ServerError("odoo.exceptions.AccessError",
                              "Only invoicing users (Accounting: Invoicing) can bill repairs.")
        if self.refusal:
            raise ServerError("odoo.exceptions.UserError", self.refusal)
        if grouping not in (None, "partner", document):
            raise ServerError("odoo.exceptions.UserError", f"Unknown grouping {grouping}")
        skipped = [{f"{document}_id": i, "name": documents[i]["name"],
                    "reason": f"already billed on {billed[i]}"} for i in ids if i in billed]
        billable = [documents[i] for i in ids if i not in billed]
        if not billable:
            raise ServerError("odoo.exceptions.UserError",
                              "Nothing to bill: " + "; ".join(f"{s['name']}: {s['reason']}" for s in skipped))
        groups: dict = {}
        for row in billable:
            key = row["id"] if grouping == document else (row["partner_id"][0], row["currency_id"][0])
            groups.setdefault(key, []).append(row)
        invoices = []
        for rows in groups.values():
            self.invoices += 1
            name = f"INV/2026/{self.invoices + 100:05d}"
            untaxed = sum(row["amount_at_cost"] for row in rows)
            invoices.append({"id": self.invoices, "name": name, "partner": rows[0]["partner_id"][1],
                             "amount_untaxed": untaxed, "amount_total": round(untaxed * 1.2, 2),
                             "currency": rows[0]["currency_id"][1],
                             f"{document}_ids": [row["id"] for row in rows]})
            billed.update({row["id"]: name for row in rows})
        return {"invoices": invoices, "billed": [row["id"] for row in billable], "skipped": skipped}

    def calls(self, method, model="service.rma"):
        return [call for call in self.transport.calls if call[1] == method and call[0] == model]


def run(server, *args):
    return main(["bill", *map(str, args)], connect=lambda: make_gateway(server.transport))


# -- listing --------------------------------------------------------------------------


def test_listing_reads_exactly_its_fields_and_maps_them():
    server = FakeServer()
    rows = make_gateway(server.transport).billable(customer="acme", limit=5)
    [call] = server.transport.calls
    assert call[:3] == ("service.rma", "search_read", None)
    assert call[3] == {"domain": [("billing_state", "=", "to_bill"), ("partner_id", "ilike", "acme")],
                       "fields": FIELDS, "limit": 5, "order": "partner_id, name"}
    assert [row.name for row in rows] == ["RMA/0001", "RMA/0002"]
    assert rows[0].partner_id.name == "Acme Ltd" and rows[0].lot_id.name == "SN-1"
    assert rows[0].sale_order_id.name == "S00001" and rows[0].currency == "EUR"


def test_listing_maps_odoo_false():
    row = BillableRma.model_validate({**ROWS[0], "lot_id": False, "repair_id": False, "currency_id": False})
    assert row.lot_id is None and row.repair_id is None and row.currency == "-"


def test_no_customer_no_limit_no_filter():
    server = FakeServer()
    make_gateway(server.transport).billable()
    assert server.transport.calls[0][3] == {"domain": [("billing_state", "=", "to_bill")], "fields": FIELDS,
                                            "order": "partner_id, name"}


def test_dry_run_table_and_totals_per_currency(capsys):
    server = FakeServer()
    assert run(server) == 0
    assert server.calls("bill_at_cost") == [], "a dry run bills nothing"
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["RMA", "Customer", "Serial", "Product", "Repair", "Quotation", "At", "cost",
                                "Currency"]
    assert lines[1].split() == ["RMA/0001", "Acme", "Ltd", "SN-1", "[CMP]", "Compressor", "XL", "WH/RO/00001",
                                "S00001", "1,234.50", "EUR"]
    # Amounts aligned right, under their header.
    assert lines[1].index("1,234.50") + len("1,234.50") == lines[2].index("0.10") + len("0.10")
    assert lines[5:] == [
        "to bill: 4 RMA(s), untaxed at cost",
        "  EUR  1,234.80  3 RMA(s)",
        "  USD     99.00  1 RMA(s)",
        "dry run: nothing billed. To bill them: aftersales bill --confirm",
    ]


def test_dry_run_names_the_command_that_bills_the_same(capsys):
    assert run(FakeServer(), "--customer", "acme ltd", "--limit", 2, "--grouping", "rma") == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "dry run: nothing billed. To bill them: aftersales bill --confirm --customer 'acme ltd' --limit 2 "
        "--grouping rma")


def test_nothing_to_bill(capsys):
    server = FakeServer(rows=[])
    assert run(server, "--confirm", "--customer", "nobody") == 0
    assert capsys.readouterr().out == "nothing to bill for customers matching 'nobody'\n"
    assert server.calls("bill_at_cost") == [], "no call for an empty selection"


def test_limit_must_be_positive(capsys):
    server = FakeServer()
    assert run(server, "--limit", 0) == 2
    assert "--limit must be at least 1" in capsys.readouterr().err
    assert server.transport.calls == []


def test_csv_of_a_dry_run(tmp_path, capsys):
    path = tmp_path / "bill.csv"
    assert run(FakeServer(), "--csv", path) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{path}: 4 RMA(s)"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["rma", "customer", "serial", "product", "repair", "quotation", "amount",
                             "currency", "invoice", "skipped"]
    assert rows[0] == {"rma": "RMA/0001", "customer": "Acme Ltd", "serial": "SN-1",
                       "product": "[CMP] Compressor XL", "repair": "WH/RO/00001", "quotation": "S00001",
                       "amount": "1234.50", "currency": "EUR", "invoice": "", "skipped": ""}
    assert [(r["rma"], r["amount"], r["currency"]) for r in rows[1:]] == [
        ("RMA/0002", "0.10", "EUR"), ("RMA/0003", "99.00", "USD"), ("RMA/0004", "0.20", "EUR")]
    assert [p.name for p in tmp_path.iterdir()] == ["bill.csv"], "no temporary file left behind"


def test_csv_that_cannot_be_written_stops_before_anything_is_billed(tmp_path, capsys):
    server = FakeServer()
    assert run(server, "--confirm", "--csv", tmp_path / "no-such-dir" / "bill.csv") == 2
    assert "cannot write" in capsys.readouterr().err
    assert server.transport.calls == []


# -- billing --------------------------------------------------------------------------


def test_confirm_bills_everything_in_one_call(tmp_path, capsys):
    server = FakeServer()
    path = tmp_path / "billed.csv"
    assert run(server, "--confirm", "--csv", path) == 0
    [call] = server.calls("bill_at_cost")
    assert call[2] == [1, 2, 3, 4], "every RMA listed, in one batched call"
    assert call[3] == {"grouping": None}, "no --grouping: the company's setting"
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[-1] == "Invoice"
    assert out[1].endswith("EUR       INV/2026/00101")
    assert out[5:] == [
        "invoices",
        "  INV/2026/00101  Acme Ltd  2 RMA(s)  EUR 1,234.60 untaxed, 1,481.52 with taxes",
        "  INV/2026/00102  Globex  1 RMA(s)  USD 99.00 untaxed, 118.80 with taxes",
        "  INV/2026/00103  Globex  1 RMA(s)  EUR 0.20 untaxed, 0.24 with taxes",
        "billed: 4 of 4 RMA(s) on 3 invoice(s)",
        "  EUR  1,234.80  untaxed  1,481.76  with taxes",
        "  USD     99.00  untaxed    118.80  with taxes",
        f"{path}: 4 RMA(s)",
    ]
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["rma"], r["invoice"], r["skipped"]) for r in rows] == [
        ("RMA/0001", "INV/2026/00101", ""), ("RMA/0002", "INV/2026/00101", ""),
        ("RMA/0003", "INV/2026/00102", ""), ("RMA/0004", "INV/2026/00103", "")]

    # Run again: nothing is left to bill, and nothing is asked of the server.
    assert run(server, "--confirm") == 0
    assert capsys.readouterr().out == "nothing to bill\n"
    assert len(server.calls("bill_at_cost")) == 1


@pytest.mark.parametrize("grouping", ["partner", "rma"])
def test_grouping_is_passed_through(grouping, capsys):
    server = FakeServer()
    assert run(server, "--confirm", "--grouping", grouping) == 0
    assert server.calls("bill_at_cost")[0][3] == {"grouping": grouping}
    assert f"on {3 if grouping == 'partner' else 4} invoice(s)" in capsys.readouterr().out


def test_unknown_grouping_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["bill", "--grouping", "month"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'month'" in capsys.readouterr().err


def test_customer_and_limit_bound_what_is_billed(capsys):
    server = FakeServer()
    assert run(server, "--confirm", "--customer", "globex", "--limit", 1) == 0
    assert server.calls("bill_at_cost")[0][2] == [3]
    capsys.readouterr()


def test_rmas_billed_meanwhile_are_skipped_and_exit_1(tmp_path, capsys):
    server = FakeServer()
    # Listed as to bill, then another clerk bills RMA/0002 before this run's call reaches the server.
    listed = server.search_read

    def search_read_then_clerk_bills(ids, **kwargs):
        rows = listed(ids, **kwargs)
        server.billed[2] = "INV/2026/00001"
        return rows

    server.transport.answers[("service.rma", "search_read")] = search_read_then_clerk_bills
    path = tmp_path / "billed.csv"
    assert run(server, "--confirm", "--csv", path) == 1
    out = capsys.readouterr().out
    assert "RMA/0002" in out.splitlines()[2] and out.splitlines()[2].endswith("not billed")
    assert "not billed\n  RMA/0002  already billed on INV/2026/00001\n" in out
    assert "billed: 3 of 4 RMA(s) on 3 invoice(s)" in out
    with path.open(newline="") as handle:
        rows = {r["rma"]: r for r in csv.DictReader(handle)}
    assert rows["RMA/0002"]["invoice"] == ""
    assert rows["RMA/0002"]["skipped"] == "already billed on INV/2026/00001"
    assert rows["RMA/0001"]["invoice"] == "INV/2026/00101"


def test_all_billed_meanwhile_exit_1_with_the_servers_reasons(tmp_path, capsys):
    server = FakeServer()
    listed = server.search_read

    def search_read_then_clerk_bills_all(ids, **kwargs):
        rows = listed(ids, **kwargs)
        server.billed.update({row["id"]: "INV/2026/00001" for row in rows})
        return rows

    server.transport.answers[("service.rma", "search_read")] = search_read_then_clerk_bills_all
    path = tmp_path / "billed.csv"
    assert run(server, "--confirm", "--customer", "globex", "--csv", path) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert ("nothing billed by this run, none is still to bill: Nothing to bill: "
            "RMA/0003: already billed on INV/2026/00001; RMA/0004: already billed on INV/2026/00001"
            in captured.err)
    assert server.calls("search")[0][3] == {"domain": [("id", "in", [3, 4]),
                                                      ("billing_state", "=", "to_bill")]}
    assert not path.exists() and list(tmp_path.iterdir()) == [], "no summary of a run that billed nothing"


def test_refusal_while_still_to_bill_is_exit_2(capsys):
    server = FakeServer(refusal="Please define an accounting sales journal for the company My Company.")
    assert run(server, "--confirm") == 2
    assert ("the server refused to bill; nothing was billed: Please define an accounting sales journal"
            in capsys.readouterr().err)


def test_access_error_says_who_may_bill(capsys):
    server = FakeServer(access=False)
    assert run(server, "--confirm") == 2
    err = capsys.readouterr().err
    assert "not allowed to bill: Only invoicing users (Accounting: Invoicing) can bill repairs." in err
    assert "Invoicing rights" in err
    assert server.calls("search") == [], "an access error needs no second look"


def test_server_without_billing_is_reported(capsys):
    error = ServerError("builtins.ValueError", "Invalid field service.rma.billing_state in condition "
                                               "('billing_state', '=', 'to_bill')")
    transport = FakeTransport({("service.rma", "search_read"): error})
    with pytest.raises(MissingAddon, match="cannot bill at cost"):
        make_gateway(transport).billable()
    assert main(["bill"], connect=lambda: make_gateway(transport)) == 2
    assert "add-on missing: the server's service_rma cannot bill at cost" in capsys.readouterr().err


# -- JSON -----------------------------------------------------------------------------


def test_json_of_a_dry_run(capsys):
    assert run(FakeServer(), "--json", "--customer", "acme") == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "confirmed": False, "grouping": None,
        "rmas": [
            {"id": 1, "rma": "RMA/0001", "customer": "Acme Ltd", "serial": "SN-1",
             "product": "[CMP] Compressor XL", "repair": "WH/RO/00001", "quotation": "S00001",
             "amount": 1234.5, "currency": "EUR", "company": "My Company", "invoice": None, "skipped": None},
            {"id": 2, "rma": "RMA/0002", "customer": "Acme Ltd", "serial": "SN-2",
             "product": "[CMP] Compressor XL", "repair": "WH/RO/00002", "quotation": "S00002",
             "amount": 0.1, "currency": "EUR", "company": "My Company", "invoice": None, "skipped": None},
        ],
        "totals": {"EUR": {"rmas": 2, "amount": 1234.6}},
        "invoices": [], "billed": [], "skipped": [], "billed_totals": {},
    }


def test_json_of_a_billing_run_with_a_skip(capsys):
    server = FakeServer(billed_elsewhere=[4])
    server.transport.answers[("service.rma", "search_read")] = lambda ids, **kwargs: [
        {"id": row["id"], **{f: row[f] for f in kwargs["fields"]}} for row in ROWS]
    assert run(server, "--confirm", "--json", "--grouping", "partner") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["confirmed"] is True and data["grouping"] == "partner"
    assert [(r["rma"], r["invoice"], r["skipped"]) for r in data["rmas"]] == [
        ("RMA/0001", "INV/2026/00101", None), ("RMA/0002", "INV/2026/00101", None),
        ("RMA/0003", "INV/2026/00102", None), ("RMA/0004", None, "already billed on INV/2026/00001")]
    assert data["invoices"][0] == {"id": 1, "name": "INV/2026/00101", "partner": "Acme Ltd",
                                   "amount_untaxed": 1234.6, "amount_total": 1481.52, "currency": "EUR",
                                   "rma_ids": [1, 2]}
    assert data["billed"] == [1, 2, 3]
    assert data["skipped"] == [{"rma_id": 4, "name": "RMA/0004",
                                "reason": "already billed on INV/2026/00001"}]
    assert data["totals"] == {"EUR": {"rmas": 3, "amount": 1234.8}, "USD": {"rmas": 1, "amount": 99.0}}
    assert data["billed_totals"] == {"EUR": {"amount_untaxed": 1234.6, "amount_total": 1481.52},
                                     "USD": {"amount_untaxed": 99.0, "amount_total": 118.8}}


# -- output helpers -------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "text"), [(1234.5, "1,234.50"), (0.1 + 0.2, "0.30"), (12.345, "12.345"),
                                              (-5, "-5.00"), (0, "0.00"), (1e6, "1,000,000.00")])
def test_plain_amount(amount, text):
    assert plain_amount(amount, thousands=True) == text
    assert plain_amount(amount) == text.replace(",", "")


def test_table_clips_long_cells_and_aligns_right():
    lines = table(["Name", "Amount"], [["x" * 40, "1.00"], ["y", "100.00"]], right=(1,), widest=10)
    assert lines == ["Name        Amount", "xxxxxxxxx…    1.00", "y           100.00"]


def test_csv_escapes_cells_a_spreadsheet_would_run(tmp_path, capsys):
    rows = [rma(1, "RMA/0001", (7, '=HYPERLINK("http://evil.example","Acme")'), "+SN-1", -12.5),
            rma(2, "RMA/0002", (8, "@Globex"), "-SN-2", 3.0)]
    rows[1]["product_id"] = [3, "\tCompressor"]
    rows[1]["repair_id"] = [202, "\rWH/RO/00002"]
    path = tmp_path / "bill.csv"
    assert run(FakeServer(rows=rows), "--csv", path) == 0
    with path.open(newline="", encoding="utf-8") as handle:
        first, second = list(csv.DictReader(handle))
    assert first["customer"] == "'" + '=HYPERLINK("http://evil.example","Acme")'
    assert first["serial"] == "'+SN-1"
    assert first["amount"] == "-12.50", "an amount the tool formats stays a number"
    assert (second["customer"], second["serial"]) == ("'@Globex", "'-SN-2")
    assert (second["product"], second["repair"]) == ("'\tCompressor", "'\rWH/RO/00002")
    capsys.readouterr()


# -- on-site visits (a server with service_desk) ----------------------------------------

VISIT_FIELDS = ["name", "partner_id", "lot_id", "product_id", "request_id", "sale_order_id", "amount_at_cost",
                "currency_id", "company_id"]


def visit(visit_id, name, partner, serial, amount, currency=(1, "EUR")):
    return {"id": visit_id, "name": name, "partner_id": list(partner), "lot_id": [500 + visit_id, serial],
            "product_id": [3, "[CMP] Compressor XL"], "request_id": [600 + visit_id, f"SR{visit_id:05d}"],
            "sale_order_id": [700 + visit_id, f"S{visit_id + 50:05d}"], "amount_at_cost": amount,
            "currency_id": list(currency), "company_id": [1, "My Company"]}


# Visit ids are another model's: they may equal RMA ids.
VISITS = [visit(1, "SV2026-00001", ACME, "SN-9", 113.0), visit(2, "SV2026-00002", GLOBEX, "SN-3", 65.0)]


def test_visits_are_read_with_exactly_their_fields():
    server = FakeServer(visits=VISITS)
    rows = make_gateway(server.transport).billable_visits(customer="acme", limit=3)
    [call] = server.transport.calls
    assert call[:3] == ("service.visit", "search_read", None)
    assert call[3] == {"domain": [("billing_state", "=", "to_bill"), ("partner_id", "ilike", "acme")],
                       "fields": VISIT_FIELDS, "limit": 3, "order": "partner_id, name"}
    assert [(row.name, row.request_id.name, row.currency) for row in rows] == [
        ("SV2026-00001", "SR00001", "EUR")]


@pytest.mark.parametrize("message", ["Object service.visit doesn't exist",
                                     "the model 'service.visit' does not exist"])
def test_a_server_without_visits_bills_its_rmas_only(message, capsys):
    server = FakeServer()
    server.transport.answers[("service.visit", "search_read")] = ServerError("odoo.exceptions.UserError",
                                                                             message)
    assert run(server, "--confirm") == 0
    assert [call[:2] for call in server.transport.calls] == [
        ("service.rma", "search_read"), ("service.visit", "search_read"), ("service.rma", "bill_at_cost")]
    assert "visit" not in capsys.readouterr().out
    assert make_gateway(server.transport).billable_visits() is None


def test_dry_run_lists_visits_beside_the_rmas(capsys):
    server = FakeServer(visits=VISITS)
    assert run(server) == 0
    assert server.calls("bill_at_cost") == server.calls("bill_at_cost", "service.visit") == []
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "RMA" and lines[5].split()[:5] == ["Visit", "Customer", "Serial", "Product",
                                                                      "Request"]
    assert lines[6].split() == ["SV2026-00001", "Acme", "Ltd", "SN-9", "[CMP]", "Compressor", "XL", "SR00001",
                                "S00051", "113.00", "EUR"]
    assert lines[8:] == [
        "to bill: 4 RMA(s), 2 visit(s), untaxed at cost",
        "  EUR  1,412.80  3 RMA(s), 2 visit(s)",
        "  USD     99.00  1 RMA(s), 0 visit(s)",
        "dry run: nothing billed. To bill them: aftersales bill --confirm",
    ]


def test_confirm_bills_the_visits_in_their_own_call(tmp_path, capsys):
    server = FakeServer(visits=VISITS)
    path = tmp_path / "billed.csv"
    assert run(server, "--confirm", "--grouping", "rma", "--csv", path) == 0
    [rma_call] = server.calls("bill_at_cost")
    [visit_call] = server.calls("bill_at_cost", "service.visit")
    assert rma_call[2:] == ([1, 2, 3, 4], {"grouping": "rma"})
    assert visit_call[2:] == ([1, 2], {"grouping": "visit"}), "one invoice per document: the visit's word"
    out = capsys.readouterr().out
    assert "  INV/2026/00105  Acme Ltd  1 visit(s)  EUR 113.00 untaxed, 135.60 with taxes\n" in out
    assert "billed: 4 of 4 RMA(s) and 2 of 2 visit(s) on 6 invoice(s)\n" in out
    assert out.endswith(f"{path}: 4 RMA(s), 2 visit(s)\n")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["document", "number", "customer", "serial", "product", "repair", "request",
                             "quotation", "amount", "currency", "invoice", "skipped"]
    assert [(r["document"], r["number"], r["repair"], r["request"], r["invoice"]) for r in rows[3:]] == [
        ("rma", "RMA/0004", "WH/RO/00004", "", "INV/2026/00104"),
        ("visit", "SV2026-00001", "", "SR00001", "INV/2026/00105"),
        ("visit", "SV2026-00002", "", "SR00002", "INV/2026/00106"),
    ]
    assert run(server, "--confirm") == 0, "run again: nothing left"
    assert capsys.readouterr().out == "nothing to bill\n"


def test_document_grouping_means_one_invoice_per_rma_and_per_visit(capsys):
    server = FakeServer(visits=VISITS)
    assert run(server, "--confirm", "--grouping", "document") == 0
    assert server.calls("bill_at_cost")[0][3] == {"grouping": "rma"}
    assert server.calls("bill_at_cost", "service.visit")[0][3] == {"grouping": "visit"}
    capsys.readouterr()


def test_a_visit_billed_meanwhile_is_skipped_and_exit_1(capsys):
    server = FakeServer(rows=[], visits=VISITS)
    listed = server.visit_search_read

    def search_read_then_clerk_bills(ids, **kwargs):
        rows = listed(ids, **kwargs)
        server.visit_billed[2] = "INV/2026/00001"
        return rows

    server.transport.answers[("service.visit", "search_read")] = search_read_then_clerk_bills
    assert run(server, "--confirm") == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[0] == "Visit", "no empty RMA table"
    assert "not billed\n  SV2026-00002  already billed on INV/2026/00001\n" in out
    assert "billed: 0 of 0 RMA(s) and 1 of 2 visit(s) on 1 invoice(s)" in out


def test_visits_all_billed_meanwhile_after_the_rmas_still_reports_the_rmas(capsys):
    server = FakeServer(visits=VISITS)
    listed = server.visit_search_read

    def search_read_then_clerk_bills_all(ids, **kwargs):
        rows = listed(ids, **kwargs)
        server.visit_billed.update({row["id"]: "INV/2026/00001" for row in rows})
        return rows

    server.transport.answers[("service.visit", "search_read")] = search_read_then_clerk_bills_all
    assert run(server, "--confirm") == 1
    captured = capsys.readouterr()
    assert "nothing billed by this run, none is still to bill: Nothing to bill: SV2026-00001" in captured.err
    assert "billed: 4 of 4 RMA(s) and 0 of 2 visit(s) on 3 invoice(s)" in captured.out
    assert server.calls("search", "service.visit")[0][3] == {
        "domain": [("id", "in", [1, 2]), ("billing_state", "=", "to_bill")]}


def test_only_visits_and_no_invoicing_rights_is_exit_2(capsys):
    server = FakeServer(rows=[], visits=VISITS, access=False)
    assert run(server, "--confirm") == 2
    assert "not allowed to bill: Only invoicing users" in capsys.readouterr().err


def test_json_with_visits(capsys):
    server = FakeServer(rows=ROWS[:1], visits=VISITS[:1])
    assert run(server, "--confirm", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["rma"] for row in data["rmas"]] == ["RMA/0001"]
    assert data["visits"] == [
        {"id": 1, "visit": "SV2026-00001", "customer": "Acme Ltd", "serial": "SN-9",
         "product": "[CMP] Compressor XL", "request": "SR00001", "quotation": "S00051", "amount": 113.0,
         "currency": "EUR", "company": "My Company", "invoice": "INV/2026/00102", "skipped": None},
    ]
    assert data["totals"] == {"EUR": {"rmas": 1, "visits": 1, "amount": 1347.5}}
    assert [invoice.get("rma_ids", invoice.get("visit_ids")) for invoice in data["invoices"]] == [[1], [1]]
    assert (data["billed"], data["billed_visits"], data["skipped"]) == ([1], [1], [])
    assert data["billed_totals"] == {"EUR": {"amount_untaxed": 1347.5, "amount_total": 1617.0}}


def test_a_desk_without_billing_is_reported(capsys):
    server = FakeServer(visits=[])
    error = ServerError("builtins.ValueError", "Invalid field service.visit.billing_state in condition")
    server.transport.answers[("service.visit", "search_read")] = error
    assert run(server) == 2
    assert "the server's service_desk cannot bill visits at cost" in capsys.readouterr().err


def test_a_user_who_may_not_read_visits_still_lists_the_rmas(capsys):
    server = FakeServer(visits=VISITS)
    server.transport.answers[("service.visit", "search_read")] = ServerError(
        "odoo.exceptions.AccessError", "You are not allowed to access 'On-site Service Visit' records.")
    assert run(server) == 0
    out = capsys.readouterr().out
    assert "to bill: 4 RMA(s), 0 visit(s), untaxed at cost" in out
    assert "SV2026" not in out
