"""The log. `open(url_or_path)` is the one entrance: it returns a `Log` (store/log.py).

What is not tied to a database lives here (records, the query description, report data);
each backend is a folder beside it (store/sqlite/, store/postgres/). Knows nothing of typer,
rich or litellm, and nothing above it names a database driver.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from agentlog.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from agentlog.store.log import Log, Upgrading

EXPORT_FORMATS = ("csv", "json", "jsonl")  # what Log.export writes


def locate(explicit: str | None = None, settings_db: str | None = None) -> str:
    """Where the log is: --db, then AGENTLOG_DB, then settings.db, then the user data dir.
    An empty value is refused rather than passed over."""
    for name, value in (("--db", explicit), ("AGENTLOG_DB", os.environ.get("AGENTLOG_DB")),
                        ("settings.db", settings_db)):
        if value is None:
            continue
        if not value.strip():
            raise ConfigError(f"{name} is empty: give the path or URL of a log")
        return value
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("agentlog", appauthor=False)) / "agentlog.db")


def open(url_or_path: str | Path, readonly: bool = False, create: bool = True,  # noqa: A001
         upgrading: Upgrading | None = None) -> Log:
    """The log at a path (SQLite) or a postgresql:// URL, migrated when needed.

    `create`: a missing SQLite file (or a PostgreSQL database without agentlog's schema) is
    created; without it, it is refused (the reading commands: a mistyped --db must not make
    a new log). `readonly`: an existing, current log through connections that cannot write,
    and never migrated. `upgrading` is given the one-line notice of an SQLite upgrade that
    reads every execution of a large log, and wraps it (PostgreSQL's steps are all quick)."""
    target = str(url_or_path)
    if "://" in target:
        from agentlog.store.postgres import connect

        if not connect.is_url(target):
            raise StoreError(f"cannot open {connect.safe_url(target)}: a log is an SQLite "
                             "file (a path) or a postgresql:// URL")
        from agentlog.store.postgres.log import PostgresLog

        return PostgresLog(target, readonly=readonly, create=create)
    from agentlog.store.sqlite.log import SqliteLog

    return SqliteLog(Path(target).expanduser(), readonly, create, upgrading)


def open_reader(url_or_path: str | Path, upgrading: Upgrading | None = None) -> Log:
    """The log of a command that only reads: a missing one is refused, never created. A
    PostgreSQL log (often shared, maybe through a read-only role) is never written nor
    migrated; an SQLite file of an older schema is upgraded in place, as any open does."""
    if "://" in str(url_or_path):
        return open(url_or_path, readonly=True, create=False)
    return open(url_or_path, create=False, upgrading=upgrading)


def display(where: str) -> str:
    """The log's location as shown to people: an absolute path, or the URL without its
    password."""
    if "://" in where:
        from agentlog.store.postgres import connect

        return connect.safe_url(where)
    return str(Path(where).expanduser().absolute())


def files_of(where: str) -> list[Path]:
    """The files a log lives in, resolved (symlinks followed): the SQLite file and its
    -wal, -shm and -journal; none for a PostgreSQL URL."""
    if "://" in where:
        return []
    base = os.path.realpath(Path(where).expanduser())
    return [Path(base + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
