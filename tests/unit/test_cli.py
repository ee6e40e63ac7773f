import json
import subprocess
import sys
from datetime import date

import pytest
from fakes import MODULES_OK, STATUS, FakeTransport, make_gateway

from aftersales import __version__
from aftersales.cli import build_parser, device_url, main
from aftersales.errors import BadCredentials, Unreachable, WrongDatabase
from aftersales.models import MAX_LENGTH

TOKEN = "rnzulGOary26h6exuz4EtJIkt3KIitYu"


def test_device_url():
    assert device_url("https://odoo.example.com/", TOKEN) == f"https://odoo.example.com/service/d/{TOKEN}"


@pytest.mark.parametrize("token", ["", "short", TOKEN + "x", TOKEN[:-1] + "/"])
def test_device_url_rejects_bad_tokens(token):
    with pytest.raises(ValueError, match="not a service token"):
        device_url("https://odoo.example.com", token)


def test_device_url_rejects_bad_base():
    with pytest.raises(ValueError, match="http"):
        device_url("odoo.example.com", TOKEN)


def test_main_exit_codes(capsys):
    assert main(["url", "https://o.example.com", TOKEN]) == 0
    assert capsys.readouterr().out.strip().endswith(TOKEN)
    assert main(["url", "https://o.example.com", "nope"]) == 2
    assert "not a service token" in capsys.readouterr().err
    assert main([]) == 2


def test_console_script_version():
    result = subprocess.run(
        [sys.executable, "-m", "aftersales", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"aftersales {__version__}"


# -- commands against a fake server ------------------------------------------------


def server(modules=MODULES_OK, version="19.0", status=STATUS):
    return FakeTransport({("ir.module.module", "search_read"): modules,
                          ("stock.lot", "get_service_status"): status}, version=version)


def test_ping_ok(capsys):
    assert main(["ping"], connect=lambda: make_gateway(server())) == 0
    out = capsys.readouterr().out
    assert "Odoo 19.0" in out and "add-on service_rma: installed" in out


def test_ping_names_the_missing_addon(capsys):
    assert main(["ping"], connect=lambda: make_gateway(server(modules=MODULES_OK[:1]))) == 2
    captured = capsys.readouterr()
    assert "add-on service_rma: absent" in captured.out
    assert "not installed on the server: service_rma" in captured.err


def test_ping_refuses_another_odoo(capsys):
    assert main(["ping"], connect=lambda: make_gateway(server(version="17.0"))) == 2
    assert "runs Odoo 17.0; aftersales needs Odoo 19" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (Unreachable("nothing listens at http://h"), "server unreachable: nothing listens"),
        (WrongDatabase("the server has no database 'x'"), "wrong database: the server has no database"),
        (BadCredentials("refused"), "bad credentials: refused"),
    ],
)
def test_connection_problems_exit_2(error, message, capsys):
    def connect():
        raise error

    assert main(["status", "SN-1"], connect=connect) == 2
    assert message in capsys.readouterr().err


def test_configuration_problem_exits_2(tmp_path, monkeypatch, capsys):
    for name in ("URL", "DB", "LOGIN", "PASSWORD", "API_KEY", "PROFILE", "CONFIG"):
        monkeypatch.delenv(f"AFTERSALES_{name}", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["ping"]) == 2
    assert "configuration: invalid connection settings" in capsys.readouterr().err


def test_status_text(capsys):
    transport = server()
    assert main(["status", "SN-1", "--on", "2026-05-01"], connect=lambda: make_gateway(transport)) == 0
    assert transport.calls[0][3] == {"code": "SN-1", "on_date": "2026-05-01"}
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "SN-1  [CMP] Compressor", "the code is not repeated when the name has it"
    assert "customer     -" in out
    assert "certificate  WAR/1 (active), policy Std" in out
    assert "warranty 2026-01-10 to 2027-01-09" in out
    assert "verdict      COVERED: repair (in_warranty) Under warranty" in out
    assert "RO/1  2026-03-01  done  under warranty" in out


def test_status_json(capsys):
    assert main(["status", "SN-1", "--json"], connect=lambda: make_gateway(server())) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customer"] is None and data["certificate"]["date_install"] is None
    assert date.fromisoformat(data["verdict"]["date_end"]) == date(2027, 1, 9)


def test_status_unknown_code(capsys):
    assert main(["status", "NOPE", "--json"], connect=lambda: make_gateway(server(status=False))) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"code": "NOPE", "found": False}
    assert "no unit matches 'NOPE'" in captured.err


def test_bad_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["status", "SN-1", "--on", "01/05/2026"])
    assert exit_info.value.code == 2
    assert "not a date (YYYY-MM-DD)" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["ping", "status", "labels", "register", "scan", "bill", "url"])
def test_every_command_has_help_with_an_example(command):
    parser = build_parser()
    sub = next(action for action in parser._actions if action.dest == "command")
    help_text = sub.choices[command].format_help()
    assert "example:" in help_text and f"aftersales {command}" in help_text
    assert "--profile" in help_text, "connection options also after the command"


def test_options_after_the_command():
    options = build_parser().parse_args(["status", "SN-1", "--profile", "lab", "--config", "c.toml"])
    assert (options.profile, str(options.config)) == ("lab", "c.toml")


def test_no_password_option():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ping", "--password", "secret"])


# -- usage errors: exit 2, a clear message, nothing asked of the server -----------------


def no_server():
    raise AssertionError("a usage error must not connect")


def usage_error(args, capsys):
    """The exit code and message of ``aftersales ARGS``: argparse's own errors raise SystemExit."""
    try:
        code = main(args, connect=no_server)
    except SystemExit as exit_info:
        code = exit_info.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", ""], "argument code: must not be empty"),
        (["status", "   "], "argument code: must not be empty"),
        (["status", "x" * 513], "argument code: longer than 512 characters"),
        (["status", "SN-1", "--profile", ""], "argument --profile: must not be empty"),
        (["ping", "--config", " "], "argument --config: must name a file"),
        (["labels", "--picking", " "], "argument --picking: must not be empty"),
        (["labels", "--sale-order", ""], "argument --sale-order: must not be empty"),
        (["labels", "SN-1", "-o", ""], "argument -o/--output: must name a file"),
        (["labels", "--file", ""], "argument --file: must name a file"),
        (["register", ""], "argument file: must name a file"),
        (["register", "units.csv", "--rejects", ""], "argument --rejects: must name a file"),
        (["register", "units.csv", "--batch-size", "x"], "argument --batch-size: not a whole number: 'x'"),
        (["scan", "--journal", ""], "argument --journal: must name a file"),
        (["scan", "--retry-every", "-1"], "argument --retry-every: must be a number of seconds, 0 or more"),
        (["scan", "--retry-every", "nan"], "argument --retry-every: must be a number of seconds, 0 or more"),
        (["bill", "--customer", ""], "argument --customer: must not be empty"),
        (["bill", "--customer", "  ", "--confirm"], "argument --customer: must not be empty"),
        (["bill", "--csv", ""], "argument --csv: must name a file"),
        (["bill", "--limit", "ten"], "argument --limit: not a whole number: 'ten'"),
        (["url", "", TOKEN], "base URL must start with http"),
        (["url", "https://o.example.com", " "], "not a service token"),
    ],
)
def test_usage_errors_exit_2(args, message, capsys):
    code, err = usage_error(args, capsys)
    assert code == 2, err
    assert message in err


def test_status_empty_code_exits_2_from_the_shell():
    result = subprocess.run([sys.executable, "-m", "aftersales", "status", ""], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 2
    assert "aftersales status: error: argument code: must not be empty" in result.stderr


def test_text_arguments_are_trimmed():
    options = build_parser().parse_args(["status", "  SN-1 ", "--profile", " lab "])
    assert (options.code, options.profile) == ("SN-1", "lab")
    assert build_parser().parse_args(["bill", "--customer", " acme "]).customer == "acme"


def test_usage_in_the_help_epilog():
    assert "an empty argument or a bad option value is a usage error" in build_parser().format_help()


def test_register_help_states_the_length_limits_and_the_escaping():
    sub = next(action for action in build_parser()._actions if action.dest == "command")
    help_text = " ".join(sub.choices["register"].format_help().split())
    others = {limit for column, limit in MAX_LENGTH.items() if column != "customer"}
    assert len(others) == 1, "the help says one limit for every column but customer"
    stated = f"at most {MAX_LENGTH['customer']} characters for customer, {others.pop()} for the others"
    assert stated in help_text
    assert "not UTF-8 is refused whole" in help_text and "prefixed with '" in help_text
