import subprocess
import sys

import pytest

from aftersales import __version__
from aftersales.cli import device_url, main

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
