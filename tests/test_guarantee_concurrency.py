"""Concurrent writers lose nothing: 8 `agentlog run` processes log 100 executions each into
one new database while `list`, `report`, `budgets` and a Python query read it in a loop. Exactly 800
rows, all finalized and searchable, and no "database is locked" anywhere."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading

import pytest

from agentlog import Executions

WRITERS = 8
ROWS = 100


def agentlog(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "agentlog", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.timeout(300)  # about 45 s on two idle cores; eight litellm imports on a busy CI
def test_eight_writers_and_three_readers_lose_nothing_and_never_lock(write_agents, db_path,
                                                                      tmp_path):
    write_agents("""
        agents:
          a: {model: gpt-4o-mini, params: {n: {}}, prompt: "row {{ n }}", mock_response: ok}
        settings:
          budgets: {daily: 1000, per_agent: {a: {daily: 100}}}
    """)
    for w in range(WRITERS):
        lines = (json.dumps({"n": f"w{w}r{r}"}) for r in range(ROWS))
        (tmp_path / f"rows{w}.jsonl").write_text("\n".join(lines) + "\n")
    writers = [agentlog("run", "a", "--input", f"rows{w}.jsonl", "-j", "1")
               for w in range(WRITERS)]
    done = threading.Event()
    errors: list[str] = []
    counts: list[int] = []
    reads: list[str] = []

    def created() -> None:  # reading commands refuse a log that no writer has created yet
        while not db_path.exists() and not done.is_set():
            done.wait(0.05)

    def read_with_the_cli() -> None:
        created()
        while not done.is_set():
            for command in (["list", "-n", "5"], ["report", "daily"], ["budgets"],
                            ["list", "--search", "row"]):
                reader = agentlog(*command)
                _, err = reader.communicate(timeout=60)
                reads.append(command[0])
                if reader.returncode != 0 or err:
                    errors.append(f"{command}: {reader.returncode} {err}")
                done.wait(0.3)  # leave the two cores mostly to the writers

    def read_with_python() -> None:
        created()
        with Executions.open(str(db_path)) as log:
            while not done.is_set():
                counts.append(log.count())
                log.failed().count()
                log.by_agent("a").sum("total_cost")
                done.wait(0.02)

    readers = [threading.Thread(target=read_with_the_cli),
               threading.Thread(target=read_with_python)]
    for reader in readers:
        reader.start()
    try:
        outputs = [writer.communicate(timeout=240) for writer in writers]
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=60)

    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert "locked" not in err, err
        assert [json.loads(line)["status"] for line in out.splitlines()] == ["success"] * ROWS
    assert not errors, errors[:3]
    assert reads.count("list") >= 2 and "budgets" in reads and "report" in reads
    assert counts and counts == sorted(counts)  # a reader never sees rows disappear

    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT status, count(*), count(completed_at) FROM executions "
                            "GROUP BY status").fetchall() == [("success", 800, 800)]
        assert conn.execute("SELECT count(DISTINCT batch_id), count(DISTINCT user_prompt) "
                            "FROM executions").fetchone() == (WRITERS, WRITERS * ROWS)
        indexed = conn.execute("SELECT count(*) FROM executions_fts "
                               "WHERE executions_fts MATCH 'row'").fetchone()[0]
        assert indexed == WRITERS * ROWS  # each finalized row indexed exactly once
    finally:
        conn.close()
    assert os.stat(db_path).st_mode & 0o077 == 0
