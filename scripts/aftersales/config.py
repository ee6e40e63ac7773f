"""Connection profiles: a TOML file of named profiles, overridden by the
environment. Secrets come from either, never from the command line (argv is
visible to every user of the machine through ``ps``).

    # ~/.config/aftersales/config.toml
    default = "shop"

    [profiles.shop]
    url = "https://odoo.example.com"
    database = "prod"
    login = "scanner@example.com"
    api_key = "..."            # or password = "..."
    transport = "jsonrpc"      # or "json2" (API key only; what Odoo 20 keeps)
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from aftersales.errors import ConfigError
from aftersales.output import echo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENV_PREFIX = "AFTERSALES_"
# Environment variable suffix -> profile field.
ENV_FIELDS = {
    "URL": "url",
    "DB": "database",
    "LOGIN": "login",
    "PASSWORD": "password",
    "API_KEY": "api_key",
    "TRANSPORT": "transport",
    "TIMEOUT": "timeout",
}
SECRETS = ("password", "api_key")


def default_config_path(env: Mapping[str, str] = os.environ) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "aftersales" / "config.toml"


class Profile(BaseModel):
    """Where and as whom to connect."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    url: str
    database: str = Field(min_length=1)
    login: str = Field(min_length=1)
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    transport: Literal["jsonrpc", "json2"] = "jsonrpc"
    timeout: float = Field(default=30.0, gt=0, le=3600)
    retries: int = Field(default=3, ge=0, le=10)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or len(value.split("://", 1)[1]) == 0:
            raise ValueError("must start with http:// or https:// and name a host")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _check_secret(self) -> Profile:
        if self.password is None and self.api_key is None:
            raise ValueError("needs a password or an api_key (AFTERSALES_PASSWORD or AFTERSALES_API_KEY)")
        if self.password is not None and self.api_key is not None:
            raise ValueError("give a password or an api_key, not both")
        if self.transport == "json2" and self.api_key is None:
            raise ValueError("the json2 transport authenticates with an api_key only")
        return self

    @property
    def secret(self) -> str:
        chosen = self.api_key if self.api_key is not None else self.password
        assert chosen is not None  # the validator guarantees one
        return chosen.get_secret_value()


def _read_file(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it: {error.strerror}") from error


def _warn_if_readable_by_others(path: Path, values: Mapping[str, object]) -> None:
    if any(key in values for key in SECRETS) and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(f"aftersales: warning: {path} holds a secret and is readable by others (chmod 600 it)",
              file=sys.stderr)


def load_profile(
    config_path: Path | None = None,
    profile: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> Profile:
    """The profile to use: ``profile`` (or AFTERSALES_PROFILE, or the file's
    ``default``) from the config file, then each AFTERSALES_* variable on top.
    A secret in the environment replaces both secrets of the file, so that
    exporting an API key is enough to stop using a stored password."""
    explicit = config_path is not None
    path = config_path or Path(env.get(ENV_PREFIX + "CONFIG") or default_config_path(env))
    document: dict[str, object] = {}
    if path.exists():
        document = _read_file(path)
    elif explicit:
        raise ConfigError(f"{path}: no such config file")
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table of profiles")
    name = profile or env.get(ENV_PREFIX + "PROFILE") or document.get("default")
    values: dict[str, object] = {}
    if name is not None:
        if name not in profiles:
            known = ", ".join(sorted(profiles)) or "none"
            raise ConfigError(f"no profile {echo(str(name))!r} in {path} (profiles: {known})")
        values = dict(profiles[name])
        _warn_if_readable_by_others(path, values)
    from_env = {field: env[ENV_PREFIX + suffix] for suffix, field in ENV_FIELDS.items()
                if env.get(ENV_PREFIX + suffix)}
    if any(key in from_env for key in SECRETS):
        for key in SECRETS:
            values.pop(key, None)
    values.update(from_env)
    try:
        return Profile.model_validate(values)
    except ValidationError as error:
        where = f"profile {echo(str(name))!r} of {path}" if name else "the environment"
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'profile'}: {e['msg']}" for e in error.errors()
        )
        hint = "" if path.exists() or from_env else f" (no config file at {path}; set AFTERSALES_URL etc.)"
        raise ConfigError(f"invalid connection settings in {where}: {problems}{hint}") from None
