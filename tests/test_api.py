"""Running agents from Python (`agentlog.run` / `agentlog.arun`) and background logging."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading

import pytest

import agentlog
from agentlog.errors import ConfigError
from agentlog.store import async_writer
from agentlog.store.sqlite import writer

AGENTS = """
    {settings}
    agents:
      hello:
        model: gpt-4o-mini
        params: {{name: {{default: world}}}}
        prompt: "Say hello to {{{{ name }}}}."
        mock_response: Hello there
      person:
        model: gpt-4o-mini
        prompt: who?
        schema: {{type: object, properties: {{name: {{type: string}}}}}}
        mock_response: '{{"name": "Ada"}}'
      broken:
        model: gpt-4o-mini
        prompt: hi
        retries: {{max: 0}}
        mock_response: litellm.RateLimitError
"""


@pytest.fixture
def agents_file(write_agents):
    return str(write_agents(AGENTS.format(settings="")))


def test_run_returns_the_answer_and_logs_like_the_cli(agents_file, db_path, read_rows):
    result = agentlog.run("hello", name="Ada", config=agents_file, meta={"ticket": 7},
                          tenant="acme")
    assert result.ok and result.response == "Hello there" == result.text
    assert (result.input_tokens, result.output_tokens, result.total_tokens) == (10, 20, 30)
    assert result.cost > 0 and result.duration_ms >= 0 and result.error is None
    [row] = read_rows(db_path)
    assert row["id"] == result.execution_id == result.record.id
    assert row["user_prompt"] == "Say hello to Ada." and row["tenant_id"] == "acme"
    assert row["metadata"] == '{"ticket":7}' and row["status"] == "success"


def test_schema_agents_return_the_parsed_object(agents_file, db_path):
    result = agentlog.run("person", config=agents_file)
    assert result.response == {"name": "Ada"} and result.text == '{"name": "Ada"}'


def test_a_failed_execution_is_returned_not_raised(agents_file, db_path, read_rows):
    result = agentlog.run("broken", config=agents_file)
    assert not result.ok and result.status == "error"
    assert result.error.startswith("RateLimitError: ")
    assert read_rows(db_path)[0]["error_class"] == "RateLimitError"


def test_bad_input_raises_before_anything_is_logged(agents_file, db_path, read_rows):
    with pytest.raises(ConfigError, match="unknown parameter 'nme'"):
        agentlog.run("hello", nme="Ada", config=agents_file)
    with pytest.raises(ConfigError, match="unknown agent 'nope'"):
        agentlog.run("nope", config=agents_file)
    assert not db_path.exists() or read_rows(db_path) == []


def test_params_may_also_come_as_a_dict(agents_file, db_path, read_rows):
    agentlog.run("hello", params={"name": "Bob"}, config=agents_file)
    assert read_rows(db_path)[0]["user_prompt"] == "Say hello to Bob."


def test_arun_runs_executions_side_by_side(agents_file, db_path, read_rows):
    async def main():
        return await asyncio.gather(*(agentlog.arun("hello", name=str(i), config=agents_file)
                                      for i in range(10)))

    results = asyncio.run(main())
    assert all(r.ok for r in results)
    assert len({r.execution_id for r in results}) == 10 == len(read_rows(db_path))


def test_changes_to_the_agents_file_are_picked_up(agents_file, db_path, write_agents):
    assert agentlog.run("hello", config=agents_file).text == "Hello there"
    write_agents(AGENTS.format(settings="").replace("Hello there", "Hi again!"))
    assert agentlog.run("hello", config=agents_file).text == "Hi again!"


def test_import_agentlog_stays_cheap():
    code = "import agentlog, sys; print('agentlog.api' in sys.modules, 'litellm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False"]


def writer_of(where) -> object:
    """The module that writes the finalized rows of the log at `where`."""
    from agentlog.store.postgres import writer as pg_writer

    return pg_writer if str(where).startswith("postgresql://") else writer


def test_async_logging_returns_before_the_row_is_written(write_agents, any_db, read_rows,
                                                         monkeypatch):
    path = str(write_agents(AGENTS.format(settings="settings: {async_logging: true}")))
    release = threading.Event()
    real = writer_of(any_db).finalize_many

    def held(conn, items):
        release.wait(10)
        return real(conn, items)

    monkeypatch.setattr(writer_of(any_db), "finalize_many", held)
    result = agentlog.run("hello", config=path)
    assert result.ok and result.record.status == "success"
    assert read_rows(any_db)[0]["status"] == "running"
    release.set()
    async_writer.flush_all()
    [row] = read_rows(any_db)
    assert row["status"] == "success" and row["response"] == "Hello there"


def test_async_logging_batches_rows_into_few_transactions(write_agents, any_db, read_rows,
                                                          monkeypatch):
    path = str(write_agents(AGENTS.format(settings="settings: {async_logging: true}")))
    release, sizes = threading.Event(), []
    real = writer_of(any_db).finalize_many

    def held(conn, items):
        release.wait(10)
        sizes.append(len(items))
        return real(conn, items)

    monkeypatch.setattr(writer_of(any_db), "finalize_many", held)
    for _ in range(20):
        agentlog.run("hello", config=path)
    release.set()
    async_writer.flush_all()
    assert sum(sizes) == 20 and len(sizes) <= 2  # the first row, then everything queued
    assert {r["status"] for r in read_rows(any_db)} == {"success"}


def test_queued_rows_are_written_when_the_program_is_terminated(write_agents, db_path,
                                                                 read_rows):
    """SIGTERM unwinds the program, so the atexit flush (also used by a normal exit) runs."""
    path = write_agents(AGENTS.format(settings="settings: {async_logging: true}"))
    script = textwrap.dedent(f"""
        import os, signal, time
        import agentlog
        from agentlog.store.sqlite import writer
        real = writer.finalize_many
        def slow(conn, items):
            time.sleep(0.5)  # still queued when the program ends
            return real(conn, items)
        writer.finalize_many = slow
        agentlog.run("hello", config={str(path)!r})
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    """)
    done = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert done.returncode == 128 + 15
    [row] = read_rows(db_path)
    assert row["status"] == "success"
