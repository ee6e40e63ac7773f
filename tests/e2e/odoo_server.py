"""A real Odoo 19 with the add-ons, on a fresh database and a free local port,
for the end-to-end tests and the benchmarks. Odoo is found as ``tools/test``
finds it (``tools/devkit.py``): ``ODOO_BIN``, else ``odoo``/``odoo-bin`` on
PATH; Odoo's own add-on directories from ``ODOO_ADDONS_PATH``."""

from __future__ import annotations

import os
import shlex
import shutil
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
import devkit  # noqa: E402

INSTALL_TIMEOUT = 900
START_TIMEOUT = 120


def find_odoo() -> tuple[tuple[list[str], list[Path]] | None, str]:
    """((command, Odoo's add-on dirs), "") or (None, why not). ``tools/test``
    passes ODOO_BIN as a whole command line ("python odoo-bin"); a person
    sets it to a path, which devkit resolves."""
    explicit = os.environ.get("ODOO_BIN", "")
    if " " in explicit.strip():
        command = shlex.split(explicit)
        if not Path(command[-1]).exists():
            return None, f"ODOO_BIN={explicit} does not exist"
        dirs = [Path(d) for d in os.environ.get("ODOO_ADDONS_PATH", "").split(",") if d]
        return (command, dirs), ""
    found, reason = devkit.find_odoo()
    return found, reason or ""


@dataclass
class OdooServer:
    command: list[str]
    addons_dirs: list[Path]
    database: str
    log_path: Path
    port: int = field(default_factory=devkit.free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _args(self) -> list[str]:
        return [*self.command, *devkit.odoo_args(self.database, self.addons_dirs, self.port)]

    def create_database(self, modules: str = "service_warranty") -> None:
        devkit.drop_database(self.database)
        with self.log_path.open("a") as log:
            result = subprocess.run(
                [*self._args(), "-i", modules, "--stop-after-init", "--log-level=warn"],
                stdout=log, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT, check=False,
            )
        if result.returncode:
            raise RuntimeError(f"installing {modules} failed (exit {result.returncode}); see {self.log_path}")

    def shell(self, script: str) -> str:
        """Run Python in ``odoo shell`` on the database; its standard output."""
        args = [*self.command, "shell", *devkit.odoo_args(self.database, self.addons_dirs, self.port),
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
        devkit.drop_database(self.database)
        # dropdb leaves Odoo's attachments behind; they would pile up run after run.
        shutil.rmtree(devkit.BUILD / "odoo-data" / "filestore" / self.database, ignore_errors=True)

    def env(self, **overrides: str) -> dict[str, str]:
        """Environment for the ``aftersales`` command as admin on this server."""
        return {"AFTERSALES_URL": self.url, "AFTERSALES_DB": self.database,
                "AFTERSALES_LOGIN": "admin", "AFTERSALES_PASSWORD": "admin", **overrides}


def unique_name(prefix: str) -> str:
    return devkit.unique_database(prefix)


@contextmanager
def bench_server(url: str | None, database: str | None) -> Iterator[tuple[str, str]]:
    """(url, database) of the server a benchmark runs against: the one given
    (admin/admin), or a fresh one made for the run and dropped after it."""
    if url and database:
        yield url.rstrip("/"), database
        return
    found, reason = find_odoo()
    if found is None:
        sys.exit(f"Odoo 19 not found: {reason}; or pass --url and --db of a running server")
    command, addons_dirs = found
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
