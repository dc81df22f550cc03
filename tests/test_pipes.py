"""A reader that stops early (`agentlog list --all --jsonl | head -n 1`) ends the command
quietly with exit code 0: a real pipe, closed after the first line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from agentlog.timeutil import to_iso, utcnow

ROWS = 600


@pytest.fixture
def full_log(log):
    now = to_iso(utcnow())
    for i in range(ROWS):
        log.insert({"agent_type": "a", "model_id": "gpt-4o-mini", "status": "success",
                    "created_at": now, "response": f"answer {i} " + "x" * 400})
    return log


def _first_line_then_close(*args: str) -> tuple[int, bytes, bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "agentlog", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=os.environ.copy())
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    return proc.wait(timeout=120), first, err


@pytest.mark.parametrize("args", [
    ["list", "--all", "--jsonl"], ["list", "--all", "--json"], ["list", "--all"],
    ["export", "jsonl"], ["show", "1"], ["report", "trend", "--days", "400"],
])
def test_a_closed_pipe_ends_the_command_quietly(full_log, args):
    code, first, err = _first_line_then_close(*args)
    assert first, err
    assert (code, err) == (0, b"")


def test_list_jsonl_prints_each_record_as_before(cli, log):
    """The fast to_dict changes no byte: each line is the record as asdict() spelled it."""
    import dataclasses
    import json

    from agentlog.timeutil import to_iso as iso

    log.insert({"agent_type": "a", "status": "success", "created_at": "2026-11-25T02:30:00.000Z",
                "metadata": {"team": "docs", "env": {"stage": "prod"}}, "cache_hit": True,
                "tool_calls": [{"id": "c1", "arguments": {"q": "ü"}}], "total_cost": 0.1})
    from agentlog.store.query import Query

    [record] = list(log.fetch(Query()))
    expected = dataclasses.asdict(record)
    expected.update({k: iso(v) for k, v in expected.items() if hasattr(v, "tzinfo")})
    assert cli("list", "--all", "--jsonl").stdout == \
        json.dumps(expected, ensure_ascii=False, default=str) + "\n"


def test_list_json_prints_rows_written_by_other_tools_as_show_does(cli, tmp_path):
    """A row written by raw SQL (a time without milliseconds, JSON with spaces, a flag as 1)
    comes out of `list --jsonl` and `list --json` as `show --json` spells it."""
    import json
    import sqlite3

    from agentlog import store

    path = tmp_path / "log.db"
    store.open(str(path)).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO executions (agent_type, status, created_at, metadata, cache_hit) "
                 "VALUES ('a', 'success', '2026-11-25T02:30:00+01:00', "
                 "'{ \"team\" : \"docs\", \"n\": [1, 2.50] }', 1)")
    conn.commit()
    conn.close()
    shown = json.loads(cli("show", "1", "--json", "--db", str(path)).stdout)
    assert shown["created_at"] == "2026-11-25T01:30:00.000Z"
    assert shown["metadata"] == {"team": "docs", "n": [1, 2.5]} and shown["cache_hit"] is True
    assert cli("list", "--all", "--jsonl", "--db", str(path)).stdout == \
        json.dumps(shown, ensure_ascii=False) + "\n"
    assert json.loads(cli("list", "--all", "--json", "--db", str(path)).stdout) == [shown]
