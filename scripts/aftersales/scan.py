"""The repair shop's scan station.

Every code read is first appended to a journal (JSON lines, fsync'd), then
sent; it is marked done once the server has answered, whatever the answer.
While the server is unreachable codes simply stay in the journal, and are
sent in the order they were scanned when it answers again, on this run or the
next. A code whose answer was lost (Ctrl-C or a cut connection mid-call) is
sent again: harmless, because the server's scan returns the unit's open RMA
instead of opening a second one.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, TextIO

from aftersales.errors import (
    EXIT_OK,
    EXIT_PARTIAL,
    AftersalesError,
    ServerError,
    TransientError,
    Unreachable,
)
from aftersales.gateway import Gateway
from aftersales.models import CODE_MAX, ScanResult
from aftersales.output import Style, echo, fail


def default_journal_path(env: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "aftersales" / "scan-journal.jsonl"


@contextmanager
def _no_interrupt() -> Iterator[None]:
    """Hold Ctrl-C until a journal line is fully on disk: a half-written line
    would be a scan both lost and corrupt."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


@dataclass(frozen=True)
class Entry:
    seq: int
    code: str
    at: str


class JournalBusy(AftersalesError):
    pass


class JournalProblem(AftersalesError):
    """The journal cannot be opened (a directory, a parent that is a file, no
    rights): nothing was scanned."""


class Journal:
    """Append-only: ``{"seq", "code", "at"}`` when a code is read and
    ``{"done": seq}`` when the server answered it. Emptied when nothing waits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] = path.open("a+", encoding="utf-8")
        except OSError as error:
            raise JournalProblem(f"cannot use the scan journal {path}: {error.strerror}") from None
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            raise JournalBusy(f"another scan station is using {path}") from None
        self._pending: dict[int, Entry] = {}
        self._next = 1
        self._load()

    def _load(self) -> None:
        self._file.seek(0)
        for line in self._file.read().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a torn last line from a crash: it was never acknowledged
            if "done" in record:
                self._pending.pop(record["done"], None)
            else:
                self._pending[record["seq"]] = Entry(record["seq"], record["code"], record["at"])
                self._next = max(self._next, record["seq"] + 1)

    def _write(self, record: dict[str, Any]) -> None:
        with _no_interrupt():
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def pending(self) -> list[Entry]:
        return sorted(self._pending.values(), key=lambda entry: entry.seq)

    def append(self, code: str) -> Entry:
        entry = Entry(self._next, code, datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self._write({"seq": entry.seq, "code": entry.code, "at": entry.at})
        self._pending[entry.seq] = entry
        self._next += 1
        return entry

    def done(self, entry: Entry) -> None:
        self._write({"done": entry.seq})
        del self._pending[entry.seq]
        if not self._pending:
            with _no_interrupt():
                self._file.truncate(0)
                os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


class Station:
    """Feeds codes through the journal to the server and reports each answer."""

    def __init__(
        self, gateway: Gateway, journal: Journal, emit: Callable[[dict[str, Any]], None],
        *, retry_every: float = 10.0, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gateway = gateway
        self.journal = journal
        self.emit = emit
        self.retry_every = retry_every
        self.clock = clock
        self.offline_since: float | None = None
        self.failed = 0

    def submit(self, code: str) -> None:
        if len(code) > CODE_MAX:
            # No label holds that much: a scanner stuck on repeat, a paste gone
            # wrong. Failed here, and neither journaled nor sent.
            self.failed += 1
            self.emit({"code": echo(code), "ok": False, "replayed": False,
                       "error": f"longer than {CODE_MAX} characters: not a label, token or serial"})
            return
        entry = self.journal.append(code)
        due = self.offline_since is None or self.clock() - self.offline_since >= self.retry_every
        if not due or not self.drain(current=entry):
            self.emit({"code": code, "queued": True, "waiting": len(self.journal.pending())})

    def drain(self, current: Entry | None = None) -> bool:
        """Send what waits, oldest first; False when the server is (still) unreachable."""
        for entry in self.journal.pending():
            try:
                result: ScanResult | None = self.gateway.scan(entry.code)
                error = None
            except (Unreachable, TransientError):
                self.offline_since = self.clock()
                return False
            except ServerError as refused:
                if not refused.is_user_error:
                    raise
                result, error = None, refused.message
            self.journal.done(entry)
            replayed = entry != current
            if result is not None:
                self.emit({"code": entry.code, "ok": True, "replayed": replayed,
                           "rma": result.model_dump(mode="json")})
            else:
                self.failed += 1
                self.emit({"code": entry.code, "ok": False, "replayed": replayed, "error": error})
        self.offline_since = None
        return True


def text_line(event: dict[str, Any], style: Style) -> str:
    code = echo(event["code"])
    if event.get("queued"):
        return style(f"QUEUED  {code}  server unreachable; {event['waiting']} scan(s) waiting", "yellow")
    prefix = "(replayed) " if event.get("replayed") else ""
    if not event["ok"]:
        # The server's message may repeat the code: repeated clipped, too.
        error = str(event["error"]).replace(event["code"], code)
        return style(f"FAILED  {prefix}{code}  {error}", "red")
    rma = event["rma"]
    verdict = rma["verdict"]
    colour = "green" if verdict["covered"] else ("red" if verdict["remedy"] == "rejected" else "yellow")
    opened = "new " if rma.get("created") else ""
    serial = echo(rma.get("serial") or code)
    overridden = ""
    if verdict.get("overridden"):
        overridden = f"  overridden (policy: {verdict.get('policy_remedy') or '-'})"
    reason = verdict.get("reason_text") or verdict.get("reason") or ""
    return (f"{style(verdict['remedy'], colour)}  {prefix}{serial}  {opened}{rma['name']} "
            f"({rma['state']})  {reason}{overridden}").rstrip()


def make_emitter(as_json: bool) -> Callable[[dict[str, Any]], None]:
    style = Style()

    def emit(event: dict[str, Any]) -> None:
        print(json.dumps(event) if as_json else text_line(event, style), flush=True)

    return emit


def run_scan(options: argparse.Namespace, connect: Callable[[], Gateway],
             codes: TextIO | None = None) -> int:
    codes = codes or sys.stdin
    if hasattr(codes, "reconfigure"):
        # A byte that is not UTF-8 makes that one code fail (the server knows
        # no such unit), not the station stop with a traceback.
        codes.reconfigure(errors="replace")
    gateway = connect()
    journal = Journal(options.journal or default_journal_path())
    station = Station(gateway, journal, make_emitter(options.json), retry_every=options.retry_every)
    try:
        gateway.require_addons("service_warranty", "service_rma")
    except Unreachable as error:
        station.offline_since = station.clock()
        fail(f"{error}; scans are queued until the server answers")
    except BaseException:
        journal.close()
        raise
    try:
        if journal.pending() and station.offline_since is None:
            station.drain()
        if not options.replay:
            if codes.isatty():
                print("Scan a label, or type a serial and Enter. Ctrl-C to stop.", file=sys.stderr)
            for line in iter(codes.readline, ""):
                if line.strip():
                    station.submit(line.strip())
            if journal.pending():
                station.drain()
    except KeyboardInterrupt:
        print(file=sys.stderr)
    finally:
        waiting = len(journal.pending())
        journal.close()
    if waiting:
        fail(f"{waiting} scan(s) wait in {journal.path}; they are sent when the server answers "
             "(run `aftersales scan --replay`)")
    return EXIT_PARTIAL if station.failed or waiting else EXIT_OK
