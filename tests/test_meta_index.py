"""The metadata index (execution_meta): `--meta` answers from it, and it never drifts from
the metadata of the rows, whoever writes or deletes them."""

from __future__ import annotations

import sqlite3

from agentlog.store.query import Query
from agentlog.store.sqlite import db, migrations, select, writer

WHEN = "2026-11-23T10:00:00.000Z"


def _meta_rows(conn: sqlite3.Connection) -> set[tuple]:
    return set(conn.execute("SELECT execution_id, key, type, value FROM execution_meta"))


def _ids(conn: sqlite3.Connection, query: Query) -> set[int]:
    return {r.id for r in select.fetch(conn, query)}


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
        text, params = select.select_sql(query.limit(20))
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + text, params))
        assert "idx_execution_meta_key" in plan or "PRIMARY KEY" in plan, plan
        assert "SCAN executions" not in plan, plan


def _reference(conn, key: str, value: str, order: str, limit: int) -> list[int]:
    """The same question answered by reading every row's JSON."""
    return [r[0] for r in conn.execute(
        f"SELECT id FROM executions WHERE json_extract(metadata, ?) = ? ORDER BY {order} "
        "LIMIT ?", (f'$."{key}"', value, limit))]


def test_a_leading_text_test_returns_the_same_rows_in_every_order(tmp_path):
    """`key = text` drives the list from the index in id order; any sort, direction, limit
    and other filter gives what reading every row's JSON gives."""
    conn = db.connect(tmp_path / "log.db")
    values = ["docs", "ops", {"docs": 1}, ["docs"], "{docs", 7, None]
    for i in range(120):
        writer.insert_final(conn, {
            "agent_type": "a" if i % 3 else "b", "created_at": WHEN, "status": "success",
            "total_cost": (i * 7) % 11 / 100, "metadata": {"team": values[i % len(values)]}})
    for value in ("docs", "{docs", '{"docs":1}', "nobody"):
        base = Query().where_meta("team", value)
        assert [r.id for r in select.fetch(conn, base.limit(5))] == \
            _reference(conn, "team", value, "id DESC", 5)
        assert [r.id for r in select.fetch(conn, base.reverse().limit(5))] == \
            _reference(conn, "team", value, "id ASC", 5)
        by_cost = [r.id for r in select.fetch(conn, base.order_by("-cost", "-id").limit(7))]
        assert by_cost == _reference(conn, "team", value, "total_cost DESC, id DESC", 7)
        only_b = {r.id for r in select.fetch(conn, base.by_agent("b"))}
        assert only_b == {i for i in _reference(conn, "team", value, "id", 999)
                          if i % 3 == 1}
        count, _ = select.count_upto(conn, base, 10_000)
        assert count == len(_reference(conn, "team", value, "id", 999))


def test_a_leading_test_walks_the_index_newest_first_without_listing_every_match(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    text, params = select.select_sql(Query().where_meta("team", "docs").today().limit(20))
    plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + text, params))
    assert plan.startswith("SEARCH lead USING COVERING INDEX idx_execution_meta_key"), plan
    assert "TEMP B-TREE" not in plan and "LIST SUBQUERY" not in plan, plan


def test_with_two_metadata_tests_none_leads_and_both_hold(tmp_path):
    """A common first value must not walk past a rare second one: with several tests SQLite
    picks the index to start from."""
    conn = db.connect(tmp_path / "log.db")
    for i in range(60):
        writer.insert_final(conn, {"agent_type": "a", "created_at": WHEN, "status": "success",
                                   "metadata": {"team": "docs", "ticket": i % 20}})
    for query in (Query().where_meta("team", "docs").where_meta("ticket", 7),
                  Query().where_meta("ticket", 7).where_meta("team", "docs"),
                  Query().where_meta("team", "docs").has_meta("ticket")):
        text, params = select.select_sql(query.limit(20))
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + text, params))
        assert "SEARCH lead" not in plan, plan
    two = Query().where_meta("team", "docs").where_meta("ticket", 7)
    assert sorted(r.id for r in select.fetch(conn, two)) == [8, 28, 48]
    with_ticket = Query().where_meta("team", "docs").has_meta("ticket")
    assert len(list(select.fetch(conn, with_ticket))) == 60
