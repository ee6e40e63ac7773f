"""Typed shapes of what the server sends and what we send it.

Odoo answers ``False`` for any empty value and ``[id, "name"]`` for a
many2one; the annotated types below turn those into ``None`` and ``Ref`` at
the boundary, so the rest of the code never tests ``is False``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from aftersales.output import echo


def false_to_none(value: Any) -> Any:
    return None if value is False else value


def many2one(value: Any) -> Any:
    if value is False or value is None:
        return None
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return {"id": value[0], "name": value[1]}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"id": value, "name": ""}
    return value


class Ref(BaseModel):
    """A many2one value."""

    model_config = ConfigDict(frozen=True)
    id: int
    name: str


OStr = Annotated[str | None, BeforeValidator(false_to_none)]
ODate = Annotated[date | None, BeforeValidator(false_to_none)]
OInt = Annotated[int | None, BeforeValidator(false_to_none)]
M2O = Annotated[Ref | None, BeforeValidator(many2one)]


class OdooRecord(BaseModel):
    """Base of the rows the gateway reads: unknown fields are ignored, so the
    server may add fields without breaking old clients."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: int


Row = TypeVar("Row", bound=OdooRecord)


class Module(OdooRecord):
    name: str
    state: str


# -- status ------------------------------------------------------------------------


class Certificate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    name: str
    state: str
    policy: OStr = None
    date_sale: ODate = None
    date_delivery: ODate = None
    date_install: ODate = None
    date_start: ODate = None
    date_end: ODate = None
    refund_until: ODate = None
    exchange_until: ODate = None
    invoice_ref: OStr = None


class Verdict(BaseModel):
    model_config = ConfigDict(extra="ignore")
    covered: bool
    remedy: str
    reason: str
    reason_text: str = ""
    warranty_id: OInt = None
    date_end: ODate = None
    exclusions: list[str] = Field(default_factory=list)


class Repair(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    date: ODate = None
    state: str
    under_warranty: bool = False
    technician: OStr = None


class ServiceStatus(BaseModel):
    model_config = ConfigDict(extra="ignore")
    lot_id: int
    serial: str
    product: str
    product_code: OStr = None
    service_url: OStr = None
    customer: OStr = None
    certificate: Annotated[Certificate | None, BeforeValidator(false_to_none)] = None
    verdict: Verdict
    repairs: list[Repair] = Field(default_factory=list)


# -- labels ------------------------------------------------------------------------


class Label(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    serial: str
    product: str
    product_code: OStr = None
    url: str


class LabelsResult(BaseModel):
    model_config = ConfigDict(extra="ignore")
    labels: list[Label]
    unknown: list[str] = Field(default_factory=list)


# -- register ----------------------------------------------------------------------

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD: "03/04/2026" means two different days on two continents."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            if ISO_DATE.match(value.strip()):
                return date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise ValueError(f"{echo(value)!r} is not a date written YYYY-MM-DD")
    return value


def empty_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


# The longest code a scan or a status look-up takes: a label's URL (a server's
# address, /service/d/ and a 32-character token), a token or a serial.
CODE_MAX = 512

# The longest value each column takes, in characters (after trimming spaces):
# well beyond real data, so that a paste gone wrong or a file read with the
# wrong delimiter is a row error, not a 10,000-character serial in the database.
MAX_LENGTH = {"serial": 128, "product": 128, "customer": 256, "invoice_ref": 128, "policy": 128}

IsoDate = Annotated[date, BeforeValidator(iso_date)]
OptIsoDate = Annotated[date | None, BeforeValidator(iso_date)]

Serial = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["serial"])]
ProductCode = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["product"])]
Customer = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["customer"])]
# Optional: blank is None. The length applies to the text, not to None.
InvoiceRef = Annotated[Annotated[str, Field(max_length=MAX_LENGTH["invoice_ref"])] | None,
                       BeforeValidator(empty_to_none)]
PolicyName = Annotated[Annotated[str, Field(max_length=MAX_LENGTH["policy"])] | None,
                       BeforeValidator(empty_to_none)]


class RegisterRow(BaseModel):
    """One unit to register, as read from a CSV line."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    line: int
    serial: Serial
    product: ProductCode  # internal reference or barcode
    customer: Customer  # reference, e-mail address or name
    date_sale: IsoDate
    date_install: OptIsoDate = None
    invoice_ref: InvoiceRef = None
    policy: PolicyName = None

    @field_validator("date_install")
    @classmethod
    def _install_after_sale(cls, value: date | None, info: ValidationInfo) -> date | None:
        sale = info.data.get("date_sale")
        if value is not None and sale is not None and value < sale:
            raise ValueError("the installation date is before the sale date")
        return value

    def to_rpc(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class Created(BaseModel):
    line: int
    serial: str
    certificate: OStr = None


class Skipped(BaseModel):
    line: int
    serial: Reason
    reason: Reason


def encodable(value: Any) -> Any:
    """A lone surrogate (what JSON can carry and UTF-8 cannot) replaced by "?",
    so that printing a reason or writing it to the rejects file cannot fail."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


Reason = Annotated[str, BeforeValidator(encodable)]


class RowError(BaseModel):
    line: int
    column: Reason
    reason: Reason


class RegisterResult(BaseModel):
    created: list[Created] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    errors: list[RowError] = Field(default_factory=list)

    def extend(self, other: RegisterResult) -> None:
        self.created.extend(other.created)
        self.skipped.extend(other.skipped)
        self.errors.extend(other.errors)


# -- scan --------------------------------------------------------------------------


class RmaVerdict(BaseModel):
    """An RMA's decision: its ``remedy`` (a manager's override included;
    "rejected" when nothing is granted), whether it is ``covered`` (free to
    the customer), the policy's ``reason`` code and text, and, when
    ``overridden``, the ``policy_remedy`` it replaced."""

    model_config = ConfigDict(extra="ignore")
    remedy: str
    covered: bool
    reason: str = ""
    reason_text: str = ""
    overridden: bool = False
    policy_remedy: OStr = None


class ScanResult(BaseModel):
    model_config = ConfigDict(extra="ignore")
    rma_id: int
    name: str
    state: str
    created: bool = False
    serial: OStr = None
    product: OStr = None
    verdict: RmaVerdict


# -- bill --------------------------------------------------------------------------


class BillableRma(OdooRecord):
    """A post-warranty repair whose at-cost quotation is confirmed and not yet
    billed (``billing_state`` "to_bill"). ``amount_at_cost`` is untaxed, in
    the quotation's currency, whose display name is its ISO code."""

    name: str
    partner_id: M2O = None
    lot_id: M2O = None
    product_id: M2O = None
    repair_id: M2O = None
    sale_order_id: M2O = None
    amount_at_cost: float = 0.0
    currency_id: M2O = None
    company_id: M2O = None

    @property
    def currency(self) -> str:
        return self.currency_id.name if self.currency_id else "-"


class BilledInvoice(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    name: str
    partner: OStr = None
    amount_untaxed: float
    amount_total: float
    currency: str
    rma_ids: list[int] = Field(default_factory=list)


class BillSkipped(BaseModel):
    model_config = ConfigDict(extra="ignore")
    rma_id: int
    name: str
    reason: str


class BillResult(BaseModel):
    model_config = ConfigDict(extra="ignore")
    invoices: list[BilledInvoice] = Field(default_factory=list)
    billed: list[int] = Field(default_factory=list)
    skipped: list[BillSkipped] = Field(default_factory=list)


class BillableVisit(OdooRecord):
    """An on-site visit after the warranty (service_desk) whose at-cost
    quotation (parts, labour, the visit fee) is confirmed and not yet billed;
    read and billed as :class:`BillableRma` is."""

    name: str
    partner_id: M2O = None
    lot_id: M2O = None
    product_id: M2O = None
    request_id: M2O = None
    sale_order_id: M2O = None
    amount_at_cost: float = 0.0
    currency_id: M2O = None
    company_id: M2O = None

    @property
    def currency(self) -> str:
        return self.currency_id.name if self.currency_id else "-"


class BilledVisitInvoice(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    name: str
    partner: OStr = None
    amount_untaxed: float
    amount_total: float
    currency: str
    visit_ids: list[int] = Field(default_factory=list)


class VisitSkipped(BaseModel):
    model_config = ConfigDict(extra="ignore")
    visit_id: int
    name: str
    reason: str


class VisitBillResult(BaseModel):
    model_config = ConfigDict(extra="ignore")
    invoices: list[BilledVisitInvoice] = Field(default_factory=list)
    billed: list[int] = Field(default_factory=list)
    skipped: list[VisitSkipped] = Field(default_factory=list)
