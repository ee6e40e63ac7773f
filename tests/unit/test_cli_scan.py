"""The scan station and its offline journal, against a fake server."""

import io
import json

import pytest
from fakes import MODULES_OK, FakeTransport, make_gateway

from aftersales.cli import build_parser, main
from aftersales.errors import ServerError, Unreachable
from aftersales.scan import Journal, JournalBusy, Station, run_scan


class FakeServer:
    """service.rma.scan that can be switched off; remembers what it was sent."""

    def __init__(self):
        self.up = True
        self.received: list[str] = []
        self.transport = FakeTransport({("service.rma", "scan"): self.scan,
                                        ("ir.module.module", "search_read"): self.modules})

    def modules(self, ids, **_kwargs):
        if not self.up:
            raise Unreachable("connection refused")
        return MODULES_OK

    def scan(self, ids, code):
        if not self.up:
            raise Unreachable("connection refused")
        self.received.append(code)
        if code.startswith("BAD"):
            raise ServerError("odoo.exceptions.UserError", f"No unit matches {code}")
        return {"rma_id": len(self.received), "name": f"RMA/{len(self.received)}", "state": "draft",
                "created": True, "serial": code,
                "verdict": {"remedy": "repair", "covered": True, "reason": "in_warranty",
                            "reason_text": "Under warranty", "overridden": False, "policy_remedy": "repair"}}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def journal(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    yield journal
    journal.close()


def station(server, journal, events, clock=None, retry_every=10.0):
    return Station(make_gateway(server.transport), journal, events.append, retry_every=retry_every,
                   clock=clock or Clock())


def test_journal_survives_reopening_in_order(tmp_path):
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    _first, second, _third = (journal.append(code) for code in ("A", "B", "C"))
    journal.done(second)
    journal.close()
    with path.open("a") as handle:
        handle.write('{"seq": 4, "co')  # a crash in mid-line: never acknowledged
    reopened = Journal(path)
    assert [(e.seq, e.code) for e in reopened.pending()] == [(1, "A"), (3, "C")]
    assert reopened.append("D").seq == 4, "sequence numbers are never reused"
    reopened.close()


def test_journal_is_emptied_when_nothing_waits(journal):
    entry = journal.append("A")
    assert journal.path.stat().st_size > 0
    journal.done(entry)
    assert journal.path.stat().st_size == 0


def test_one_station_per_journal(journal):
    with pytest.raises(JournalBusy, match="another scan station"):
        Journal(journal.path)


def test_online_scans(journal):
    server, events = FakeServer(), []
    scanner = station(server, journal, events)
    scanner.submit("SN-1")
    scanner.submit("BAD-1")
    assert server.received == ["SN-1", "BAD-1"]
    assert events[0]["ok"] and events[0]["rma"]["name"] == "RMA/1" and not events[0]["replayed"]
    assert events[1] == {"code": "BAD-1", "ok": False, "replayed": False, "error": "No unit matches BAD-1"}
    assert scanner.failed == 1
    assert journal.pending() == [], "a refused code is answered: it is not sent again"


def test_offline_scans_are_replayed_in_order_exactly_once(journal):
    server, events, clock = FakeServer(), [], Clock()
    scanner = station(server, journal, events, clock, retry_every=10)
    scanner.submit("SN-1")
    server.up = False
    scanner.submit("SN-2")
    clock.now += 1
    scanner.submit("SN-3")
    assert [e.get("queued") for e in events[1:]] == [True, True]
    assert events[2]["waiting"] == 2
    server.up = True
    clock.now += 5
    scanner.submit("SN-4")  # not due yet: queued behind the others, the server is not asked
    assert server.received == ["SN-1"]
    clock.now += 10
    scanner.submit("SN-5")
    assert server.received == ["SN-1", "SN-2", "SN-3", "SN-4", "SN-5"]
    replayed = [(e["code"], e["replayed"]) for e in events if e.get("ok")]
    assert replayed == [("SN-1", False), ("SN-2", True), ("SN-3", True), ("SN-4", True), ("SN-5", False)]
    assert journal.pending() == []
    scanner.drain()
    assert len(server.received) == 5, "nothing is sent twice"


def test_server_down_mid_replay_keeps_the_rest(journal):
    server, events, clock = FakeServer(), [], Clock()
    for code in ("SN-1", "SN-2", "SN-3"):
        journal.append(code)
    scanner = station(server, journal, events, clock)
    calls = 0
    original = server.scan

    def flaky(ids, code):
        nonlocal calls
        calls += 1
        if calls == 2:
            server.up = False
        return original(ids, code)

    server.transport.answers[("service.rma", "scan")] = flaky
    assert scanner.drain() is False
    assert [e.code for e in journal.pending()] == ["SN-2", "SN-3"]
    server.up = True
    assert scanner.drain() is True
    assert server.received == ["SN-1", "SN-2", "SN-3"]


def _run_with(server, tmp_path, codes, *args):
    options = build_parser().parse_args(["scan", "--journal", str(tmp_path / "j.jsonl"), *args])
    return run_scan(options, lambda: make_gateway(server.transport), codes=codes)


def test_command_json_output_and_exit_codes(tmp_path, capsys):
    server = FakeServer()
    assert _run_with(server, tmp_path, io.StringIO("SN-1\n\n  SN-2  \n"), "--json") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["code"], line["rma"]["name"]) for line in lines] == [("SN-1", "RMA/1"), ("SN-2", "RMA/2")]
    assert _run_with(server, tmp_path, io.StringIO("BAD\n"), "--json") == 1


def test_command_text_line(tmp_path, capsys):
    server = FakeServer()
    _run_with(server, tmp_path, io.StringIO("SN-1\n"))
    assert capsys.readouterr().out.strip() == "repair  SN-1  new RMA/1 (draft)  Under warranty"


def test_command_offline_then_replay(tmp_path, capsys):
    server = FakeServer()
    server.up = False
    assert _run_with(server, tmp_path, io.StringIO("SN-1\nSN-2\n"), "--json") == 1
    captured = capsys.readouterr()
    assert "2 scan(s) wait in" in captured.err
    assert [json.loads(line)["queued"] for line in captured.out.splitlines()] == [True, True]
    server.up = True
    assert _run_with(server, tmp_path, io.StringIO(""), "--replay", "--json") == 0
    assert server.received == ["SN-1", "SN-2"]
    assert all(json.loads(line)["replayed"] for line in capsys.readouterr().out.splitlines())


class Interrupted(io.StringIO):
    def readline(self, *args):
        line = super().readline(*args)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_exits_cleanly_and_loses_nothing(tmp_path, capsys):
    server = FakeServer()
    server.up = False
    assert _run_with(server, tmp_path, Interrupted("SN-1\n")) == 1
    assert "1 scan(s) wait in" in capsys.readouterr().err
    journal = Journal(tmp_path / "j.jsonl")
    assert [e.code for e in journal.pending()] == ["SN-1"]
    journal.close()


def test_command_without_rma_addon(tmp_path, capsys):
    server = FakeServer()
    server.transport.answers[("ir.module.module", "search_read")] = MODULES_OK[:1]
    assert main(["scan", "--journal", str(tmp_path / "j.jsonl")],
                connect=lambda: make_gateway(server.transport)) == 2
    assert "add-on missing: the server lacks the add-on(s) service_rma (absent)" in capsys.readouterr().err


def test_a_code_longer_than_any_label_fails_without_reaching_the_server(tmp_path, capsys):
    server = FakeServer()
    codes = io.StringIO("x" * 10_000 + "\nSN-1\n")
    assert _run_with(server, tmp_path, codes, "--json") == 1, "a failed code"
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["ok"] is False
    assert first["error"] == "longer than 512 characters: not a label, token or serial"
    assert len(first["code"]) == 80, "clipped, not echoed whole"
    assert second["ok"] is True and server.received == ["SN-1"]
    journal = Journal(tmp_path / "j.jsonl")
    assert journal.pending() == [], "nothing to replay"
    journal.close()
    _run_with(server, tmp_path, io.StringIO("y" * 10_000 + "\n"))
    line = capsys.readouterr().out.strip()
    assert line.startswith("FAILED  yyy") and len(line) < 200


def test_a_journal_that_cannot_be_opened_is_a_usage_error(tmp_path, capsys):
    server = FakeServer()
    (tmp_path / "file").write_text("")
    for journal in (tmp_path, tmp_path / "file" / "j.jsonl"):
        assert main(["scan", "--journal", str(journal)], connect=lambda: make_gateway(server.transport)) == 2
        assert f"cannot use the scan journal {journal}" in capsys.readouterr().err
    assert server.received == []


def test_codes_that_are_not_utf8_fail_one_by_one(tmp_path, capsys):
    server = FakeServer()
    codes = io.TextIOWrapper(io.BytesIO("SN-1\nBAD-é\n".encode("latin-1")), encoding="utf-8")
    assert _run_with(server, tmp_path, codes, "--json") == 1
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["ok"] is True and second["ok"] is False
    assert server.received == ["SN-1", "BAD-\ufffd"]
