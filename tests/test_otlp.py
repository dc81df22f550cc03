"""`agentlog export otlp` and live export: the spans a local OTLP/HTTP receiver decodes match
the logged rows, named by the OpenTelemetry GenAI conventions."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest
from conftest import MODELS, chain_agents, closed_port
from fake_replies import MODEL_SUFFIX

pytest_plugins = ("otlp_receiver",)  # its fixtures: otlp_receiver, slow_receiver


def _agent(base: str, extra: str = "") -> str:
    return f"""
        agents:
          a:
            model: openai/gpt-4o-mini
            api_base: {base}
            api_key: x
            prompt: What is the weather in Paris?
            retries: {{max: 0}}
            metadata: {{team: docs, ticket: 42}}
            {extra}
    """


def _ns(iso: str) -> int:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(moment.timestamp()) * 10**9 + moment.microsecond * 1000


def _export(cli, receiver, *args: str) -> dict:
    result = cli("export", "otlp", "--endpoint", receiver.endpoint, *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(cli("show", "last", "--json").stdout)


def _trace(receiver, execution_id: int) -> tuple[dict, list[dict]]:
    """The invoke_agent span of an execution and its children."""
    [root] = [s for s in receiver.spans
              if s["attributes"].get("agentlog.execution.id") == execution_id]
    children = [s for s in receiver.spans if s["parent"] == root["span_id"]]
    assert all(c["trace_id"] == root["trace_id"] for c in children)
    return root, children


def test_a_success_is_an_invoke_agent_span_with_a_chat_child_as_logged(
        cli, write_agents, any_db, fake_server, otlp_receiver):
    write_agents(_agent(fake_server.base("ok")))
    assert cli("run", "a", "--tenant", "acme").exit_code == 0
    e = _export(cli, otlp_receiver)
    root, [chat] = _trace(otlp_receiver, e["id"])
    assert root["name"] == "invoke_agent a" and root["parent"] is None
    assert otlp_receiver.requests[0]["path"] == "/v1/traces"
    assert root["resource"]["service.name"] == "agentlog"
    assert root["attributes"] == {
        "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "a",
        "gen_ai.agent.version": e["agent_version"], "gen_ai.request.model": "openai/gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini" + MODEL_SUFFIX, "gen_ai.provider.name": "openai",
        "gen_ai.response.id": e["response_id"], "gen_ai.request.stream": False,
        "gen_ai.usage.input_tokens": e["input_tokens"],
        "gen_ai.usage.output_tokens": e["output_tokens"],
        "gen_ai.response.finish_reasons": ["stop"], "server.address": "127.0.0.1",
        "server.port": fake_server.port, "agentlog.execution.id": e["id"],
        "agentlog.status": "success", "agentlog.cost.input_usd": e["input_cost"],
        "agentlog.cost.output_usd": e["output_cost"], "agentlog.cost.total_usd": e["total_cost"],
        "agentlog.cost.source": e["cost_source"], "agentlog.tenant": "acme",
        "agentlog.cache_hit": False, "agentlog.metadata.team": "docs",
        "agentlog.metadata.ticket": 42}
    assert (root["start"], root["end"]) == (_ns(e["started_at"]), _ns(e["completed_at"]))
    [attempt] = e["attempts"]
    assert chat["name"] == "chat openai/gpt-4o-mini"
    assert chat["start"] == _ns(attempt["started_at"])
    assert chat["end"] - chat["start"] == attempt["duration_ms"] * 10**6
    assert chat["attributes"]["gen_ai.operation.name"] == "chat"
    assert chat["attributes"]["gen_ai.response.id"] == e["response_id"]
    assert chat["attributes"]["gen_ai.usage.input_tokens"] == attempt["input_tokens"]
    assert chat["attributes"]["agentlog.cost.total_usd"] == attempt["cost"]


def test_the_requested_temperature_and_token_limit_are_logged_shown_and_sent(
        cli, write_agents, any_db, fake_server, otlp_receiver):
    write_agents(_agent(fake_server.base("ok"), "temperature: 0.2\n            max_tokens: 1500"))
    assert cli("run", "a").exit_code == 0
    e = _export(cli, otlp_receiver)
    assert (e["temperature"], e["max_tokens"]) == (0.2, 1500)
    assert re.search(r"max tokens +1,500", cli("show", "last").stdout)
    root, [chat] = _trace(otlp_receiver, e["id"])
    for span in (root, chat):
        assert span["attributes"]["gen_ai.request.temperature"] == 0.2
        assert span["attributes"]["gen_ai.request.max_tokens"] == 1500


def test_a_retried_failure_is_one_chat_span_per_attempt_with_its_error(
        cli, write_agents, any_db, fake_server, otlp_receiver, waits):
    write_agents(_agent(fake_server.base("flaky-1"), "").replace("{max: 0}", "{max: 1}"))
    assert cli("run", "a").exit_code == 0
    e = _export(cli, otlp_receiver)
    root, chats = _trace(otlp_receiver, e["id"])
    first, second = sorted(chats, key=lambda s: s["attributes"]["agentlog.attempt"])
    assert first["attributes"]["error.type"] == "InternalServerError"
    assert first["attributes"]["http.response.status_code"] == 500
    assert first["status"] == 2 and "InternalServerError" in first["message"]  # ERROR
    assert "error.type" not in second["attributes"] and second["status"] == 0
    assert root["status"] == 0


def test_a_fallback_names_each_model_tried_and_the_reason(
        cli, write_agents, any_db, fake_server, otlp_receiver):
    write_agents(chain_agents(fake_server.base("e401"), fake_server.base("ok"),
                              retries="{max: 0}"))
    assert cli("run", "a").exit_code == 0
    e = _export(cli, otlp_receiver)
    root, chats = _trace(otlp_receiver, e["id"])
    assert sorted(c["name"] for c in chats) == sorted(f"chat {m}" for m in MODELS[:2])
    failed = next(c for c in chats if c["name"] == f"chat {MODELS[0]}")
    assert failed["attributes"]["error.type"] == "AuthenticationError"
    assert root["attributes"]["agentlog.fallback_reason"] == "auth"
    assert root["attributes"]["gen_ai.request.model"] == MODELS[0]


def test_a_failed_execution_is_an_error_span(cli, write_agents, any_db, fake_server,
                                             otlp_receiver):
    write_agents(_agent(fake_server.base("e400")))
    assert cli("run", "a").exit_code == 1
    e = _export(cli, otlp_receiver)
    root, _ = _trace(otlp_receiver, e["id"])
    assert root["status"] == 2 and root["attributes"]["error.type"] == e["error_class"]
    assert root["attributes"]["agentlog.status"] == "error"


def test_a_streamed_answer_reports_its_first_chunk(cli, write_agents, any_db, fake_server,
                                                   otlp_receiver):
    write_agents(_agent(fake_server.base("ok"), "stream: true"))
    assert cli("run", "a").exit_code == 0
    e = _export(cli, otlp_receiver)
    root, [chat] = _trace(otlp_receiver, e["id"])
    assert root["attributes"]["gen_ai.request.stream"] is True
    assert root["attributes"]["gen_ai.response.time_to_first_chunk"] == \
        e["time_to_first_token_ms"] / 1000
    assert chat["attributes"]["gen_ai.response.model"] == "gpt-4o-mini" + MODEL_SUFFIX


def test_a_tool_call_is_an_execute_tool_span_timed_by_the_call(
        cli, write_agents, any_db, fake_server, otlp_receiver):
    write_agents(_agent(fake_server.base("tools"), "tools: [sample_tools:get_weather]"))
    assert cli("run", "a").exit_code == 0
    e = _export(cli, otlp_receiver)
    root, children = _trace(otlp_receiver, e["id"])
    [tool] = [c for c in children if c["name"].startswith("execute_tool")]
    [call] = e["tool_calls"]
    assert tool["name"] == "execute_tool get_weather"
    assert tool["attributes"]["gen_ai.operation.name"] == "execute_tool"
    assert tool["attributes"]["gen_ai.tool.name"] == "get_weather"
    assert tool["attributes"]["gen_ai.tool.call.id"] == call["id"]
    assert tool["start"] == _ns(call["started_at"])
    assert tool["end"] - tool["start"] == call["duration_ms"] * 10**6
    assert len([c for c in children if c["name"].startswith("chat")]) == 2


def test_re_export_and_a_copy_of_the_log_give_the_same_ids_and_another_log_does_not(
        cli, write_agents, db_path, tmp_path, otlp_receiver):
    write_agents(_agent("unused", "mock_response: hi"))
    assert cli("run", "a").exit_code == 0
    ids = []
    for db in (str(db_path), str(db_path), str(tmp_path / "copy.db")):
        if db.endswith("copy.db"):
            assert cli("db", "copy", str(db_path), db).exit_code == 0
        otlp_receiver.spans.clear()
        assert cli("export", "otlp", "--endpoint", otlp_receiver.endpoint, "--db", db) \
            .exit_code == 0
        ids.append(sorted((s["trace_id"], s["span_id"]) for s in otlp_receiver.spans))
    assert ids[0] == ids[1] == ids[2] and len(ids[0]) == 2
    other = tmp_path / "other.db"
    assert cli("run", "a", env={"AGENTLOG_DB": str(other)}).exit_code == 0
    otlp_receiver.spans.clear()
    assert cli("export", "otlp", "--endpoint", otlp_receiver.endpoint, "--db", str(other)) \
        .exit_code == 0
    assert not {t for t, _ in ids[0]} & {s["trace_id"] for s in otlp_receiver.spans}


def test_headers_reach_the_collector_and_a_bad_one_is_an_error(cli, write_agents, db_path,
                                                                otlp_receiver):
    write_agents(_agent("unused", "mock_response: hi"))
    assert cli("run", "a").exit_code == 0
    ok = cli("export", "otlp", "--endpoint", otlp_receiver.endpoint, "--headers", "x-key=s3")
    assert ok.exit_code == 0 and "sent 1 execution (2 spans)" in ok.stderr
    assert otlp_receiver.requests[0]["headers"].get("x-key") == "s3"
    bad = cli("export", "otlp", "--endpoint", otlp_receiver.endpoint, "--headers", "nokey")
    assert bad.exit_code != 0 and "--headers expects KEY=VALUE" in bad.stderr


def test_a_progress_bar_counts_the_finalized_executions_as_they_are_sent(
        cli, seeded_log, otlp_receiver, monkeypatch):
    from contextlib import contextmanager

    from agentlog.cli import progress

    seen = []

    @contextmanager
    def bar(total, label, unit="rows"):
        seen.append(["total", total(), label])
        yield lambda n: seen.append(n)

    monkeypatch.setattr(progress, "bar", bar)
    result = cli("export", "otlp", "--endpoint", otlp_receiver.endpoint)
    assert result.exit_code == 0, result.stderr
    assert seen[0] == ["total", 9, "export otlp"]  # the running one is left out
    assert sum(seen[1:]) == 9
    assert "sent 9 executions (10 spans)" in result.stderr
    seen.clear()
    assert cli("export", "otlp", "--endpoint", otlp_receiver.endpoint, "-n", "3").exit_code == 0
    assert seen[0] == ["total", 3, "export otlp"] and sum(seen[1:]) == 3


def test_spans_go_out_in_requests_of_at_most_batch_size_each(cli, seeded_log, otlp_receiver):
    result = cli("export", "otlp", "--endpoint", otlp_receiver.endpoint, "--batch-size", "4")
    assert result.exit_code == 0, result.stderr
    assert [r["spans"] for r in otlp_receiver.requests] == [4, 4, 2]
    assert len({s["span_id"] for s in otlp_receiver.spans}) == 10
    otlp_receiver.requests.clear()
    assert cli("export", "otlp", "--endpoint", otlp_receiver.endpoint).exit_code == 0
    assert [r["spans"] for r in otlp_receiver.requests] == [10]


def test_request_timeout_gives_up_on_a_collector_that_holds_the_request(cli, seeded_log,
                                                                 slow_receiver):
    result = cli("export", "otlp", "--endpoint", slow_receiver.endpoint,
                 "--request-timeout", "0.5")
    assert result.exit_code != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("agentlog: error: cannot send spans to") and "0 spans" in line
    assert slow_receiver.held  # given up on while the collector still holds it


def _run(agents: str, tmp_path, timeout: float = 100) -> subprocess.CompletedProcess:
    """`agentlog run a` in its own process, so that its exit (and the warning) happens."""
    path = tmp_path / "live.yaml"
    path.write_text(agents)
    env = {**os.environ, "AGENTLOG_CONFIG": str(path)}
    return subprocess.run([sys.executable, "-m", "agentlog", "run", "a"], capture_output=True,
                          text=True, env=env, timeout=timeout)


def _live(endpoint: str) -> str:
    return textwrap.dedent(_agent("unused", "mock_response: hi")) + \
        f"\nsettings:\n  otlp: {{endpoint: '{endpoint}', headers: {{x-team: docs}}}}\n"


def test_live_export_sends_each_execution_as_it_finalizes(tmp_path, db_path, otlp_receiver):
    result = _run(_live(otlp_receiver.endpoint), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    names = sorted(s["name"] for s in otlp_receiver.spans)
    assert names == ["chat openai/gpt-4o-mini", "invoke_agent a"]
    assert otlp_receiver.requests[0]["headers"].get("x-team") == "docs"


def test_a_collector_that_is_down_never_fails_a_run_and_one_line_says_what_was_dropped(
        tmp_path, db_path):
    result = _run(_live(f"http://127.0.0.1:{closed_port()}"), tmp_path)
    assert result.returncode == 0 and result.stdout == "hi\n"
    [warning] = [line for line in result.stderr.splitlines() if "warning" in line]
    assert "OpenTelemetry export" in warning and "dropped 2 spans" in warning


def test_a_collector_that_never_answers_does_not_hold_the_run(tmp_path, db_path,
                                                               slow_receiver):
    result = _run(_live(slow_receiver.endpoint), tmp_path)
    assert result.returncode == 0 and result.stdout == "hi\n"
    assert "dropped 2 spans" in result.stderr
    assert slow_receiver.requests and slow_receiver.held  # the run ended, its request waits


BLOCKED = """
import sys
sys.modules["opentelemetry"] = None  # as if the otel extra were not installed
from agentlog.cli.app import main
sys.argv = ["agentlog", *sys.argv[1:]]
main()
"""


def test_without_the_otel_extra_the_command_says_which_extra_to_install(db_path):
    result = subprocess.run([sys.executable, "-c", BLOCKED, "export", "otlp"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        'agentlog: error: sending OpenTelemetry spans needs the otel extra: '
        'pip install "agentlog[otel]"']


def test_without_the_otel_extra_a_run_with_settings_otlp_warns_once_and_succeeds(
        tmp_path, db_path):
    path = tmp_path / "live.yaml"
    path.write_text(_live("http://127.0.0.1:4318"))
    result = subprocess.run([sys.executable, "-c", BLOCKED, "run", "a"], capture_output=True,
                            text=True, timeout=100,
                            env={**os.environ, "AGENTLOG_CONFIG": str(path)})
    assert result.returncode == 0 and result.stdout == "hi\n"
    assert [line for line in result.stderr.splitlines() if "warning" in line] == [
        'agentlog: warning: sending OpenTelemetry spans needs the otel extra: '
        'pip install "agentlog[otel]"; executions are not exported']


@pytest.mark.parametrize("args", [["export", "otlp", "--help"], ["export", "--help"]])
def test_export_help_lists_otlp_without_loading_opentelemetry(args, db_path):
    probe = ("import sys\nfrom agentlog.cli.app import app\ntry:\n    app(sys.argv[1:])\n"
             "except SystemExit:\n    pass\n"
             "print('OTEL' if any(m.startswith('opentelemetry') for m in sys.modules) "
             "else 'NO_OTEL', file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                            text=True, timeout=60)
    assert "NO_OTEL" in result.stderr and "otlp" in result.stdout
