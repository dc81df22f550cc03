"""The full-text index follows the rows whoever writes them: raw SQL inserts, updates and
deletes (as Datasette, sqlite-utils or the sqlite3 shell make them) are searchable, prunable
and leave the index consistent; other tools detect the index and the side tables' keys."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils

from agentlog.store.sqlite import db, migrations

RAW = ("INSERT INTO executions (agent_type, status, created_at, user_prompt, response) "
       "VALUES (?, ?, ?, ?, ?)")


def consistent(path) -> None:
    """FTS5's own check, SQLite's, and the indexed ids against the finalized rows."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO executions_fts(executions_fts) VALUES('integrity-check')")
        indexed = {r[0] for r in conn.execute("SELECT id FROM executions_fts_docsize")}
        final = {r[0] for r in conn.execute("SELECT id FROM executions WHERE status != 'running'")}
        assert indexed == final
    finally:
        conn.close()


def found(cli, word: str) -> list[int]:
    result = cli("list", "--search", word, "--json")
    assert result.exit_code == 0, result.output
    return sorted(r["id"] for r in json.loads(result.stdout))


def terms(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.t USING fts5vocab(main, executions_fts, row)")
        return {r[0] for r in conn.execute("SELECT term FROM temp.t")}
    finally:
        conn.close()


@pytest.fixture
def raw(db_path):
    """A log created by agentlog, then written to with plain sqlite3 (autocommit)."""
    db.connect(db_path).close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    yield conn
    conn.close()


def test_rows_inserted_by_raw_sql_are_searchable(cli, raw, db_path):
    raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", "an imported walrus", "ok"))
    raw.execute(RAW, ("imp", "running", "2026-11-20T10:00:00.000Z", "a running walrus", None))
    assert found(cli, "walrus") == [1]
    consistent(db_path)


def test_a_running_row_finalized_by_raw_sql_becomes_searchable(cli, raw, db_path):
    raw.execute(RAW, ("imp", "running", "2026-11-20T10:00:00.000Z", "a patient heron", None))
    assert found(cli, "heron") == []
    raw.execute("UPDATE executions SET status = 'success', response = 'done' WHERE id = 1")
    assert found(cli, "heron") == [1]
    consistent(db_path)


def test_a_scrubbed_word_is_no_longer_found_nor_left_in_the_index(cli, raw, db_path):
    raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", "secret zanzibar", "fine"))
    raw.execute("UPDATE executions SET user_prompt = '[scrubbed]'")
    assert found(cli, "zanzibar") == []
    assert found(cli, "scrubbed") == [1]
    assert "zanzibar" not in terms(db_path)
    consistent(db_path)


def test_a_change_of_numbers_only_leaves_the_index_as_it_was(cli, raw, db_path):
    raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", "a quiet otter", "x"))
    raw.execute("UPDATE executions SET total_cost = 0.5, status = 'error'")
    assert found(cli, "otter") == [1]
    consistent(db_path)


def test_rows_deleted_by_raw_sql_vanish_from_search(cli, raw, db_path):
    for word in ("lynx", "lynx", "puma"):
        raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", word, "y"))
    raw.execute("DELETE FROM executions WHERE id = 1")
    assert found(cli, "lynx") == [2]
    consistent(db_path)


def test_prune_after_raw_inserts_and_deletes_of_backdated_rows(cli, raw, db_path):
    for i in range(6):
        raw.execute(RAW, ("old", "success", f"2026-01-0{i + 1}T00:00:00.000Z", f"ibex {i}", "z"))
    raw.execute(RAW, ("new", "success", "2099-01-01T00:00:00.000Z", "ibex new", "z"))
    raw.execute("DELETE FROM executions WHERE id IN (2, 4)")
    raw.execute("UPDATE executions SET user_prompt = 'scrubbed' WHERE id = 3")
    result = cli("prune", "--older-than", "30d", "--yes")
    assert result.exit_code == 0, result.output
    assert "Deleted 4 executions" in result.stdout
    assert found(cli, "ibex") == [7]
    consistent(db_path)


def test_sqlite_utils_detects_the_index_and_searches_it(raw, db_path):
    raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", "a grey heron", "ok"))
    tool = sqlite_utils.Database(db_path)
    assert tool["executions"].detect_fts() == "executions_fts"
    assert [r["id"] for r in tool["executions"].search("heron")] == [1]


def test_datasette_searches_the_index_and_links_the_side_tables(raw, db_path):
    """Datasette's own detection, through its app: `?_search=` returns the matches only (it
    returned every row when the index was declared in a spelling Datasette misses)."""
    import asyncio

    from datasette.app import Datasette

    raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", "a grey heron", "ok"))
    raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", "a red fox", "ok"))

    async def ask(path: str) -> dict | list:
        response = await Datasette([str(db_path)]).client.get(f"/log/{path}")
        assert response.status_code == 200, response.text
        return response.json()

    found = asyncio.run(ask("executions.json?_search=heron&_shape=array"))
    assert [r["id"] for r in found] == [1]
    for table in ("execution_meta", "response_cache"):
        [(key, _)] = asyncio.run(ask(f"{table}.json"))["expandable_columns"]
        assert key == {"column": "execution_id", "other_table": "executions",
                       "other_column": "id"}, table


def test_side_tables_declare_their_foreign_keys(db_path):
    db.connect(db_path).close()
    tool = sqlite_utils.Database(db_path)
    for table in ("execution_meta", "response_cache"):
        keys = [(k.column, k.other_table, k.other_column) for k in tool[table].foreign_keys]
        assert keys == [("execution_id", "executions", "id")], table


def test_a_cached_answer_goes_with_its_execution(raw, db_path):
    raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", "q", "a cached answer"))
    raw.execute("INSERT INTO response_cache (key, agent, response, execution_id, created_at, "
                "expires_at) VALUES ('k', 'imp', 'a cached answer', 1, 'x', '9999')")
    raw.execute("DELETE FROM executions WHERE id = 1")
    assert raw.execute("SELECT count(*) FROM response_cache").fetchone()[0] == 0


def test_upgrading_a_log_whose_index_drifted_rebuilds_it(cli, raw, db_path):
    """A log of the previous schema: no triggers, rows the writer never indexed."""
    for name in ("insert", "update", "delete"):
        raw.execute(f"DROP TRIGGER executions_fts_{name}")
    raw.execute(RAW, ("imp", "success", "2026-11-20T10:00:00.000Z", "an unindexed gecko", "o"))
    raw.execute("DELETE FROM _migrations WHERE name = 'm070_search_follows_rows'")
    raw.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION - 1}")
    assert found(cli, "gecko") == [1]
    consistent(db_path)


def damage(raw) -> None:
    raw.execute(RAW, ("imp", "success", "2026-01-01T00:00:00.000Z", "a hidden tapir", "t"))
    raw.execute("UPDATE executions_fts_data SET block = x'ffffffffffff' WHERE id > 10")


REPAIR = "`agentlog db repair` rebuilds it from them"


def test_a_damaged_index_makes_search_say_so_in_one_line_and_repair_rebuilds_it(
        cli, raw, db_path):
    damage(raw)
    result = cli("list", "--search", "tapir")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "the search index of" in line and line.endswith(REPAIR)
    repaired = cli("db", "repair")
    assert repaired.exit_code == 0 and "Rebuilt the search index" in repaired.stdout
    assert found(cli, "tapir") == [1]
    consistent(db_path)
    assert "nothing to repair" in cli("db", "repair").stdout


def test_prune_on_a_damaged_index_says_so_in_one_line(cli, raw, db_path):
    damage(raw)
    result = cli("prune", "--older-than", "30d", "--yes")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(REPAIR)
    assert cli("db", "repair").exit_code == 0
    assert cli("prune", "--older-than", "30d", "--yes").exit_code == 0
    consistent(db_path)
