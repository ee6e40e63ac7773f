"""The one place that talks RPC: it names every field it reads, batches
reads and writes, retries what is worth retrying, and hands back typed
models. Commands depend on this class, never on a transport.

Retrying a call after the connection was cut is safe because every server
method used here is idempotent: status and labels only read (labels create a
missing token once), ``register_units`` skips units already registered,
``scan`` returns the unit's open RMA when there is one, and ``bill_at_cost``
locks the RMAs (or visits) and skips those already billed: what a lost
answer billed comes back as skipped ("already billed on ..."), never billed
twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from aftersales.errors import MissingAddon, ServerError, TransientError
from aftersales.models import (
    BillableRma,
    BillableVisit,
    BillResult,
    LabelsResult,
    Module,
    RegisterResult,
    RegisterRow,
    Row,
    ScanResult,
    ServiceStatus,
    VisitBillResult,
)
from aftersales.transport import Transport

ADDONS = ("service_warranty", "service_rma")
READ_BATCH = 1000
REGISTER_BATCH = 500
TO_BILL = ("billing_state", "=", "to_bill")


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Gateway:
    def __init__(
        self,
        transport: Transport,
        *,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.transport = transport
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep

    def _retrying(self, call: Callable[[], Any]) -> Any:
        for attempt in range(self.retries + 1):
            try:
                return call()
            except TransientError:
                if attempt == self.retries:
                    raise
                # Exponential backoff with jitter, so that two clients that
                # collided do not collide again on the same beat.
                self._sleep(self.backoff * 2**attempt * random.uniform(0.5, 1.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, model: str, method: str, ids: list[int] | None = None, **kwargs: Any) -> Any:
        return self._retrying(lambda: self.transport.call(model, method, ids, **kwargs))

    # -- generic reads --------------------------------------------------------

    def search_read(
        self, model: str, domain: list[Any], row_type: type[Row], *, limit: int | None = None,
        order: str | None = None,
    ) -> list[Row]:
        """Rows of ``model``; the fields read are exactly those ``row_type`` declares."""
        options: dict[str, Any] = {"domain": domain, "fields": self._fields(row_type)}
        if limit is not None:
            options["limit"] = limit
        if order:
            options["order"] = order
        return [row_type.model_validate(row) for row in self.call(model, "search_read", **options)]

    def read(self, model: str, ids: Sequence[int], row_type: type[Row]) -> list[Row]:
        fields = self._fields(row_type)
        rows: list[Row] = []
        for batch in chunks(list(ids), READ_BATCH):
            rows.extend(row_type.model_validate(row)
                        for row in self.call(model, "read", list(batch), fields=fields))
        return rows

    @staticmethod
    def _fields(row_type: type[Row]) -> list[str]:
        return [name for name in row_type.model_fields if name != "id"]

    # -- connection -----------------------------------------------------------

    def server_version(self) -> str:
        return self._retrying(self.transport.version)

    def login(self) -> int:
        return self._retrying(self.transport.login)

    def addon_states(self) -> dict[str, str]:
        """State of each of our add-ons; "absent" when the server does not know it."""
        modules = self.search_read("ir.module.module", [("name", "in", list(ADDONS))], Module)
        states = {module.name: module.state for module in modules}
        return {name: states.get(name, "absent") for name in ADDONS}

    def require_addons(self, *names: str) -> None:
        states = self.addon_states()
        missing = [f"{name} ({states[name]})" for name in names if states[name] != "installed"]
        if missing:
            raise MissingAddon(f"the server lacks the add-on(s) {', '.join(missing)}: install them in Odoo")

    # -- business methods -----------------------------------------------------

    def status(self, code: str, on_date: date | None = None) -> ServiceStatus | None:
        options = {"on_date": on_date.isoformat()} if on_date else {}
        result = self.call("stock.lot", "get_service_status", code=code, **options)
        return ServiceStatus.model_validate(result) if result else None

    def labels(
        self, serials: Sequence[str] = (), picking: str | None = None, sale_order: str | None = None
    ) -> LabelsResult:
        """Label data in one call; the server creates missing tokens."""
        options: dict[str, Any] = {}
        if serials:
            options["serials"] = list(serials)
        if picking:
            options["picking"] = picking
        if sale_order:
            options["sale_order"] = sale_order
        return LabelsResult.model_validate(self.call("stock.lot", "get_service_labels", **options))

    def register(
        self,
        rows: Sequence[RegisterRow],
        *,
        dry_run: bool = False,
        batch_size: int = REGISTER_BATCH,
        progress: Callable[[int], None] | None = None,
    ) -> RegisterResult:
        """``register_units`` in batches (one transaction each); ``progress``
        receives the number of rows done after each batch."""
        total = RegisterResult()
        for batch in chunks(rows, batch_size):
            answer = self.call("service.warranty", "register_units",
                               rows=[row.to_rpc() for row in batch], dry_run=dry_run)
            total.extend(RegisterResult.model_validate(answer))
            if progress:
                progress(len(batch))
        return total

    def scan(self, code: str) -> ScanResult:
        try:
            return ScanResult.model_validate(self.call("service.rma", "scan", code=code))
        except ServerError as error:
            # /jsonrpc says "Object service.rma doesn't exist", /json/2 "the model ... does not exist".
            if "service.rma" in error.message and "exist" in error.message:
                raise MissingAddon("the server lacks the add-on service_rma (scan intake)") from None
            raise

    def billable(self, customer: str | None = None, limit: int | None = None) -> list[BillableRma]:
        """Post-warranty repairs ready to bill at cost, by customer then RMA;
        ``customer`` matches the customer's name (case-insensitive, partial)."""
        domain: list[Any] = [TO_BILL]
        if customer:
            domain.append(("partner_id", "ilike", customer))
        try:
            return self.search_read("service.rma", domain, BillableRma, limit=limit, order="partner_id, name")
        except ServerError as error:
            # "Invalid field service.rma.billing_state in condition ...": a service_rma
            # from before billing; "Object service.rma doesn't exist": none at all.
            message = error.message
            if "Invalid field" in message or ("service.rma" in message and "exist" in message):
                raise MissingAddon("the server's service_rma cannot bill at cost: update it") from None
            raise

    def still_to_bill(self, ids: Sequence[int]) -> list[int]:
        """Those of ``ids`` that are still to bill (nobody billed them meanwhile)."""
        return self.call("service.rma", "search", domain=[("id", "in", list(ids)), TO_BILL])

    def bill_at_cost(self, ids: Sequence[int], grouping: str | None = None) -> BillResult:
        """Bill the RMAs in one call (one transaction): one invoice per customer
        or per RMA (``grouping`` "partner" or "rma"; None: the company's setting)."""
        return BillResult.model_validate(
            self.call("service.rma", "bill_at_cost", list(ids), grouping=grouping))

    def billable_visits(self, customer: str | None = None, limit: int | None = None
                        ) -> list[BillableVisit] | None:
        """On-site visits after the warranty ready to bill at cost, by customer
        then visit (``customer`` as for :meth:`billable`); None when the
        server has no service_desk. Told by the model's presence, from the
        answer itself: reading ``ir.model`` or the modules takes an
        administrator, which finance is not."""
        domain: list[Any] = [TO_BILL]
        if customer:
            domain.append(("partner_id", "ilike", customer))
        try:
            return self.search_read("service.visit", domain, BillableVisit, limit=limit,
                                    order="partner_id, name")
        except ServerError as error:
            message = error.message
            if "Invalid field" in message:  # a service_desk from before visit billing
                raise MissingAddon(
                    "the server's service_desk cannot bill visits at cost: update it") from None
            # As for scan: /jsonrpc "Object service.visit doesn't exist", /json/2 "the model ... does not
            # exist".
            if "service.visit" in message and "exist" in message:
                return None
            if "AccessError" in error.name:
                # Visits this user may not read are none to them: the RMAs are still theirs to list.
                return []
            raise

    def visits_still_to_bill(self, ids: Sequence[int]) -> list[int]:
        return self.call("service.visit", "search", domain=[("id", "in", list(ids)), TO_BILL])

    def bill_visits_at_cost(self, ids: Sequence[int], grouping: str | None = None) -> VisitBillResult:
        """Bill the visits in one call, as :meth:`bill_at_cost` bills RMAs
        (``grouping`` "partner" or "visit"; None: the company's setting)."""
        return VisitBillResult.model_validate(
            self.call("service.visit", "bill_at_cost", list(ids), grouping=grouping))
