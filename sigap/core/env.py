"""Typed, fail-loud readers for SIGAP_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class ConfigurationError(RuntimeError):
    """A SIGAP_* variable holds a value Sigap cannot use."""


def env_str(name: str, default: str) -> str:
    """The variable's value; unset and empty both mean the default."""
    return os.environ.get(name) or default


def _truth(raw: str) -> bool | None:
    """True or False for the usual spellings of yes and no; None for anything else."""
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    return None


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = _truth(raw)
    if value is None:
        raise ConfigurationError(f"{name} must be true or false, not {raw!r}")
    return value


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """Django's SECURE_PROXY_SSL_HEADER from a header name such as X-Forwarded-Proto.

    Only for a proxy that always sets or strips that header: otherwise a client could claim https.
    """
    header = os.environ.get(name, "").strip()
    if not header:
        return None
    if not header.replace("-", "").isalnum():
        raise ConfigurationError(f"{name} must be a header name like X-Forwarded-Proto")
    return ("HTTP_" + header.upper().replace("-", "_"), "https")


def data_dir() -> Path:
    path = Path(env_str("SIGAP_DATA_DIR", "sigap-data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """The secret key from SIGAP_SECRET_KEY, else the one kept in the data directory.

    Generated once on first run, so sessions and signed links survive restarts.
    """
    from_env = os.environ.get("SIGAP_SECRET_KEY")
    if from_env:
        return from_env
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # Created with 0600 so other users on the machine cannot read it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_from_url(url: str) -> dict[str, Any]:
    """Django DATABASES entry for sqlite:///path or postgres://user:pass@host:port/name."""
    parts = urlsplit(url)
    options: dict[str, Any] = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        return sqlite_database(Path(unquote(parts.path)))
    if parts.scheme in {"postgres", "postgresql"}:
        raw = options.pop("prepared_statements", "on")
        prepared = _truth(raw)
        if prepared is None:
            raise ConfigurationError(
                f"SIGAP_DATABASE_URL's prepared_statements must be on or off, not {raw!r}"
            )
        if prepared:
            # The server parses and plans a statement once per connection instead of on every
            # call: the same few statements run for every message, and planning them was a
            # third of the database's work. A pooler in transaction mode that cannot keep
            # prepared statements (PgBouncer before 1.21) needs prepared_statements=off.
            options["server_side_binding"] = True
            options["prepare_threshold"] = 1
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "sigap",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigurationError(
        f"SIGAP_DATABASE_URL must start with sqlite:/// or postgres://, not {parts.scheme!r}"
    )


def sqlite_database(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets readers work while the one writer writes; IMMEDIATE avoids the
            # deadlock-prone lock upgrade of a deferred transaction.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA cache_size=-64000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }
