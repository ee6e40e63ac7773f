"""A real Odoo 19 with the add-ons, on a fresh database and a free local port,
for the end-to-end tests and the benchmarks. Odoo is found as ``tools/test``
finds it (``tools/devlib.py``): ``ODOO_BIN`` (a path, or the whole command
line ``tools/test`` passes), else ``odoo``/``odoo-bin`` on PATH; Odoo's own
add-on directories beside it and from ``ODOO_ADDONS_PATH``."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import devlib  # noqa: E402

devkit = devlib  # the name test_e2e_cli.py imports it by (free_port)

INSTALL_TIMEOUT = 900
START_TIMEOUT = 120


def find_odoo() -> tuple[devlib.Odoo | None, str]:
    """((command, Odoo's add-on dirs), "") or (None, why not): the e2e tier
    skips rather than fails when Odoo is not there."""
    try:
        return devlib.find_odoo(), ""
    except devlib.OdooNotFound as error:
        return None, str(error)


@dataclass
class OdooServer:
    command: list[str]
    addons_dirs: list[Path]
    database: str
    log_path: Path
    port: int = field(default_factory=devlib.free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _args(self) -> list[str]:
        return [*self.command, *devlib.odoo_args(self.database, self.addons_dirs, self.port)]

    def create_database(self, modules: str = "service_warranty") -> None:
        devlib.fresh_database(devlib.Odoo(self.command, self.addons_dirs), self.database, modules,
                              self.port, self.log_path, INSTALL_TIMEOUT)

    def shell(self, script: str) -> str:
        """Run Python in ``odoo shell`` on the database; its standard output."""
        args = [*self.command, "shell", *devlib.odoo_args(self.database, self.addons_dirs, self.port),
                "--no-http", "--log-level=warn"]
        done = subprocess.run(args, input=script, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode:
            raise RuntimeError(f"odoo shell failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout

    def start(self) -> None:
        log = self.log_path.open("a")
        # /jsonrpc logs a deprecation warning per call: mute it, as Odoo's notice says.
        self.process = subprocess.Popen(
            [*self._args(), "--log-level=warn", "--log-handler=odoo.addons.rpc.controllers.jsonrpc:ERROR"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/web/version", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Odoo did not answer within {START_TIMEOUT} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def drop_database(self) -> None:
        devlib.drop_database(self.database)

    def env(self, **overrides: str) -> dict[str, str]:
        """Environment for the ``aftersales`` command as admin on this server."""
        return {"AFTERSALES_URL": self.url, "AFTERSALES_DB": self.database,
                "AFTERSALES_LOGIN": "admin", "AFTERSALES_PASSWORD": "admin", **overrides}


def unique_name(prefix: str) -> str:
    return devlib.unique_database(prefix)


@contextmanager
def bench_server(url: str | None, database: str | None) -> Iterator[tuple[str, str]]:
    """(url, database) of the server a benchmark runs against: the one given
    (admin/admin), or a fresh one made for the run and dropped after it."""
    if url and database:
        yield url.rstrip("/"), database
        return
    try:
        command, addons_dirs = devlib.find_odoo()
    except devlib.OdooNotFound as error:
        sys.exit(f"Odoo 19 not found: {error}; or pass --url and --db of a running server")
    log = Path(tempfile.mkdtemp(prefix="aftersales-bench-")) / "odoo.log"
    server = OdooServer(command, addons_dirs, unique_name("aftersales_bench"), log)
    print(f"creating database {server.database} with service_warranty (a few minutes; log {log})...",
          flush=True)
    try:
        server.create_database()
        server.start()
        yield server.url, server.database
    finally:
        server.stop()
        server.drop_database()
