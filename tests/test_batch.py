"""Batch runs: `agentlog run AGENT --input FILE`, concurrency, ordered output, interruption."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time

from conftest import rows

from agentlog import config, store
from agentlog.runner import batch
from agentlog.runner.execute import RunRequest


def server_agent(server, behaviour: str) -> str:
    return f"""
        agents:
          a:
            model: openai/gpt-4o-mini
            api_base: {server.base(behaviour)}
            api_key: fake-key
            params: {{name: {{}}}}
            prompt: "hello {{{{ name }}}}"
            retries: {{max: 0}}
    """


MOCK = """
    agents:
      a: {model: gpt-4o-mini, params: {name: {}}, prompt: "hello {{ name }}", mock_response: hi}
"""


def interrupt_when_running(db_path, n: int, times: int = 1) -> None:
    """Press Ctrl-C (SIGINT to this process) once `n` rows are running, `times` times.
    Python's own Ctrl-C handler is put back first: a process started with SIGINT ignored (a
    background job, a test worker) would otherwise never see the key."""
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def press() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if db_path.exists() and len(rows(db_path, "status = 'running'")) >= n:
                    break
            except sqlite3.OperationalError:  # not created yet
                pass
            time.sleep(0.02)
        for _ in range(times):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.3)

    threading.Thread(target=press, daemon=True).start()


def outputs(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_good_failing_and_malformed_rows(cli, write_agents, db_path, read_rows, fake_server,
                                         tmp_path):
    write_agents(server_agent(fake_server, "flaky-1"))  # the first request fails, then ok
    (tmp_path / "rows.jsonl").write_text(
        '{"name": "Ada"}\n{"name": \n\n{"other": 1}\n{"name": "Grace"}\n[1, 2]\n')
    result = cli("run", "a", "--input", "rows.jsonl", "-j", "1", "--output", "out.jsonl")
    assert result.exit_code == 1
    lines = outputs(tmp_path / "out.jsonl")
    assert [(o["line"], o["status"]) for o in lines] == [
        (1, "error"), (2, "invalid"), (4, "invalid"), (5, "success"), (6, "invalid")]
    assert lines[0]["error"].startswith("InternalServerError")
    assert lines[3] == {"line": 5, "execution_id": 2, "status": "success",
                        "response": "fake answer"}
    assert lines[1]["execution_id"] is None and lines[1]["error"].startswith("not valid JSON")
    assert "unknown parameter 'other'" in lines[2]["error"]
    assert "line 2: invalid: not valid JSON" in result.stderr
    assert "line 6: invalid: expected a JSON object" in result.stderr
    rows = read_rows(db_path)
    assert [r["status"] for r in rows] == ["error", "success"]
    assert rows[0]["batch_id"] == rows[1]["batch_id"] is not None
    assert "batch " + rows[0]["batch_id"] in result.stderr


def test_a_row_that_is_not_valid_unicode_is_invalid_and_the_others_run(
        cli, write_agents, db_path, read_rows, tmp_path):
    write_agents(MOCK)
    (tmp_path / "rows.jsonl").write_text('{"name": "bad \\ud800"}\n{"name": "Ada"}\n')
    result = cli("run", "a", "--input", "rows.jsonl", "-o", "out.jsonl")
    assert result.exit_code == 1
    bad, good = outputs(tmp_path / "out.jsonl")
    assert bad == {"line": 1, "execution_id": None, "status": "invalid",
                   "error": "agent 'a': parameter 'name': not valid Unicode text "
                            "(lone surrogate '\\ud800' at position 4)"}
    assert good["status"] == "success"
    assert [json.loads(r["parameters"]) for r in read_rows(db_path)] == [{"name": "Ada"}]


def test_summary_table_counts_the_batch(cli, write_agents, db_path, tmp_path):
    write_agents(MOCK)
    (tmp_path / "rows.jsonl").write_text("".join(f'{{"name": "n{i}"}}\n' for i in range(5)))
    result = cli("run", "a", "--input", "rows.jsonl", "-o", "out.jsonl")
    assert result.exit_code == 0, result.stderr
    header, values = result.stderr.splitlines()[:2]
    assert header.split() == ["count", "success", "failed", "invalid", "skipped", "cost", "p50",
                              "p95"]
    assert values.split()[:5] == ["5", "5", "0", "0", "0"]


def test_results_keep_input_order_at_any_concurrency(cli, write_agents, db_path, tmp_path):
    write_agents(MOCK)
    (tmp_path / "rows.jsonl").write_text("".join(f'{{"name": "n{i}"}}\n' for i in range(40)))
    result = cli("run", "a", "--input", "rows.jsonl", "-j", "8")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == \
        list(range(1, 41))


def test_csv_from_stdin_with_line_numbers(cli, write_agents, db_path, read_rows):
    write_agents(MOCK)
    result = cli("run", "a", "--input", "-", input='name\nAda\n"two\nlines"\nx,y\nGrace\n')
    assert result.exit_code == 1
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["line"], o["status"]) for o in got] == [
        (2, "success"), (3, "success"), (5, "invalid"), (6, "success")]
    assert got[2]["error"] == "expected 1 fields, got 2"
    assert sorted(r["user_prompt"] for r in read_rows(db_path)) == [
        "hello Ada", "hello Grace", "hello two\nlines"]


def test_params_given_with_p_apply_to_every_row(cli, write_agents, db_path, read_rows,
                                                tmp_path):
    write_agents(MOCK.replace('{name: {}}', '{name: {}, greeting: {}}').replace(
        '"hello {{ name }}"', '"{{ greeting }} {{ name }}"'))
    (tmp_path / "rows.jsonl").write_text('{"name": "Ada"}\n{"name": "Bob", "greeting": "yo"}\n')
    assert cli("run", "a", "--input", "rows.jsonl", "-p", "greeting=hi").exit_code == 0
    assert sorted(r["user_prompt"] for r in read_rows(db_path)) == ["hi Ada", "yo Bob"]


def test_missing_input_file_and_json_flag_are_input_errors(cli, write_agents, db_path):
    write_agents(MOCK)
    result = cli("run", "a", "--input", "nope.jsonl")
    assert result.exit_code == 2 and "input file not found: nope.jsonl" in result.stderr
    assert cli("run", "a", "--input", "-", "--json", input="").exit_code == 2


def test_ctrl_c_stops_launching_and_lets_running_rows_finish(cli, write_agents, db_path,
                                                             read_rows, fake_server, tmp_path):
    write_agents(server_agent(fake_server, "slow-2"))
    (tmp_path / "rows.jsonl").write_text("".join(f'{{"name": "n{i}"}}\n' for i in range(6)))
    interrupt_when_running(db_path, 2)
    result = cli("run", "a", "--input", "rows.jsonl", "-j", "2", "-o", "out.jsonl")
    assert result.exit_code == 130
    assert [o["status"] for o in outputs(tmp_path / "out.jsonl")] == \
        ["success", "success", "skipped", "skipped", "skipped", "skipped"]
    assert [r["status"] for r in read_rows(db_path)] == ["success", "success"]
    assert "interrupted" in result.stderr


def test_second_ctrl_c_marks_running_rows_interrupted(write_agents, db_path, read_rows,
                                                      fake_server, tmp_path):
    cfg = config.load(str(write_agents(server_agent(fake_server, "slow-5"))))
    todo = [batch.Row(i + 1, {"name": f"n{i}"}) for i in range(3)]
    interrupt_when_running(db_path, 3, times=2)
    written = []
    with store.open(db_path) as log:
        summary = batch.run(cfg, RunRequest("a"), todo, log, jobs=3, write=written.append)
    assert summary.interrupted and summary.failed == 3
    assert [(r.status, r.error) for r in written] == [("error", "Interrupted")] * 3
    stored = read_rows(db_path)
    assert [(r["status"], r["error_class"]) for r in stored] == [("error", "Interrupted")] * 3
    assert all(r["completed_at"] for r in stored)


def test_concurrency_is_real(write_agents, db_path, fake_server):
    """200 rows of 100 ms each at -j 20: about a second of waiting, not twenty."""
    cfg = config.load(str(write_agents(server_agent(fake_server, "slow-0.1"))))
    todo = [batch.Row(i + 1, {"name": str(i)}) for i in range(200)]
    start = time.monotonic()
    with store.open(db_path) as log:
        summary = batch.run(cfg, RunRequest("a"), todo, log, jobs=20)
    elapsed = time.monotonic() - start
    assert summary.success == 200
    assert elapsed < 10, f"200 rows at -j 20 took {elapsed:.1f} s"
