"""Bringing an SQLite log up to the schema of migrations.py: refuse what is not an agentlog
log (or is newer than this agentlog) before writing anything, then apply the missing steps
in one transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agentlog import __version__
from agentlog.errors import StoreError
from agentlog.store.sqlite import migrations


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


def upgrade(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Apply the missing steps with their records, all in one transaction; a database that
    is not agentlog's is refused before anything is written."""
    if version > migrations.SCHEMA_VERSION:
        raise _newer(conn, path, version)
    import sqlite_utils

    try:
        problem = foreign(conn, path)
    except sqlite3.DatabaseError as e:
        raise StoreError(f"cannot read the schema of {path}: {e}") from None
    if problem is not None:
        raise problem

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
