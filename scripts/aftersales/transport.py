"""How RPC calls reach Odoo. Commands never see a transport: they use the
gateway, which takes any object with this interface. Two exist:

- ``OdooRpcTransport``: odoorpc over ``/jsonrpc`` (password or API key);
  deprecated in Odoo 19, gone in Odoo 20.
- ``Json2Transport``: ``/json/2/<model>/<method>`` with an API key, the only
  external API Odoo 20 keeps.

Calls are keyword-only (``ids`` plus named arguments) because ``/json/2``
accepts nothing else; ``/jsonrpc`` takes the same form through execute_kw.
Each transport turns its own failures into the exceptions of
``aftersales.errors`` so that the gateway can decide what to retry.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import odoorpc

from aftersales.config import Profile
from aftersales.errors import (
    BadCredentials,
    ServerError,
    TransientError,
    Unreachable,
    WrongDatabase,
)

# Server-side exception names that mean "another transaction won, try again":
# Odoo retries these itself a few times before giving up and answering so.
TRANSIENT_FAULTS = ("SerializationFailure", "DeadlockDetected", "LockNotAvailable", "ConcurrencyError")
TRANSIENT_HTTP = (502, 503, 504)

T = TypeVar("T")


class Transport(Protocol):
    def version(self) -> str:
        """The server's version string, e.g. "19.0" (no login needed)."""

    def login(self) -> int:
        """Check the credentials; the user id."""

    def call(self, model: str, method: str, ids: list[int] | None = None, **kwargs: Any) -> Any:
        """``model.method(**kwargs)`` on the records ``ids`` (none: a model method)."""


def map_fault(name: str, message: str, database: str) -> Exception:
    """The exception for an error the server answered with."""
    if any(fault in name for fault in TRANSIENT_FAULTS):
        return TransientError(f"{name}: {message}")
    if "AccessDenied" in name:
        return BadCredentials("the server refused the login and password or API key")
    if "OperationalError" in name and "does not exist" in message and "database" in message:
        return WrongDatabase(f"the server has no database {database!r}")
    return ServerError(name, message.strip())


def map_os_error(error: BaseException, url: str, timeout: float) -> Exception:
    """The exception for a failure to talk to the server at all."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
        return TransientError(f"connection to {url} was cut: {reason}")
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return Unreachable(f"{url} did not answer within {timeout:g} s")
    if isinstance(reason, socket.gaierror):
        return Unreachable(f"cannot resolve the host of {url}: {reason.strerror}")
    if isinstance(reason, ConnectionRefusedError):
        return Unreachable(f"nothing listens at {url} (connection refused): is the server running?")
    return Unreachable(f"cannot reach {url}: {reason}")


def map_http_error(error: urllib.error.HTTPError, url: str) -> Exception:
    if error.code in TRANSIENT_HTTP:
        return TransientError(f"{url} answered HTTP {error.code} (gateway or server busy)")
    if error.code == 404:
        return Unreachable(f"{url} answered 404: is this the URL of an Odoo 19 server?")
    return Unreachable(f"{url} answered HTTP {error.code} {error.reason}")


class OdooRpcTransport:
    """odoorpc over ``/jsonrpc``. The connection is made on first use, so a
    scan station can start while the server is down."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        parts = urlsplit(profile.url)
        self._host = parts.hostname or ""
        self._protocol = "jsonrpc+ssl" if parts.scheme == "https" else "jsonrpc"
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._odoo: odoorpc.ODOO | None = None

    def _guard(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except odoorpc.error.RPCError as error:
            info = error.info if isinstance(error.info, dict) else {}
            data = info.get("data") or {}
            if not data and "Wrong login" in str(error):
                raise BadCredentials(
                    f"the server refused login {self.profile.login!r} with this password or API key"
                ) from None
            raise map_fault(data.get("name", ""), data.get("message", str(error)),
                            self.profile.database) from None
        except urllib.error.HTTPError as error:
            raise map_http_error(error, self.profile.url) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise map_os_error(error, self.profile.url, self.profile.timeout) from None

    def _open(self) -> odoorpc.ODOO:
        # odoorpc asks the server's version as it opens: this is the first request.
        return self._guard(lambda: odoorpc.ODOO(self._host, protocol=self._protocol, port=self._port,
                                                timeout=self.profile.timeout))

    def _connected(self) -> odoorpc.ODOO:
        if self._odoo is None:
            odoo = self._open()
            self._guard(lambda: odoo.login(self.profile.database, self.profile.login, self.profile.secret))
            self._odoo = odoo
        return self._odoo

    def version(self) -> str:
        return str((self._odoo or self._open()).version)

    def login(self) -> int:
        return int(self._connected().env.uid)

    def call(self, model: str, method: str, ids: list[int] | None = None, **kwargs: Any) -> Any:
        odoo = self._connected()
        args = [ids] if ids is not None else []
        return self._guard(lambda: odoo.execute_kw(model, method, args, kwargs))


class Json2Transport:
    """``POST /json/2/<model>/<method>`` with a bearer API key (Odoo 19+)."""

    def __init__(self, profile: Profile, opener: Any = urllib.request.urlopen) -> None:
        self.profile = profile
        self._open = opener

    def _request(self, path: str, body: dict[str, Any] | None) -> Any:
        url = f"{self.profile.url}{path}"
        headers = {"X-Odoo-Database": self.profile.database, "User-Agent": "aftersales"}
        data = None
        if body is not None:
            headers |= {"Content-Type": "application/json",
                        "Authorization": f"bearer {self.profile.secret}"}
            data = json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
        try:
            with self._open(request, timeout=self.profile.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise self._map_error(error) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise map_os_error(error, self.profile.url, self.profile.timeout) from None

    def _map_error(self, error: urllib.error.HTTPError) -> Exception:
        raw = error.read() or b"{}"
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        if error.code == 401:
            return BadCredentials(f"the server refused the API key of {self.profile.login!r}")
        if error.code == 404 and b"No database is selected" in raw:
            # Odoo answers this page when X-Odoo-Database names no database it serves.
            return WrongDatabase(f"the server has no database {self.profile.database!r}")
        if not isinstance(body, dict) or "name" not in body:
            return map_http_error(error, self.profile.url)
        return map_fault(body["name"], body.get("message", ""), self.profile.database)

    def version(self) -> str:
        return str(self._request("/web/version", None)["version"])

    def login(self) -> int:
        context = self.call("res.users", "context_get")
        return int(context.get("uid") or 0) if isinstance(context, dict) else 0

    def call(self, model: str, method: str, ids: list[int] | None = None, **kwargs: Any) -> Any:
        body = {**kwargs, **({"ids": ids} if ids is not None else {})}
        return self._request(f"/json/2/{model}/{method}", body)


def make_transport(profile: Profile) -> Transport:
    return Json2Transport(profile) if profile.transport == "json2" else OdooRpcTransport(profile)
