"""A prune killed at any point leaves a log that opens, passes its integrity checks, keeps
every row it was not asked to delete, whose daily and hourly totals still count its rows, and
that can be pruned again to the end."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from agentlog.store.sqlite import db

NOW = "2026-11-25T03:00:00.000Z"
OLD_ROWS = 8000  # two delete batches of 5,000


def build(path) -> None:
    conn = db.connect(path)
    text = "Summarize the quarterly invoice report for the customer. " * 15
    rows = [("old", "success", f"2026-10-01T00:00:{i % 60:02d}.000Z", text, "An answer.")
            for i in range(OLD_ROWS)]
    rows += [("new", "success", "2026-11-25T01:00:00.000Z", text, "Kept."),
             ("old", "running", "2026-10-01T00:00:00.000Z", text, None)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO executions (agent_type, status, created_at, user_prompt, "
                     "response, deadline_at) VALUES (?, ?, ?, ?, ?, '2099-01-01T00:00:00.000Z')",
                     rows)
    conn.execute("COMMIT")
    conn.close()


def check(path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO executions_fts(executions_fts) VALUES('integrity-check')")
        indexed = {r[0] for r in conn.execute("SELECT id FROM executions_fts_docsize")}
        final = {r[0] for r in conn.execute("SELECT id FROM executions WHERE status != 'running'")}
        assert indexed == final
        for table, width in (("execution_days", 10), ("execution_hours", 13)):  # the totals
            summed = set(conn.execute(f"SELECT bucket, key, executions FROM {table}"))
            counted = set(conn.execute(
                f"SELECT substr(created_at, 1, {width}), quote(agent_type) || ',' || "
                "quote(agent_version) || ',' || quote(model_id) || ',' || "
                "quote(chosen_model_id) || ',' || quote(tenant_id) || ',' || quote(status) || "
                "',' || quote(error_class) || ',' || quote(cache_hit) || ',' || "
                "quote(fallback_reason) || ',' || quote(attempts_count), count(*) "
                "FROM executions GROUP BY 1, 2"))
            assert summed == counted, table
        kept = conn.execute("SELECT count(*) FROM executions WHERE agent_type = 'new' OR "
                            "status = 'running'").fetchone()[0]
        old = conn.execute("SELECT count(*) FROM executions WHERE agent_type = 'old' AND "
                           "status != 'running'").fetchone()[0]
        return kept, old
    finally:
        conn.close()


def prune(path) -> subprocess.Popen:
    env = {**os.environ, "AGENTLOG_NOW": NOW, "AGENTLOG_DB": str(path)}
    return subprocess.Popen([sys.executable, "-m", "agentlog", "prune", "--older-than", "7d",
                             "--yes"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


@pytest.mark.timeout(300)
def test_a_prune_killed_at_any_moment_leaves_a_consistent_log(tmp_path):
    template = tmp_path / "template.db"
    build(template)
    start = time.monotonic()
    reference = tmp_path / "reference.db"
    shutil.copyfile(template, reference)
    assert prune(reference).wait(timeout=240) == 0
    full = time.monotonic() - start
    assert check(reference) == (2, 0)
    for fraction in (0.35, 0.55, 0.75, 0.9):
        path = tmp_path / f"killed-{fraction}.db"
        shutil.copyfile(template, path)
        proc = prune(path)
        time.sleep(full * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        kept, old = check(path)
        assert kept == 2  # the new row and the running row are never touched
        assert old in range(0, OLD_ROWS + 1)
        assert prune(path).wait(timeout=240) == 0  # and a later prune finishes the job
        assert check(path) == (2, 0)
