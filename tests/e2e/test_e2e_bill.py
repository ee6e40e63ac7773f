"""``aftersales bill`` against a real Odoo 19: a unit out of warranty goes
through the repair shop over RPC (scan, receipt, diagnosis, repair at cost),
then finance lists it, bills it, and bills nothing on a second run."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass

import pytest

from aftersales.models import M2O, OdooRecord, OStr, RegisterRow

SERIAL = "E2E-B-1"
LABOUR_RATE = 40.0
HOURS = 1.5


class Rma(OdooRecord):
    name: str
    remedy: str
    billing_state: str
    amount_at_cost: float
    repair_id: M2O
    sale_order_id: M2O
    bill_id: M2O


class Invoice(OdooRecord):
    name: OStr = None  # a draft invoice has no number yet
    state: str
    move_type: str
    partner_id: M2O
    amount_untaxed: float


@dataclass
class Repaired:
    rma: Rma
    customer: str
    currency: str


def rma_of(admin, rma_id: int) -> Rma:
    [rma] = admin.read("service.rma", [rma_id], Rma)
    return rma


@pytest.fixture(scope="module")
def repaired(admin, rpc, catalogue) -> Repaired:
    """A unit sold in 2020 (its 24-month warranty long over), scanned, received,
    diagnosed and repaired with 1.5 hours of labour: its at-cost quotation is
    confirmed and the RMA is to bill."""
    [company] = rpc.execute_kw("res.company", "search_read", [[]], {"fields": ["currency_id"], "limit": 1})
    rpc.execute_kw("res.company", "write", [[company["id"]], {"service_labour_cost_rate": LABOUR_RATE}])
    rpc.execute_kw("res.partner", "create", [{"name": "Initech", "ref": "E2E-C3"}])
    result = admin.register([RegisterRow(line=1, serial=SERIAL, product=catalogue.product_code,
                                         customer="E2E-C3", date_sale="2020-01-10")])
    assert len(result.created) == 1, result
    assert admin.status(SERIAL).verdict.remedy == "repair_at_cost"

    rma_id = admin.scan(SERIAL).rma_id
    rpc.execute_kw("service.rma", "action_create_receipt", [[rma_id]])
    [rma] = rpc.execute_kw("service.rma", "read", [[rma_id], ["receipt_picking_id"]])
    picking_id = rma["receipt_picking_id"][0]
    [picking] = rpc.execute_kw("stock.picking", "read", [[picking_id], ["move_ids"]])
    rpc.execute_kw("stock.move", "write", [picking["move_ids"], {"picked": True}])
    rpc.execute_kw("stock.picking", "button_validate", [[picking_id]])
    rpc.execute_kw("service.rma", "action_diagnose", [[rma_id]])
    rpc.execute_kw("service.rma", "action_start_repair", [[rma_id]])
    repair_id = rma_of(admin, rma_id).repair_id.id
    rpc.execute_kw("repair.order", "write", [[repair_id], {"labour_hours": HOURS}])
    for step in ("action_validate", "action_repair_start", "action_repair_end"):
        rpc.execute_kw("repair.order", step, [[repair_id]])

    repaired = rma_of(admin, rma_id)
    assert (repaired.remedy, repaired.billing_state) == ("repair_at_cost", "to_bill"), repaired
    assert repaired.amount_at_cost == pytest.approx(HOURS * LABOUR_RATE)
    assert repaired.sale_order_id is not None and repaired.bill_id is None
    return Repaired(repaired, "Initech", company["currency_id"][1])


def test_bill_lists_bills_and_bills_nothing_twice(cli, admin, rpc, odoo, repaired, tmp_path):
    rma = repaired.rma

    # Finance's dry run: the repair, its quotation and its at-cost total, also in a CSV file.
    listing = cli("bill", "--customer", "initech", "--csv", "to-bill.csv")
    assert listing.code == 0, listing.err
    [row] = [line for line in listing.out.splitlines() if line.startswith(rma.name)]
    for value in (repaired.customer, SERIAL, "[E2E-CMP] Compressor XL", rma.repair_id.name,
                  rma.sale_order_id.name, "60.00", repaired.currency):
        assert value in row, (value, row)
    assert f"  {repaired.currency}  60.00  1 RMA(s)" in listing.out
    assert listing.out.splitlines()[-2:] == [
        "dry run: nothing billed. To bill them: aftersales bill --confirm --customer initech",
        "to-bill.csv: 1 RMA(s)"]
    with (tmp_path / "to-bill.csv").open(newline="", encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == [{
            "rma": rma.name, "customer": repaired.customer, "serial": SERIAL,
            "product": "[E2E-CMP] Compressor XL", "repair": rma.repair_id.name,
            "quotation": rma.sale_order_id.name, "amount": "60.00", "currency": repaired.currency,
            "invoice": "", "skipped": ""}]
    assert rma_of(admin, rma.id).billing_state == "to_bill", "a dry run bills nothing"

    # A repair-shop user sees the list but may not bill.
    [group] = rpc.execute_kw("ir.model.data", "search_read",
                             [[("module", "=", "service_rma"), ("name", "=", "group_aftersales_repair")]],
                             {"fields": ["res_id"]})
    rpc.execute_kw("res.users", "create", [{"name": "Rita Repair", "login": "e2e_shop",
                                            "password": "e2e-shop-password",
                                            "group_ids": [(6, 0, [group["res_id"]])]}])
    denied = cli("bill", "--confirm", "--customer", "initech",
                 env=odoo.env(AFTERSALES_LOGIN="e2e_shop", AFTERSALES_PASSWORD="e2e-shop-password"))
    assert denied.code == 2, denied.out + denied.err
    assert "not allowed to bill: Only invoicing users" in denied.err
    assert rma_of(admin, rma.id).billing_state == "to_bill"

    # Finance bills: one invoice, the RMA billed on it.
    billed = cli("bill", "--confirm", "--customer", "initech", "--csv", "billed.csv", "--json")
    assert billed.code == 0, billed.err
    run = json.loads(billed.out)
    [invoice] = run["invoices"]
    assert run["billed"] == [rma.id] and run["skipped"] == []
    assert invoice["rma_ids"] == [rma.id] and invoice["partner"] == repaired.customer
    assert invoice["amount_untaxed"] == pytest.approx(60.0) and invoice["currency"] == repaired.currency
    assert run["rmas"][0]["invoice"] == invoice["name"]
    after = rma_of(admin, rma.id)
    assert after.billing_state == "billed"
    assert after.bill_id is not None and after.bill_id.id == invoice["id"]
    [move] = admin.read("account.move", [invoice["id"]], Invoice)
    assert (move.move_type, move.state, move.partner_id.name) == ("out_invoice", "draft", repaired.customer)
    assert move.amount_untaxed == pytest.approx(60.0)
    with (tmp_path / "billed.csv").open(newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["rma"], row["invoice"], row["skipped"]) == (rma.name, invoice["name"], "")

    # Run again: nothing is left to bill; exit 0 and no second invoice.
    again = cli("bill", "--confirm", "--customer", "initech")
    assert again.code == 0, again.err
    assert again.out == "nothing to bill for customers matching 'initech'\n"
    assert rma_of(admin, rma.id).bill_id.id == invoice["id"]
    invoices = [("partner_id.name", "=", repaired.customer), ("move_type", "=", "out_invoice")]
    assert admin.call("account.move", "search_count", domain=invoices) == 1
    listing = cli("bill")
    assert listing.code == 0 and rma.name not in listing.out, "a billed repair is no longer listed"
