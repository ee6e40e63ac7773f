"""End-to-end tier: one fresh database per session with service_warranty,
one Odoo server on a free port, the real ``aftersales`` command run as a
subprocess against it. Skipped as a whole when Odoo is not found."""

from __future__ import annotations

import os
import subprocess
import sys
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
        server.create_database()
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
def catalogue(odoo) -> Catalogue:
    # Plain odoorpc: ``create`` takes its values positionally over /jsonrpc,
    # which the gateway's keyword-only calls (made for /json/2) do not do.
    rpc = odoorpc.ODOO("127.0.0.1", port=odoo.port)
    rpc.login(odoo.database, "admin", "admin")
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


@pytest.fixture
def cli(odoo, tmp_path):
    """Run the installed ``aftersales`` command; no user config can leak in."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: str = "", timeout: float = 300) -> Result:
        environment = {
            "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
            **(odoo.env() if env is None else env),
        }
        done = subprocess.run([str(AFTERSALES), *args], env=environment, input=stdin, capture_output=True,
                              text=True, timeout=timeout, cwd=tmp_path, check=False)
        return Result(done.returncode, done.stdout, done.stderr)

    return run
