"""Stand-ins for the server, for the fast tier."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aftersales.gateway import Gateway


class Then:
    """Successive answers to successive calls; the last one repeats."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)

    def next(self) -> Any:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class FakeTransport:
    """Answers each (model, method) from a script: a value, an exception to
    raise, a function of the call's arguments, or ``Then(...)`` of those."""

    def __init__(self, answers: dict[tuple[str, str], Any] | None = None, version: str = "19.0") -> None:
        self.answers = dict(answers or {})
        self.calls: list[tuple[str, str, list[int] | None, dict[str, Any]]] = []
        self._version = version

    def version(self) -> str:
        return self._version

    def login(self) -> int:
        return 2

    def call(self, model: str, method: str, ids: list[int] | None = None, **kwargs: Any) -> Any:
        self.calls.append((model, method, ids, kwargs))
        answer = self.answers[(model, method)]
        if isinstance(answer, Then):
            answer = answer.next()
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Callable):  # type: ignore[arg-type]
            return answer(ids=ids, **kwargs)
        return answer


def make_gateway(transport: FakeTransport, retries: int = 3) -> Gateway:
    return Gateway(transport, retries=retries, sleep=lambda _seconds: None)


MODULES_OK = [{"id": 1, "name": "service_warranty", "state": "installed"},
              {"id": 2, "name": "service_rma", "state": "installed"}]


STATUS = {
    "lot_id": 7, "serial": "SN-1", "product": "[CMP] Compressor", "product_code": False,
    "service_url": "http://o/service/d/" + "a" * 32, "customer": False,
    "certificate": {"id": 3, "name": "WAR/1", "state": "active", "policy": "Std", "date_sale": "2026-01-10",
                    "date_delivery": "2026-01-10", "date_install": False, "date_start": "2026-01-10",
                    "date_end": "2027-01-09", "refund_until": False, "exchange_until": "2026-02-09",
                    "invoice_ref": False},
    "verdict": {"covered": True, "remedy": "repair", "reason": "in_warranty", "reason_text": "Under warranty",
                "warranty_id": 3, "date_end": "2027-01-09", "exclusions": []},
    "repairs": [{"name": "RO/1", "date": "2026-03-01", "state": "done", "under_warranty": True,
                 "technician": False}],
}
