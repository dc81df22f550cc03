"""Rows left `running` by a process that died are finalized as `Interrupted` by a later run:
`agentlog run`, a batch and the Python `run()` share one preflight. Reading commands leave
them as they are."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from agentlog.store.liveness import this_host
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
                                                                   read_rows, tmp_path, how,
                                                                   monkeypatch):
    running_row(log, deadline_ago=3600)
    path = write_agents(AGENTS)
    if how == "python":
        import agentlog
        from agentlog import api

        monkeypatch.setattr(api, "_logs", {})  # an earlier test's run() preflighted this URL

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


def dead_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def row_of(log, pid: int, host: str | None, deadline_ago: float) -> int:
    now = utcnow()
    return log.start({"agent_type": "a", "created_at": to_iso(now),
                      "deadline_at": to_iso(now - timedelta(seconds=deadline_ago)),
                      "pid": pid, "host": host})


def test_a_row_whose_process_is_alive_on_this_host_is_never_interrupted(log):
    alive = row_of(log, os.getpid(), this_host(), deadline_ago=3600)
    assert log.preflight() == 0
    assert status_of(log, alive)[0] == "running"


def test_a_row_whose_process_died_on_this_host_is_interrupted_before_its_deadline(log):
    pid = dead_pid()
    dead = row_of(log, pid, this_host(), deadline_ago=-600)
    assert log.preflight() == 1
    status, error_class, message, _ = status_of(log, dead)
    assert (status, error_class) == ("error", "Interrupted")
    assert f"process {pid} on {this_host()} ended" in message


def test_rows_of_another_host_are_judged_by_their_deadline_not_by_a_local_pid(log):
    past = row_of(log, os.getpid(), "elsewhere.example", deadline_ago=3600)
    ahead = row_of(log, dead_pid(), "elsewhere.example", deadline_ago=-600)
    assert log.preflight() == 1
    assert status_of(log, past)[:2] == ("error", "Interrupted")
    assert status_of(log, ahead)[0] == "running"


def test_an_outcome_finalized_after_another_process_closed_the_row_is_recorded(log):
    late = running_row(log, deadline_ago=3600)  # no host: judged by its deadline
    assert log.preflight() == 1
    log.finalize(late, {"status": "success", "response": "the real answer"})
    e = log.get(late)
    assert (e.status, e.error_class, e.response) == ("success", None, "the real answer")
    [hit] = log.fetch(Query().search("real"))
    assert hit.id == late


@pytest.mark.parametrize("how", ["batch", "python"])
def test_a_killed_batch_leaves_no_running_rows_after_the_next_batch_or_run(
        cli, write_agents, any_db, read_rows, fake_server, tmp_path, monkeypatch, how):
    path = write_agents(f"""
        agents:
          a: {{model: openai/gpt-4o-mini, api_base: '{fake_server.base("slow-30")}',
              api_key: x, prompt: hi, retries: {{max: 0}}}}
          b: {{model: gpt-4o-mini, prompt: hi, mock_response: yo}}
    """)
    (tmp_path / "rows.jsonl").write_text("{}\n{}\n")
    batch = subprocess.Popen([sys.executable, "-m", "agentlog", "run", "a", "--input",
                              "rows.jsonl", "-j", "2", "-c", str(path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # until both rows are running (the import takes seconds)
            try:
                if len(read_rows(any_db, "status = 'running'")) == 2:
                    break
            except Exception:  # noqa: BLE001  (the log is not created yet)
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the batch never started its rows")
    finally:
        batch.kill()
        batch.wait()
    if how == "python":
        import agentlog
        from agentlog import api

        monkeypatch.setattr(api, "_logs", {})  # the preflight runs once per process and log
        assert agentlog.run("b", config=str(path)).ok
    else:
        (tmp_path / "more.jsonl").write_text("{}\n")
        assert cli("run", "b", "--input", "more.jsonl", "-c", str(path)).exit_code == 0
    rows = read_rows(any_db)
    killed, new = rows[0], rows[-1]
    statuses = [(r["agent_type"], r["status"], r["error_class"]) for r in rows]
    assert statuses == [("a", "error", "Interrupted")] * 2 + [("b", "success", None)]
    assert f"process {batch.pid} on " in killed["error_message"] and new["host"]
