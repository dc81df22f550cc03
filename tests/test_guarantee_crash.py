"""Crash safety: a run killed with SIGKILL mid-call leaves a visible `running` row that later
commands report and then mark `Interrupted`; a migration killed midway leaves a database that
opens, passes `PRAGMA integrity_check` and finishes the upgrade on the next open."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from agentlog.store.sqlite import db, migrations


def integrity(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def running_ids(path) -> list[int]:
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=5)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM executions WHERE status = 'running'")]
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        conn.close()


def test_a_run_killed_mid_call_is_shown_running_then_marked_interrupted(
        cli, write_agents, db_path, fake_server, read_rows):
    write_agents(f"""
        agents:
          slow:
            model: openai/gpt-4o-mini
            api_base: '{fake_server.base("slow-5")}'
            api_key: x
            prompt: hi
            timeout: 8
            total_timeout: 10
            retries: {{max: 0}}
          quick: {{model: gpt-4o-mini, prompt: hi, mock_response: ok}}
    """)
    child = subprocess.Popen([sys.executable, "-m", "agentlog", "run", "slow"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        [execution_id] = wait_for(lambda: fake_server.count() and running_ids(db_path))
        os.kill(child.pid, signal.SIGKILL)  # the model call is in flight
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert integrity(db_path) == "ok"
    listed = cli("list", "--running", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)] == [execution_id]
    assert "running" in cli("list").stdout
    [row] = read_rows(db_path)
    assert (row["status"], row["completed_at"], row["pid"]) == ("running", None, child.pid)

    assert cli("run", "quick").exit_code == 0  # its process is gone: no deadline to wait for
    killed = read_rows(db_path)[0]
    assert (killed["status"], killed["error_class"]) == ("error", "Interrupted")
    assert f"process {child.pid} on {row['host']} ended without finalizing" \
        in killed["error_message"]
    assert json.loads(cli("list", "--running", "--json").stdout) == []
    assert [r["id"] for r in json.loads(cli("list", "--failed", "--json").stdout)] == \
        [execution_id]


# A child that applies the migrations but SIGKILLs itself inside one step, after the step's
# own statements ran and before its record is written and the transaction committed.
KILL_INSIDE = """
import os, signal, sys
from pathlib import Path
from agentlog.store.sqlite import db, migrations
name = sys.argv[2]
index = [m.__name__ for m in migrations.MIGRATIONS].index(name)
step = migrations.MIGRATIONS[index]
def dying(database):
    step(database)
    os.kill(os.getpid(), signal.SIGKILL)
migrations.MIGRATIONS[index] = dying
dying.__name__ = name
db.connect(Path(sys.argv[1]))
"""
ROWS = 2000


def database_at(path, applied: int, monkeypatch) -> None:
    """A database with only the first `applied` migrations, and ROWS executions if it has
    the table."""
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:applied])
        patch.setattr(migrations, "SCHEMA_VERSION", applied)
        conn = db.connect(path)
    if applied:
        conn.executemany("INSERT INTO executions (agent_type, status, created_at, user_prompt) "
                         "VALUES ('a', 'success', ?, ?)",
                         [(f"2026-11-01T00:00:{i % 60:02d}.000Z", f"prompt {i} " * 20)
                          for i in range(ROWS)])
    conn.close()


@pytest.mark.parametrize("step", [m.__name__ for m in migrations.MIGRATIONS])
def test_a_migration_killed_midway_leaves_a_database_that_opens_and_upgrades(
        tmp_path, monkeypatch, step):
    path = tmp_path / "old.db"
    applied = [m.__name__ for m in migrations.MIGRATIONS].index(step)
    if applied:
        database_at(path, applied, monkeypatch)
    killed = subprocess.run([sys.executable, "-c", KILL_INSIDE, str(path), step], timeout=60)
    assert killed.returncode == -signal.SIGKILL

    assert integrity(path) == "ok"
    conn = db.connect(path)  # the next open finishes the upgrade
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        assert [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")] == \
            [m.__name__ for m in migrations.MIGRATIONS]
        assert conn.execute("SELECT count(*) FROM executions").fetchone()[0] == \
            (ROWS if applied else 0)
    finally:
        conn.close()
