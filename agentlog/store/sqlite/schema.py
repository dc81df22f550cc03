"""The executions table as SQLite holds it: its columns and its full-text index."""

from __future__ import annotations

import sqlite3

from agentlog.store.records import TEXT_COLUMNS


def columns(conn: sqlite3.Connection) -> list[str]:
    return [r[1] for r in conn.execute("PRAGMA table_info(executions)")]


def fts_index_row(conn: sqlite3.Connection, execution_id: int) -> None:
    """Add one finalized row's text to the full-text index."""
    cols = ", ".join(TEXT_COLUMNS)
    conn.execute(
        f"INSERT INTO executions_fts(rowid, {cols}) SELECT id, {cols} FROM executions WHERE id = ?",
        (execution_id,),
    )


_FTS_AUTOMERGE = 4  # FTS5's default


def fts_unindex(conn: sqlite3.Connection, where: str, params: tuple = ()) -> None:
    """Remove rows from the full-text index before they are deleted or rewritten; call it
    inside a transaction.

    The index has external content, so SQLite needs the indexed values to delete them.
    Only finalized rows were ever indexed. FTS5 merges segments after each flush of its
    pending changes (automerge), which doubles the cost of deleting many rows; merging is
    switched off for the delete and back on before the transaction commits, so no other
    connection ever sees it off, and `fts_optimize` merges everything later.
    """
    cols = ", ".join(TEXT_COLUMNS)
    automerge = conn.execute(
        "SELECT v FROM executions_fts_config WHERE k = 'automerge'").fetchone()
    _fts_set(conn, "automerge", 0)
    conn.execute(
        f"INSERT INTO executions_fts(executions_fts, rowid, {cols}) "
        f"SELECT 'delete', id, {cols} FROM executions WHERE status != 'running' AND ({where})",
        params,
    )
    _fts_set(conn, "automerge", _FTS_AUTOMERGE if automerge is None else automerge[0])


def _fts_set(conn: sqlite3.Connection, option: str, value: int) -> None:
    conn.execute("INSERT INTO executions_fts(executions_fts, rank) VALUES(?, ?)",
                 (option, value))


def declared_types(conn: sqlite3.Connection) -> dict[str, str]:
    """Column name → declared type (TEXT, INTEGER, REAL)."""
    return {r[1]: r[2].upper() for r in conn.execute("PRAGMA table_info(executions)")}


def fts_optimize(conn: sqlite3.Connection) -> None:
    """Merge the full-text index into one segment, dropping what deleted rows left behind."""
    conn.execute("INSERT INTO executions_fts(executions_fts) VALUES('optimize')")
