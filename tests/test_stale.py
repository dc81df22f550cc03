"""Rows left `running` by a process that died are finalized as `Interrupted` by a later run:
`agentlog run`, a batch and the Python `run()` share one preflight. Reading commands leave
them as they are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agentlog.store.query import Query
from agentlog.timeutil import to_iso, utcnow

AGENTS = "agents:\n  a: {model: gpt-4o-mini, prompt: hi, mock_response: yo}\n"


def running_row(log, deadline_ago: float, pid: int = 4242) -> int:
    now = utcnow()
    return log.start({
        "agent_type": "a", "created_at": to_iso(now - timedelta(seconds=deadline_ago + 300)),
        "deadline_at": to_iso(now - timedelta(seconds=deadline_ago)), "pid": pid,
        "user_prompt": "left behind"})


def status_of(log, execution_id: int) -> tuple:
    e = log.get(execution_id)
    return e.status, e.error_class, e.error_message, e.completed_at


def test_only_rows_past_deadline_and_grace_are_marked_interrupted(log):
    dead = running_row(log, deadline_ago=120)
    within_grace = running_row(log, deadline_ago=30)
    in_flight = running_row(log, deadline_ago=-60)
    finished = running_row(log, deadline_ago=600)
    log.finalize(finished, {"status": "success"})

    assert log.interrupt_stale(grace=60) == 1
    status, error_class, message, completed_at = status_of(log, dead)
    assert (status, error_class) == ("error", "Interrupted")
    assert "process 4242 ended without finalizing" in message and completed_at
    assert status_of(log, within_grace)[0] == "running"
    assert status_of(log, in_flight)[0] == "running"
    assert status_of(log, finished)[0] == "success"
    hits = log.fetch(Query().search("behind"))
    assert sorted(e.id for e in hits) == [dead, finished]  # finalized rows are searchable
    assert log.interrupt_stale(grace=60) == 0


@pytest.mark.parametrize("how", ["run", "batch", "python"])
def test_every_writing_entry_point_marks_stale_rows_before_it_runs(cli, write_agents, log,
                                                                   read_rows, tmp_path, how):
    running_row(log, deadline_ago=3600)
    path = write_agents(AGENTS)
    if how == "python":
        import agentlog

        assert agentlog.run("a", config=str(path)).ok
    else:
        (tmp_path / "rows.jsonl").write_text("{}\n")
        args = ["run", "a"] + (["--input", "rows.jsonl"] if how == "batch" else [])
        assert cli(*args).exit_code == 0
    stale, new = read_rows(log.where)
    assert (stale["status"], stale["error_class"]) == ("error", "Interrupted")
    assert new["status"] == "success"


@pytest.mark.parametrize("command", [["list"], ["report", "daily"], ["show", "1"]])
def test_reading_commands_show_stale_rows_as_running(cli, write_agents, log, read_rows,
                                                     command):
    running_row(log, deadline_ago=3600)
    write_agents(AGENTS)
    assert cli(*command).exit_code == 0
    assert read_rows(log.where)[0]["status"] == "running"
