"""End-to-end tier: one fresh database per session with service_warranty and
service_rma, one Odoo server on a free port, the real ``aftersales`` command
run as a subprocess against it. Skipped as a whole when Odoo is not found."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import odoorpc
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from odoo_server import OdooServer, find_odoo, unique_name

from aftersales.config import Profile
from aftersales.gateway import Gateway
from aftersales.transport import OdooRpcTransport

AFTERSALES = Path(sys.executable).parent / "aftersales"

ODOO, WHY_NOT = find_odoo()
ADDONS = "service_warranty,service_rma"


def pytest_collection_modifyitems(config, items):
    if ODOO is None:
        reason = f"Odoo 19 not found ({WHY_NOT}): set ODOO_BIN or put `odoo` on PATH"
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def odoo(tmp_path_factory) -> Iterator[OdooServer]:
    assert ODOO is not None
    command, addons_dirs = ODOO
    server = OdooServer(command, addons_dirs, unique_name("aftersales_e2e"),
                        tmp_path_factory.mktemp("odoo") / "odoo.log")
    try:
        server.create_database(ADDONS)
        server.start()
        yield server
    finally:
        server.stop()
        server.drop_database()


@pytest.fixture(scope="session")
def admin(odoo) -> Gateway:
    """Admin's own gateway, to build data and to check the server's state."""
    profile = Profile(url=odoo.url, database=odoo.database, login="admin", password="admin")
    return Gateway(OdooRpcTransport(profile))


@pytest.fixture(scope="session")
def api_key(odoo) -> str:
    """An API key of admin, for the /json/2 transport. Made in ``odoo shell``:
    over RPC the key wizard asks for an interactive identity check."""
    out = odoo.shell(
        "from datetime import timedelta\n"
        "from odoo import fields\n"
        "keys = env['res.users.apikeys'].with_user(env.ref('base.user_admin'))\n"
        "print('APIKEY', keys._generate(None, 'e2e', fields.Datetime.now() + timedelta(days=1)))\n"
        "env.cr.commit()\n"
    )
    return next(line.split()[1] for line in out.splitlines() if line.startswith("APIKEY "))


@dataclass
class Catalogue:
    policy_id: int
    product_code: str
    barcode: str
    untracked_code: str


@pytest.fixture(scope="session")
def rpc(odoo) -> odoorpc.ODOO:
    """Plain odoorpc as admin: ``create`` takes its values positionally over
    /jsonrpc, which the gateway's keyword-only calls (made for /json/2) do not do."""
    client = odoorpc.ODOO("127.0.0.1", port=odoo.port)
    client.login(odoo.database, "admin", "admin")
    return client


@pytest.fixture(scope="session")
def catalogue(rpc) -> Catalogue:
    policy_id = rpc.execute_kw("service.warranty.policy", "create",
                               [{"name": "E2E 24 months", "warranty_months": 24}])
    rpc.execute_kw("product.template", "create", [[
        {"name": "Compressor XL", "default_code": "E2E-CMP", "barcode": "4006381333931",
         "tracking": "serial", "is_storable": True, "warranty_policy_id": policy_id},
        {"name": "Cable", "default_code": "E2E-CABLE", "is_storable": True},
    ]])
    rpc.execute_kw("res.partner", "create", [[
        {"name": "Acme Ltd", "ref": "E2E-C1", "email": "buyer@acme.example"},
        {"name": "Globex", "ref": "E2E-C2"},
    ]])
    return Catalogue(policy_id, "E2E-CMP", "4006381333931", "E2E-CABLE")


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli_environment(odoo, tmp_path: Path, env: dict[str, str] | None) -> dict[str, str]:
    """No user config can leak in: HOME and the XDG directories are the test's own."""
    return {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
        **(odoo.env() if env is None else env),
    }


@pytest.fixture
def cli(odoo, tmp_path):
    """Run the installed ``aftersales`` command to its end."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: str = "", timeout: float = 300) -> Result:
        done = subprocess.run([str(AFTERSALES), *args], env=cli_environment(odoo, tmp_path, env), input=stdin,
                              capture_output=True, text=True, timeout=timeout, cwd=tmp_path, check=False)
        return Result(done.returncode, done.stdout, done.stderr)

    return run


class Station:
    """A running ``aftersales scan --json``: codes written to its standard
    input one at a time, its events read back one line at a time, every wait
    bounded so that a test cannot hang on it."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(args, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, bufsize=1)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def send(self, code: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(code + "\n")
        self.process.stdin.flush()

    def event(self, timeout: float = 60) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the scan station printed nothing within {timeout} s") from None
        if line is None:
            raise AssertionError(f"the scan station exited: {self.finish(timeout=5)}")
        return json.loads(line)

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        """Close its input (end of the codes) and wait: (exit code, rest of stdout, stderr)."""
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        rest = []
        while not self._lines.empty():
            line = self._lines.get_nowait()
            if line is not None:
                rest.append(line)
        assert self.process.stderr is not None
        return code, "".join(rest), self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def station(odoo, tmp_path):
    """Start ``aftersales <args>`` as a long-running scan station; killed at teardown."""
    started: list[Station] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Station:
        started.append(Station([str(AFTERSALES), *args], cli_environment(odoo, tmp_path, env), tmp_path))
        return started[-1]

    yield start
    for running in started:
        running.kill()
