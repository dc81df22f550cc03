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
