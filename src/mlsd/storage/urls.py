"""Where the database is: a PostgreSQL URL or a SQLite file, and how to name it without its password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from mlsd.core.errors import ConfigError

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.split("://", 1)[0].lower() in POSTGRES_SCHEMES and "://" in target


def sqlite_path(target: str | Path) -> str:
    """The file behind a SQLite target: a path, `sqlite:///abs/path`, or ':memory:'."""
    text = str(target)
    if text.startswith("sqlite://"):
        path = text.removeprefix("sqlite://")
        if not path.startswith("/"):
            raise ConfigError(f"MLSD_DATABASE_URL={text!r}: a SQLite URL needs an absolute path (sqlite:////abs/path)")
        return path
    if "://" in text:
        raise ConfigError(f"MLSD_DATABASE_URL={mask_url(text)!r}: unsupported database; use postgresql://user:"
                          "password@host:5432/dbname, or leave it unset for SQLite under MLSD_HOME")
    return text


def mask_url(url: str) -> str:
    """The URL with its password replaced by ****, so an error message can name it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unparseable database URL)"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:****@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def postgres_conninfo(url: str) -> str:
    """A libpq URL (psycopg does not know SQLAlchemy-style `postgresql+psycopg://`)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.lower() != "postgresql" else url
