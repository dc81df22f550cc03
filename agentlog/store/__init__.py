"""The log. `open(url_or_path)` is the one entrance: it returns a `Log` (store/log.py).

What is not tied to a database lives here (records, the query description, report data);
each backend is a folder beside it (store/sqlite/, store/postgres/). Knows nothing of typer,
rich or litellm, and nothing above it names a database driver.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from agentlog.errors import StoreError

if TYPE_CHECKING:
    from agentlog.store.log import Log

EXPORT_FORMATS = ("csv", "json", "jsonl")  # what Log.export writes


def locate(explicit: str | None = None, settings_db: str | None = None) -> str:
    """Where the log is: --db, then AGENTLOG_DB, then settings.db, then the user data dir."""
    chosen = explicit or os.environ.get("AGENTLOG_DB") or settings_db
    if chosen:
        return chosen
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("agentlog", appauthor=False)) / "agentlog.db")


def open(url_or_path: str | Path, readonly: bool = False) -> Log:  # noqa: A001
    """The log at a path (SQLite) or a postgresql:// URL, created and migrated when needed;
    `readonly`: an existing, current SQLite log through connections that cannot write (the
    dashboard)."""
    target = str(url_or_path)
    if "://" in target:
        from agentlog.store.postgres import connect

        if not connect.is_url(target):
            raise StoreError(f"cannot open {connect.safe_url(target)}: a log is an SQLite "
                             "file (a path) or a postgresql:// URL")
        from agentlog.store.postgres.log import PostgresLog

        return PostgresLog(target)
    from agentlog.store.sqlite.log import SqliteLog

    return SqliteLog(Path(target).expanduser(), readonly)
