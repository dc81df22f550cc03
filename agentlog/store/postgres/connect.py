"""Connections to a PostgreSQL log: the URL (whose password never leaves this module), how
values are read back (times as the stored UTC ISO strings, JSON as text, as SQLite gives
them), transactions, and driver errors as one-line StoreErrors.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from agentlog.errors import StoreError

SCHEMES = ("postgresql", "postgres")
EXTRA = 'pip install "agentlog[postgres]"'


def is_url(target: str) -> bool:
    return target.split("://", 1)[0].lower() in SCHEMES and "://" in target


def safe_url(url: str) -> str:
    """The URL without its password, for messages and `where`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def scrub(message: str, url: str) -> str:
    """A driver's message with any password of `url` taken out (libpq may quote it)."""
    password = urlsplit(url).password
    text = " ".join(str(message).split())
    if password:
        text = text.replace(password, "***")
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", text)


def _driver():
    try:
        import psycopg
    except ImportError:
        raise StoreError(f"a PostgreSQL log needs psycopg: {EXTRA}") from None
    return psycopg


def _register_loaders(conn) -> None:
    from psycopg.types.datetime import TimestamptzLoader
    from psycopg.types.string import TextLoader

    from agentlog.timeutil import to_iso

    class IsoLoader(TimestamptzLoader):
        def load(self, data):
            return to_iso(super().load(data))

    conn.adapters.register_loader("timestamptz", IsoLoader)
    conn.adapters.register_loader("jsonb", TextLoader)


def connect(url: str, readonly: bool = False):
    """An autocommit connection in UTC whose reads give what SQLite's rows hold; `readonly`:
    the server refuses its writes."""
    psycopg = _driver()
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10,
                               application_name="agentlog")
    except psycopg.Error as e:
        raise StoreError(f"cannot open {safe_url(url)}: {scrub(e, url)}") from None
    # JIT compilation of a large query costs more than the log's index-bound reads gain.
    conn.execute("SET TIME ZONE 'UTC'; SET jit = off")
    if readonly:
        conn.execute("SET default_transaction_read_only = on")
    _register_loaders(conn)
    return conn


@contextlib.contextmanager
def translated(url: str) -> Iterator[None]:
    """Driver errors as a StoreError naming the log (never its password)."""
    psycopg = _driver()
    try:
        yield
    except psycopg.Error as e:
        raise StoreError(f"{safe_url(url)}: {scrub(e, url)}") from None


@contextlib.contextmanager
def transaction(conn) -> Iterator[None]:
    """One transaction; inside another one it is a savepoint."""
    with conn.transaction():
        yield

