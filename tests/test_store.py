"""The database file: schema, migrations, permissions, WAL, the running/finalize lifecycle."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from agentlog.errors import StoreError
from agentlog.store.sqlite import db, migrations, select, writer
from agentlog.store.sqlite.schema import columns

DESIGN_COLUMNS = """id agent_type agent_version model_id chosen_model_id provider status created_at
started_at completed_at duration_ms time_to_first_token_ms input_tokens output_tokens total_tokens
cached_tokens cache_creation_tokens reasoning_tokens input_cost output_cost total_cost cost_source
streaming temperature finish_reason parameters system_prompt user_prompt response error_class
error_message metadata tool_calls tool_calls_count attempts attempts_count fallback_chain
fallback_reason cache_hit retryable rate_limited tenant_id batch_id""".split()


def test_new_database_has_every_design_column_indexes_and_owner_only_mode(tmp_path):
    path = tmp_path / "new" / "dir" / "log.db"
    conn = db.connect(path)
    assert set(DESIGN_COLUMNS) <= set(columns(conn))
    indexes = {r[1] for r in conn.execute("PRAGMA index_list(executions)")}
    assert {"idx_executions_created_at", "idx_executions_agent_type_created_at",
            "idx_executions_status_created_at", "idx_executions_chosen_model_id_created_at",
            "idx_executions_tenant_id_created_at"} <= indexes
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [m.__name__ for m in migrations.MIGRATIONS]


def test_opening_twice_applies_nothing_again(tmp_path):
    path = tmp_path / "log.db"
    db.connect(path).close()
    conn = db.connect(path)
    assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == \
        len(migrations.MIGRATIONS)


def test_missing_steps_are_applied_to_an_older_database(tmp_path):
    path = tmp_path / "log.db"
    conn = db.connect(path)
    last = migrations.MIGRATIONS[-1].__name__
    conn.execute("DELETE FROM _migrations WHERE name = ?", (last,))
    conn.execute("DROP TABLE executions_fts") if last == "m002_fulltext" else None
    conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION - 1}")
    conn.close()
    conn = db.connect(path)
    assert conn.execute("SELECT count(*) FROM _migrations WHERE name = ?",
                        (last,)).fetchone()[0] == 1


def test_database_from_a_newer_agentlog_is_refused_naming_both_versions(tmp_path):
    path = tmp_path / "log.db"
    conn = db.connect(path)
    conn.execute("INSERT INTO _migrations VALUES ('m999_future', 'x', '9.9.9')")
    conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError) as err:
        db.connect(path)
    assert "agentlog 9.9.9" in str(err.value) and "this is agentlog 0.1.0" in str(err.value)


def test_running_row_then_finalize_once(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    row = {"agent_type": "a", "created_at": "2026-11-23T10:00:00.000Z", "parameters": {"x": 1}}
    eid = writer.insert_running(conn, row)
    assert select.get(conn, eid).status == "running"
    writer.finalize(conn, eid, {"status": "success", "response": "needle in text"})
    record = select.get(conn, eid)
    assert record.status == "success" and record.parameters == {"x": 1}
    hits = conn.execute("SELECT rowid FROM executions_fts WHERE executions_fts MATCH 'needle'")
    assert [r[0] for r in hits] == [eid]
    with pytest.raises(StoreError, match="already closed as success"):  # one line, not a bug
        writer.finalize(conn, eid, {"status": "error"})


def test_a_crash_before_finalize_leaves_a_running_row(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    eid = writer.insert_running(conn, {"agent_type": "a", "created_at": "2026-11-23T10:00:00Z"})
    conn.close()  # the process "dies" here
    again = sqlite3.connect(tmp_path / "log.db")
    assert again.execute("SELECT status FROM executions WHERE id=?", (eid,)).fetchone() == \
        ("running",)
