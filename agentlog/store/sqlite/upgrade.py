"""Bringing an SQLite log up to the schema of migrations.py: refuse what is not an agentlog
log (or is newer than this agentlog) before writing anything, then apply the missing steps
in one transaction. A step that reads every execution (migrations.scans) takes minutes on a
large log: the caller is told before it starts, so that nobody takes it for a hang.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from agentlog import __version__
from agentlog.errors import StoreError
from agentlog.store.sqlite import migrations

if TYPE_CHECKING:
    from agentlog.store.log import Upgrading


def _newer(conn: sqlite3.Connection, path: Path, version: int) -> StoreError:
    try:
        row = conn.execute(
            "SELECT agentlog_version FROM _migrations ORDER BY rowid DESC LIMIT 1").fetchone()
        writer = f"agentlog {row[0]}" if row else "a newer agentlog"
    except sqlite3.DatabaseError:
        writer = "a newer agentlog"
    return StoreError(
        f"{path} was written by {writer} (schema {version}); this is agentlog {__version__} "
        f"(schema {migrations.SCHEMA_VERSION}): upgrade agentlog to read it"
    )


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def foreign(conn: sqlite3.Connection, path: Path) -> StoreError | None:
    """What makes an existing database not an agentlog log (another program's tables, an
    `executions` table without agentlog's columns), read before anything is changed."""
    import sqlite_utils

    tables = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    if not tables:
        return None  # a new, empty file
    if "_migrations" not in tables or not {"name"} <= _columns(conn, "_migrations"):
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        return StoreError(f"{path} is not an agentlog log: it holds other tables ({shown}) "
                          "and no agentlog schema; give another --db")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    if "executions" not in tables:
        if "m001_executions" in done:
            return StoreError(f"{path} is damaged: its table \"executions\" is missing")
        return None
    reference = sqlite_utils.Database(memory=True)
    migrations.m001_executions(reference)
    missing = sorted(set(reference["executions"].columns_dict) - _columns(conn, "executions"))
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5
                                          else "")
        return StoreError(f"{path}: its table \"executions\" is not agentlog's (it lacks "
                          f"{shown}): a foreign or damaged log, left unchanged")
    return None


NOTICE_ROWS = 50_000  # from this many executions a scanning step is announced


def notice(conn: sqlite3.Connection, path: Path) -> str | None:
    """What to tell before upgrading a log whose pending steps read every execution and
    that holds at least NOTICE_ROWS of them; None when the upgrade will be quick."""
    try:
        done = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
        if not migrations.SCANS - done:
            return None
        rows = conn.execute("SELECT count(*) FROM executions").fetchone()[0]
    except sqlite3.DatabaseError:  # a new file (no tables yet); a damaged one fails below
        return None
    if rows < NOTICE_ROWS:
        return None
    return (f"upgrading the log at {path} to schema {migrations.SCHEMA_VERSION} "
            f"({rows:,} executions; this can take minutes, once)")


def upgrade(conn: sqlite3.Connection, path: Path, version: int,
            upgrading: Upgrading | None = None) -> None:
    """Apply the missing steps with their records, all in one transaction; a database that
    is not agentlog's is refused before anything is written. `upgrading` is given the
    notice of a long upgrade and wraps it (a line and a spinner on the command line)."""
    if version > migrations.SCHEMA_VERSION:
        raise _newer(conn, path, version)
    try:
        problem = foreign(conn, path)
    except sqlite3.DatabaseError as e:
        raise StoreError(f"cannot read the schema of {path}: {e}") from None
    if problem is not None:
        raise problem
    told = notice(conn, path) if upgrading else None
    with upgrading(told) if told else contextlib.nullcontext():
        _apply(conn, path)


def _apply(conn: sqlite3.Connection, path: Path) -> None:
    import sqlite_utils

    from agentlog.store.sqlite.db import transaction
    from agentlog.timeutil import now_iso

    try:
        conn.execute("PRAGMA journal_mode=WAL")
        db = sqlite_utils.Database(conn, execute_plugins=False)
        # One writer migrates; others opening the same new file wait here, then find it done.
        with transaction(conn):
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations "
                "(name TEXT PRIMARY KEY, applied_at TEXT, agentlog_version TEXT)"
            )
            done = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
            for step in migrations.MIGRATIONS:
                if step.__name__ not in done:
                    step(db)
                    conn.execute("INSERT INTO _migrations VALUES (?, ?, ?)",
                                 (step.__name__, now_iso(), __version__))
            conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION}")
    except sqlite3.DatabaseError as e:
        raise StoreError(f"cannot migrate {path}: {e}") from None
