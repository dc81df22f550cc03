"""The metadata index (execution_meta): `--meta` answers from it, and it never drifts from
the metadata of the rows, whoever writes or deletes them."""

from __future__ import annotations

import sqlite3

from agentlog.store import db, migrations, writer
from agentlog.store.query import Query

WHEN = "2026-11-23T10:00:00.000Z"


def _meta_rows(conn: sqlite3.Connection) -> set[tuple]:
    return set(conn.execute("SELECT execution_id, key, type, value FROM execution_meta"))


def _ids(conn: sqlite3.Connection, query: Query) -> set[int]:
    return {r.id for r in query.fetch(conn)}


def test_writer_rows_are_indexed_and_deleting_a_row_removes_its_keys(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    first = writer.insert_running(conn, {"agent_type": "a", "created_at": WHEN,
                                         "metadata": {"team": "docs", "n": 3, "ok": True,
                                                      "env": {"stage": "prod"}, "gone": None}})
    second = writer.insert_final(conn, {"agent_type": "a", "created_at": WHEN,
                                        "status": "success", "metadata": {"team": "ops"}})
    assert _meta_rows(conn) == {
        (first, "team", "text", "docs"), (first, "n", "integer", 3), (first, "ok", "true", 1),
        (first, "env", "object", '{"stage":"prod"}'), (first, "gone", "null", None),
        (second, "team", "text", "ops")}
    conn.execute("DELETE FROM executions WHERE id = ?", (first,))
    assert _meta_rows(conn) == {(second, "team", "text", "ops")}


def test_changing_a_rows_metadata_replaces_its_keys(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    row = writer.insert_final(conn, {"agent_type": "a", "created_at": WHEN,
                                     "status": "success", "metadata": {"team": "docs"}})
    conn.execute("UPDATE executions SET metadata = ? WHERE id = ?", ('{"team": "ops"}', row))
    assert _ids(conn, Query().where_meta("team", "ops")) == {row}
    assert _ids(conn, Query().where_meta("team", "docs")) == set()
    conn.execute("UPDATE executions SET metadata = NULL WHERE id = ?", (row,))
    assert _meta_rows(conn) == set()


def test_rows_with_odd_metadata_are_still_written_and_never_match(tmp_path):
    """Raw SQL can store anything in the column: a damaged or non-object value is kept as it
    is (the row is written) and simply has no keys."""
    conn = db.connect(tmp_path / "log.db")
    for text in ("{not json", "[1, 2]", '"text"', "42"):
        conn.execute("INSERT INTO executions (agent_type, status, created_at, metadata) "
                     "VALUES ('a', 'success', ?, ?)", (WHEN, text))
    assert conn.execute("SELECT count(*) FROM executions").fetchone()[0] == 4
    assert _meta_rows(conn) == set()
    assert _ids(conn, Query().has_meta("0")) == set()


def test_upgrading_an_older_log_indexes_the_metadata_it_already_holds(tmp_path):
    path = tmp_path / "log.db"
    conn = db.connect(path)
    ids = [writer.insert_final(conn, {"agent_type": "a", "created_at": WHEN, "status": "success",
                                      "metadata": meta})
           for meta in ({"team": "docs"}, {"team": "ops", "priority": 1}, None)]
    conn.execute("INSERT INTO executions (agent_type, status, created_at, metadata) "
                 "VALUES ('a', 'success', ?, '{broken')", (WHEN,))
    # The log as the previous version left it: no metadata index at all.
    for name in ("execution_meta_insert", "execution_meta_update", "execution_meta_delete"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE execution_meta")
    conn.execute("DELETE FROM _migrations WHERE name = 'm050_execution_meta'")
    conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION - 1}")
    conn.close()

    conn = db.connect(path)
    assert _ids(conn, Query().where_meta("team", "docs")) == {ids[0]}
    assert _ids(conn, Query().where_meta("priority", 1)) == {ids[1]}
    assert _ids(conn, Query().has_meta("team")) == set(ids[:2])


def test_meta_filters_read_the_index_not_every_rows_json(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    for query in (Query().where_meta("team", "docs"), Query().where_meta("flag", True),
                  Query().where_meta("gone", None), Query().has_meta("team"),
                  Query().where_meta("env.stage", "prod").today()):
        text, params = query.limit(20).sql()
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + text, params))
        assert "idx_execution_meta_key" in plan or "PRIMARY KEY" in plan, plan
        assert "SCAN executions" not in plan, plan
