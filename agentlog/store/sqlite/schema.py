"""The executions table as SQLite holds it: its columns and its full-text index.

The index (executions_fts) has external content: the text is stored once, in executions, and
triggers keep the index in step with every insert, update and delete of a finalized row,
whoever writes (agentlog, Datasette, sqlite-utils, the sqlite3 shell). A `running` row is not
indexed; its finalization is. The index is declared `content="executions"`, the spelling
sqlite-utils and Datasette recognise.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from agentlog.store.records import TEXT_COLUMNS

_COLS = ", ".join(TEXT_COLUMNS)
_FINAL = "{r}.status IS NOT 'running'"


def columns(conn: sqlite3.Connection) -> list[str]:
    return [r[1] for r in conn.execute("PRAGMA table_info(executions)")]


def declared_types(conn: sqlite3.Connection) -> dict[str, str]:
    """Column name → declared type (TEXT, INTEGER, REAL)."""
    return {r[1]: r[2].upper() for r in conn.execute("PRAGMA table_info(executions)")}


def _add(r: str) -> str:
    return (f"INSERT INTO executions_fts(rowid, {_COLS}) SELECT {r}.id, "
            + ", ".join(f"{r}.{c}" for c in TEXT_COLUMNS) + f" WHERE {_FINAL.format(r=r)}")


def _take(r: str) -> str:
    # External content: FTS5 needs the values that were indexed to delete them, and only a
    # finalized row was ever indexed.
    return (f"INSERT INTO executions_fts(executions_fts, rowid, {_COLS}) SELECT 'delete', "
            f"{r}.id, " + ", ".join(f"{r}.{c}" for c in TEXT_COLUMNS)
            + f" WHERE {_FINAL.format(r=r)}")


def fts_create(conn: sqlite3.Connection) -> None:
    """Create the index and the triggers that keep it (empty: `fts_rebuild` fills it)."""
    conn.execute(f"CREATE VIRTUAL TABLE executions_fts USING fts5({_COLS}, "
                 'content="executions", content_rowid="id")')
    # An UPDATE re-indexes the row only when its text, its id or its being running changed:
    # a finalization indexes it once, a change of numbers costs nothing.
    changed = " OR ".join([f"old.{c} IS NOT new.{c}" for c in ("id", *TEXT_COLUMNS)]
                          + ["(old.status = 'running') IS NOT (new.status = 'running')"])
    watched = ", ".join(("id", "status", *TEXT_COLUMNS))
    conn.execute("CREATE TRIGGER executions_fts_insert AFTER INSERT ON executions "
                 f"WHEN {_FINAL.format(r='new')} BEGIN {_add('new')}; END")
    conn.execute(f"CREATE TRIGGER executions_fts_update AFTER UPDATE OF {watched} "
                 f"ON executions WHEN {changed} BEGIN {_take('old')}; {_add('new')}; END")
    conn.execute("CREATE TRIGGER executions_fts_delete AFTER DELETE ON executions "
                 f"WHEN {_FINAL.format(r='old')} BEGIN {_take('old')}; END")


def fts_rebuild(conn: sqlite3.Connection) -> None:
    """Index every finalized row again from the table (FTS5's own 'rebuild' would index the
    running rows too, which their finalization then indexes a second time)."""
    conn.execute("INSERT INTO executions_fts(executions_fts) VALUES('delete-all')")
    conn.execute(f"INSERT INTO executions_fts(rowid, {_COLS}) SELECT id, {_COLS} "
                 "FROM executions WHERE status IS NOT 'running'")


def fts_repair(conn: sqlite3.Connection) -> str | None:
    """Inside a transaction: if the index does not match the rows, build it again from them,
    triggers and all (a damaged FTS5 table can still be dropped); returns what was wrong."""
    problem = fts_problem(conn)
    if problem is not None:
        for event in ("insert", "update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS executions_fts_{event}")
        conn.execute("DROP TABLE IF EXISTS executions_fts")
        fts_create(conn)
        fts_rebuild(conn)
    return problem


def fts_problem(conn: sqlite3.Connection) -> str | None:
    """Why the index does not match the rows (None when it does, or when the rows themselves
    cannot be read: then the damage is not the index's alone): the indexed ids against the
    finalized rows, then FTS5's own check of its structure."""
    try:
        missing = conn.execute(
            "SELECT count(*) FROM executions AS e WHERE e.status IS NOT 'running' AND NOT "
            "EXISTS (SELECT 1 FROM executions_fts_docsize AS d WHERE d.id = e.id)").fetchone()[0]
        extra = conn.execute(
            "SELECT count(*) FROM executions_fts_docsize AS d WHERE NOT EXISTS (SELECT 1 FROM "
            "executions AS e WHERE e.id = d.id AND e.status IS NOT 'running')").fetchone()[0]
    except sqlite3.DatabaseError:
        return None
    if missing or extra:
        return f"{missing:,} rows not indexed, {extra:,} index entries without their row"
    try:
        conn.execute("INSERT INTO executions_fts(executions_fts) VALUES('integrity-check')")
    except sqlite3.DatabaseError as e:
        return str(e)
    return None


_FTS_AUTOMERGE = 4  # FTS5's default


@contextmanager
def fts_merging_later(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside a transaction that deletes many rows: FTS5 merges segments after each flush of
    its pending changes (automerge), which doubles the cost of the delete. Merging is off for
    the block and back on before the transaction commits, so no other connection ever sees
    it off; `fts_optimize` merges everything later."""
    automerge = conn.execute(
        "SELECT v FROM executions_fts_config WHERE k = 'automerge'").fetchone()
    _fts_set(conn, "automerge", 0)
    yield
    _fts_set(conn, "automerge", _FTS_AUTOMERGE if automerge is None else automerge[0])


def _fts_set(conn: sqlite3.Connection, option: str, value: int) -> None:
    conn.execute("INSERT INTO executions_fts(executions_fts, rank) VALUES(?, ?)",
                 (option, value))


def fts_optimize(conn: sqlite3.Connection) -> None:
    """Merge the full-text index into one segment, dropping what deleted rows left behind."""
    conn.execute("INSERT INTO executions_fts(executions_fts) VALUES('optimize')")
