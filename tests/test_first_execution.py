"""The first execution of a process is timed like the others: litellm's one-time setup is
paid before any clock starts (runner/llm.warm_up), in a run, a stream and a batch alike."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import pytest
from conftest import REPO, rows

SETUP_MARGIN_MS = 300  # far below litellm's one-time setup, far above a call to the fake server


def batch_in_a_fresh_process(tmp_path, server, *, stream: bool, jobs: int, count: int):
    agents = tmp_path / "agents.yaml"
    agents.write_text(f"""
        agents:
          a:
            model: openai/gpt-4o-mini
            api_base: {server.base("ok")}
            api_key: fake-key
            params: {{name: {{}}}}
            prompt: "hello {{{{ name }}}}"
            stream: {str(stream).lower()}
            retries: {{max: 0}}
    """)
    inputs = tmp_path / "rows.jsonl"
    inputs.write_text("".join(json.dumps({"name": f"n{i}"}) + "\n" for i in range(count)))
    env = {**os.environ, "AGENTLOG_DB": str(tmp_path / "log.db"), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "agentlog", "run", "a", "-c", str(agents),
                           "--input", str(inputs), "-j", str(jobs), "--output", "out.jsonl"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    found = rows(tmp_path / "log.db")
    assert [r["status"] for r in found] == ["success"] * count
    return found


def assert_first_not_slower(first: list[int], later: list[int]) -> None:
    typical = statistics.median(later)
    assert max(first) < typical + SETUP_MARGIN_MS, (first, later)


@pytest.mark.parametrize(("stream", "jobs", "count"), [(False, 1, 4), (True, 1, 4),
                                                       (False, 4, 8)])
def test_the_first_executions_of_a_process_take_as_long_as_the_later_ones(
        tmp_path, fake_server, stream, jobs, count):
    found = batch_in_a_fresh_process(tmp_path, fake_server, stream=stream, jobs=jobs,
                                     count=count)
    durations = [r["duration_ms"] for r in found]
    assert_first_not_slower(durations[:jobs], durations[jobs:])
    if stream:
        ttfts = [r["time_to_first_token_ms"] for r in found]
        assert_first_not_slower(ttfts[:1], ttfts[1:])
