"""What the developer commands, the end-to-end tests and the benchmarks share.

Standard library only: ``tools/devkit.py`` imports it before the project's
own environment exists. It never installs Odoo; it finds the one the user
brought:

- ``ODOO_BIN`` (path to ``odoo``/``odoo-bin``, or a whole command line such as
  ``python3 /src/odoo-bin``), else ``odoo`` or ``odoo-bin`` on PATH;
- Odoo's own add-ons next to the ``odoo`` package of that install (a source
  checkout's ``addons/``), plus any directories in ``ODOO_ADDONS_PATH``;
- PostgreSQL from the standard ``PG*`` variables (default 127.0.0.1:5432).

It never exits the process: what cannot be done raises a ``DevError``
(``OdooNotFound``, ``PostgresRoleRefused``, ``InstallFailed``,
``DatabaseCopyFailed``) whose message says what went wrong and what to do;
each command decides whether that ends it or fails one tier.
"""

from __future__ import annotations

import itertools
import json
import os
import shlex
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
ADDONS = ROOT / "addons"
DATA_DIR = BUILD / "odoo-data"
OUR_MODULES = ("service_warranty", "service_rma", "service_desk", "service_maintenance")
DEBIAN_PACKAGES = {"wkhtmltopdf": "wkhtmltopdf", "chromium": "chromium", "fonts-noto-cjk": "fonts-noto-cjk"}
# Fonts are not commands: fontconfig says whether one is there. The warranty
# card names Noto Sans CJK first; without any Chinese font, wkhtmltopdf drops
# Chinese text from the PDF without a word.
DEBIAN_FONTS = {"fonts-noto-cjk": ":lang=zh"}
# Set by the bench tier: {"module,list": "database"} of databases already
# holding those modules, which fresh_database() copies instead of installing.
TEMPLATES_ENV = "AFTERSALES_DB_TEMPLATES"


class DevError(RuntimeError):
    """Something a developer command cannot do; the message says why."""


class OdooNotFound(DevError):
    """No Odoo 19 command where we look for one."""


class PostgresRoleRefused(DevError):
    """PGUSER is a role Odoo refuses to connect as."""


class InstallFailed(DevError):
    """Odoo could not install the modules; ``output`` is the end of its log."""

    def __init__(self, modules: str, returncode: int, output: str = "", log_path: Path | None = None):
        self.modules, self.returncode, self.output, self.log_path = modules, returncode, output, log_path
        where = f"; see {log_path}" if log_path else f":\n{output}"
        super().__init__(f"installing {modules} failed (exit {returncode}){where}")


class DatabaseCopyFailed(DevError):
    """PostgreSQL could not copy a template database."""


class VacuumFailed(DevError):
    """PostgreSQL could not vacuum a benchmark's tables."""


class ShellFailed(DevError):
    """A script run in ``odoo shell`` failed or did not print what it should."""


def shell_benchmark(odoo: Odoo, args: list[str], script: Path, lines: int, **environ: str) -> list[dict]:
    """Run ``script`` in ``odoo shell`` on the database of ``args`` (with
    ``environ`` added to its environment) and return the JSON values of the
    ``lines`` lines it prints as ``BENCH {...}``: how the benchmarks time what
    runs inside Odoo."""
    shell = subprocess.run(
        [*odoo.command, "shell", *args, "--log-level=warn", "--no-http"],
        input=script.read_text(), capture_output=True, text=True, check=False,
        env=dict(os.environ, **environ),
    )
    found = [json.loads(line[6:]) for line in shell.stdout.splitlines() if line.startswith("BENCH ")]
    if shell.returncode or len(found) != lines:
        raise ShellFailed(f"{script.name} failed (exit {shell.returncode}):\n"
                          f"{shell.stdout[-3000:]}{shell.stderr[-3000:]}")
    return found


class Odoo(NamedTuple):
    """An Odoo 19 to run: its command line and its own add-on directories."""

    command: list[str]
    addons_dirs: list[Path]


def say(message: str = "") -> None:
    print(message, flush=True)


# -- Odoo --------------------------------------------------------------------


def find_odoo() -> Odoo:
    """The Odoo 19 the user brought, or OdooNotFound saying where we looked."""
    explicit = os.environ.get("ODOO_BIN", "").strip()
    if explicit and not Path(explicit).exists() and " " in explicit:
        # A whole command line, as tools/test hands it to the e2e tier:
        # the add-on directories then come from ODOO_ADDONS_PATH alone.
        command = shlex.split(explicit)
        if not Path(command[-1]).exists():
            raise OdooNotFound(f"ODOO_BIN={explicit} does not exist")
        return Odoo(command, _extra_addons_dirs())
    candidates = [explicit] if explicit else [shutil.which("odoo"), shutil.which("odoo-bin")]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if not path.exists():
            continue
        python = _launcher_python(path)
        command = [python, str(path)] if python else [str(path)]
        return Odoo(command, _odoo_addons_dirs(path, python))
    if explicit:
        raise OdooNotFound(f"ODOO_BIN={explicit} does not exist")
    raise OdooNotFound("no `odoo` or `odoo-bin` command on PATH and ODOO_BIN is not set")


def _launcher_python(path: Path) -> str | None:
    try:
        with path.open("rb") as launcher:
            first = launcher.readline().decode(errors="replace")
    except OSError:
        return None
    if first.startswith("#!"):
        interpreter = first[2:].strip().split()
        if interpreter and interpreter[0].endswith("env") and len(interpreter) > 1:
            return shutil.which(interpreter[1])
        if interpreter and "python" in interpreter[0]:
            return interpreter[0]
    return None


def _odoo_addons_dirs(path: Path, python: str | None) -> list[Path]:
    dirs: list[Path] = []
    roots = [path.resolve().parent]
    if python:
        probe = subprocess.run(
            [python, "-c", "import odoo, os; print(os.path.dirname(list(odoo.__path__)[0]))"],
            capture_output=True, text=True, check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip():
            roots.insert(0, Path(probe.stdout.strip()))
    for root in roots:
        candidate = root / "addons"
        if (candidate / "web" / "__manifest__.py").exists() and candidate not in dirs:
            dirs.append(candidate)
    for extra in _extra_addons_dirs():
        if extra not in dirs:
            dirs.append(extra)
    return dirs


def _extra_addons_dirs() -> list[Path]:
    return [Path(d) for d in os.environ.get("ODOO_ADDONS_PATH", "").split(",") if d]


def our_modules() -> list[str]:
    return [name for name in OUR_MODULES if (ADDONS / name / "__manifest__.py").exists()]


def odoo_args(database: str, addons_dirs: list[Path], port: int) -> list[str]:
    """Odoo's options for a local run on ``database``: our add-ons after
    ``addons_dirs`` on the add-ons path, HTTP on 127.0.0.1:``port``, no
    workers nor crons, files under build/odoo-data."""
    host, pg_port, user, password = pg_settings()
    args = [
        "-d", database,
        f"--db_host={host}", f"--db_port={pg_port}",
        f"--addons-path={','.join(str(d) for d in [*addons_dirs, ADDONS])}",
        f"--http-port={port}", "--http-interface=127.0.0.1",
        "--data-dir", str(DATA_DIR),
        "--workers=0", "--max-cron-threads=0",
    ]
    if user:
        args.append(f"--db_user={user}")
    if password:
        args.append(f"--db_password={password}")
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install_modules(command: list[str], args: list[str], modules: str,
                    log_path: Path | None = None, timeout: float | None = None,
                    options: tuple[str, ...] = ()) -> None:
    """Install ``modules`` (comma-separated) with ``odoo_args`` and more
    ``options`` (``--with-demo``), and stop. Odoo's output is appended to
    ``log_path`` when given; InstallFailed carries its end either way."""
    install = [*command, *args, "-i", modules, *options, "--stop-after-init", "--log-level=warn"]
    if log_path is None:
        done = subprocess.run(install, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode:
            raise InstallFailed(modules, done.returncode, done.stdout[-2000:] + done.stderr[-2000:])
        return
    with log_path.open("a") as log:
        done = subprocess.run(install, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=False)
    if done.returncode:
        tail = log_path.read_text(errors="replace")[-2000:]
        raise InstallFailed(modules, done.returncode, tail, log_path)


def fresh_database(odoo: Odoo, database: str, modules: str, port: int | None = None,
                   log_path: Path | None = None, timeout: float | None = None) -> list[str]:
    """A database of that name holding ``modules`` and nothing else from
    before (an existing one is dropped); its ``odoo_args``. Copied from the
    template the bench tier prepared for those modules, if any, else installed."""
    args = odoo_args(database, odoo.addons_dirs, port or free_port())
    drop_database(database)
    template = _templates().get(_modules_key(modules))
    if template and database_exists(template):
        copy_database(template, database)
    else:
        install_modules(odoo.command, args, modules, log_path, timeout)
    return args


def _modules_key(modules: str) -> str:
    return ",".join(sorted(m.strip() for m in modules.split(",") if m.strip()))


def _templates() -> dict[str, str]:
    try:
        templates = json.loads(os.environ.get(TEMPLATES_ENV) or "{}")
    except ValueError:
        return {}
    return {_modules_key(modules): name for modules, name in templates.items()}


def templates_env(templates: dict[str, str]) -> dict[str, str]:
    """The environment entry that makes fresh_database() copy these
    ``{modules: database}`` templates."""
    return {TEMPLATES_ENV: json.dumps(templates)}


# -- PostgreSQL --------------------------------------------------------------


def pg_settings() -> tuple[str, str, str | None, str | None]:
    """(host, port, user or None, password or None) from the PG* variables."""
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER") or os.environ.get("USER") or ""
    if user == "postgres":
        raise PostgresRoleRefused(
            "Odoo refuses to connect as the 'postgres' role. Set PGUSER to another role "
            "that may create databases (e.g. `createuser -s odoo` and PGUSER=odoo)."
        )
    return host, port, os.environ.get("PGUSER"), os.environ.get("PGPASSWORD")


def pg_env() -> dict[str, str]:
    host, port, _user, _password = pg_settings()
    return dict(os.environ, PGHOST=host, PGPORT=port)


_sequence = itertools.count()


def unique_database(prefix: str) -> str:
    """A database name no other run on this machine uses, nor this one twice."""
    return f"{prefix}_{int(time.time())}_{os.getpid()}_{next(_sequence)}"


def database_exists(name: str) -> bool:
    listed = subprocess.run(
        ["psql", "-At", "-d", "template1", "-c", "SELECT datname FROM pg_database"],
        env=pg_env(), capture_output=True, text=True, check=False,
    )
    return name in listed.stdout.split()


def drop_database(name: str) -> None:
    """Drop it if it exists, and its files in build/odoo-data (dropdb leaves
    Odoo's attachments behind; they would pile up run after run)."""
    subprocess.run(
        ["dropdb", "--if-exists", "--force", name],
        env=pg_env(), check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    shutil.rmtree(DATA_DIR / "filestore" / name, ignore_errors=True)


def vacuum_analyze(database: str, tables: tuple[str, ...]) -> None:
    """VACUUM ANALYZE ``tables`` of ``database`` (outside any transaction),
    as autovacuum would in time: their visibility maps set, their statistics
    fresh."""
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database,
         "-c", f"VACUUM (ANALYZE) {', '.join(tables)}"],
        env=pg_env(), capture_output=True, text=True, check=False,
    )
    if done.returncode:
        raise VacuumFailed(f"could not vacuum {', '.join(tables)} in {database}: {done.stderr.strip()}")


def copy_database(source: str, target: str) -> None:
    """``target`` as a copy of ``source`` (nobody may be connected to it),
    its filestore included, as Odoo's own duplicate does."""
    done = subprocess.run(["createdb", "-T", source, target], env=pg_env(),
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise DatabaseCopyFailed(f"could not copy database {source} to {target}: {done.stderr.strip()}")
    files = DATA_DIR / "filestore" / source
    if files.is_dir():
        shutil.copytree(files, DATA_DIR / "filestore" / target, dirs_exist_ok=True)


# -- Debian packages ---------------------------------------------------------


def _is_installed(name):
    """A command on PATH, or for a font package a font fontconfig lists."""
    if name not in DEBIAN_FONTS:
        return bool(shutil.which(name))
    if not shutil.which("fc-list"):
        return False
    listed = subprocess.run(
        ["fc-list", DEBIAN_FONTS[name]], capture_output=True, text=True, check=False
    )
    return bool(listed.stdout.strip())


def ensure_debian_packages(names):
    """Install what the Odoo tier needs (wkhtmltopdf for PDF reports, Chromium
    for UI tours, a Chinese font for the cards) from Debian's packages when
    missing and we may."""
    missing = [name for name in names if not _is_installed(name)]
    if not missing:
        return []
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return missing
    say(f"Installing {', '.join(missing)} from Debian's packages...")
    packages = [DEBIAN_PACKAGES[m] for m in missing]
    if any(m in DEBIAN_FONTS for m in missing) and not shutil.which("fc-list"):
        packages.append("fontconfig")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=env, check=False)
    return [name for name in names if not _is_installed(name)]
