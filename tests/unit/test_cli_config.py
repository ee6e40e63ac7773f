"""Profiles: file, environment, validation."""

import os
from pathlib import Path

import pytest

from aftersales.config import load_profile
from aftersales.errors import ConfigError

CONFIG = """
default = "shop"

[profiles.shop]
url = "https://odoo.example.com/"
database = "prod"
login = "scanner@example.com"
password = "from-file"

[profiles.lab]
url = "http://127.0.0.1:8069"
database = "lab"
login = "admin"
api_key = "k3y"
transport = "json2"
timeout = 5
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    return path


def test_default_profile_from_file(config):
    profile = load_profile(config, env={})
    assert (profile.url, profile.database, profile.login) == ("https://odoo.example.com", "prod",
                                                              "scanner@example.com")
    assert profile.secret == "from-file"
    assert profile.transport == "jsonrpc"
    assert "from-file" not in repr(profile), "secrets must not leak into logs or tracebacks"


def test_named_profile_and_env_profile(config):
    assert load_profile(config, "lab", env={}).timeout == 5
    assert load_profile(config, env={"AFTERSALES_PROFILE": "lab"}).database == "lab"


def test_environment_overrides_file(config):
    env = {"AFTERSALES_DB": "staging", "AFTERSALES_API_KEY": "env-key"}
    profile = load_profile(config, env=env)
    assert profile.database == "staging"
    # An exported API key replaces the stored password instead of clashing with it.
    assert (profile.secret, profile.password) == ("env-key", None)


def test_environment_alone(tmp_path):
    env = {"AFTERSALES_URL": "http://localhost:8069", "AFTERSALES_DB": "d", "AFTERSALES_LOGIN": "me",
           "AFTERSALES_PASSWORD": "pw", "XDG_CONFIG_HOME": str(tmp_path)}
    profile = load_profile(env=env)
    assert (profile.url, profile.secret) == ("http://localhost:8069", "pw")


def test_config_file_from_environment(config):
    assert load_profile(env={"AFTERSALES_CONFIG": str(config)}).database == "prod"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AFTERSALES_URL": "odoo.example.com"}, "url: Value error, must start with http"),
        ({"AFTERSALES_PASSWORD": ""}, None),
        ({"AFTERSALES_TIMEOUT": "-1"}, "timeout"),
        ({"AFTERSALES_TRANSPORT": "xmlrpc"}, "transport"),
        ({"AFTERSALES_TRANSPORT": "json2", "AFTERSALES_PASSWORD": "pw"}, "json2 transport authenticates"),
    ],
)
def test_invalid_settings_are_named(config, env, message):
    if message is None:  # an empty variable is unset, not an empty password
        assert load_profile(config, env=env).secret == "from-file"
        return
    with pytest.raises(ConfigError, match=message):
        load_profile(config, env=env)


def test_missing_secret(tmp_path):
    env = {"AFTERSALES_URL": "http://h", "AFTERSALES_DB": "d", "AFTERSALES_LOGIN": "me",
           "XDG_CONFIG_HOME": str(tmp_path)}
    with pytest.raises(ConfigError, match="needs a password or an api_key"):
        load_profile(env=env)


def test_both_secrets_in_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[profiles.x]\nurl="http://h"\ndatabase="d"\nlogin="l"\npassword="p"\napi_key="k"\n')
    with pytest.raises(ConfigError, match="not both"):
        load_profile(path, "x", env={})


def test_unknown_key_is_refused(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[profiles.x]\nurl="http://h"\ndatabase="d"\nlogin="l"\npassword="p"\ndb="typo"\n')
    with pytest.raises(ConfigError, match="db: Extra inputs are not permitted"):
        load_profile(path, "x", env={})


def test_unknown_profile_lists_known_ones(config):
    with pytest.raises(ConfigError, match=r"no profile 'nope'.*profiles: lab, shop"):
        load_profile(config, "nope", env={})


def test_explicit_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_profile(tmp_path / "absent.toml", env={})


def test_bad_toml(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[profiles.x\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_profile(path, env={})


def test_warns_when_secret_file_is_world_readable(config, capsys):
    os.chmod(config, 0o644)
    load_profile(config, env={})
    assert "readable by others" in capsys.readouterr().err
    os.chmod(config, 0o600)
    load_profile(config, env={})
    assert capsys.readouterr().err == ""
