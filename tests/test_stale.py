"""Rows left `running` by a process that died are finalized as `Interrupted` by a later run."""

from __future__ import annotations

from datetime import timedelta

from agentlog.store.sqlite import db, writer
from agentlog.timeutil import to_iso, utcnow


def running_row(conn, deadline_ago: float, pid: int = 4242) -> int:
    now = utcnow()
    return writer.insert_running(conn, {
        "agent_type": "a", "created_at": to_iso(now - timedelta(seconds=deadline_ago + 300)),
        "deadline_at": to_iso(now - timedelta(seconds=deadline_ago)), "pid": pid,
        "user_prompt": "left behind"})


def status_of(conn, execution_id: int) -> tuple:
    return conn.execute("SELECT status, error_class, error_message, completed_at FROM executions "
                        "WHERE id = ?", (execution_id,)).fetchone()


def test_only_rows_past_deadline_and_grace_are_marked_interrupted(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    dead = running_row(conn, deadline_ago=120)
    within_grace = running_row(conn, deadline_ago=30)
    in_flight = running_row(conn, deadline_ago=-60)
    finished = running_row(conn, deadline_ago=600)
    writer.finalize(conn, finished, {"status": "success"})

    assert writer.interrupt_stale(conn, grace=60) == 1
    status, error_class, message, completed_at = status_of(conn, dead)
    assert (status, error_class) == ("error", "Interrupted")
    assert "process 4242 ended without finalizing" in message and completed_at
    assert status_of(conn, within_grace)[0] == "running"
    assert status_of(conn, in_flight)[0] == "running"
    assert status_of(conn, finished)[0] == "success"
    hits = conn.execute("SELECT rowid FROM executions_fts WHERE executions_fts MATCH 'behind'")
    assert sorted(r[0] for r in hits) == [dead, finished]  # finalized rows are searchable
    assert writer.interrupt_stale(conn, grace=60) == 0


def test_agentlog_run_marks_stale_rows_before_it_runs(cli, write_agents, db_path, read_rows):
    conn = db.connect(db_path)
    running_row(conn, deadline_ago=3600)
    conn.close()
    write_agents("agents:\n  a: {model: gpt-4o-mini, prompt: hi, mock_response: yo}\n")
    assert cli("run", "a").exit_code == 0
    stale, new = read_rows(db_path)
    assert (stale["status"], stale["error_class"]) == ("error", "Interrupted")
    assert new["status"] == "success"
