"""Typos do not pass silently: an agent name that is neither in the agents file nor in the log,
an unknown key in the agents file, an agents file with no agents."""

from __future__ import annotations

import pytest

from agentlog.timeutil import to_iso, utcnow


@pytest.fixture
def one_run(log, write_agents):
    write_agents("agents:\n  summarize: {model: gpt-4o-mini, prompt: hi}\n"
                 "  declared: {model: gpt-4o-mini, prompt: hi}\n")
    log.insert({"agent_type": "summarize", "status": "success", "created_at": to_iso(utcnow())})
    log.insert({"agent_type": "logged-only", "status": "success",
                "created_at": to_iso(utcnow())})


@pytest.mark.parametrize("args", [["report", "stats", "sumarize"],
                                  ["list", "--agent", "sumarize"],
                                  ["export", "json", "--agent", "sumarize"],
                                  ["report", "daily", "--agent", "summarize,sumarize"]])
def test_an_unknown_agent_is_an_error_with_did_you_mean(cli, one_run, args):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "unknown agent 'sumarize'" in result.stderr
    assert "did you mean 'summarize'?" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["declared", "logged-only"])
def test_an_agent_in_the_file_or_only_in_the_log_is_known(cli, one_run, name):
    assert cli("report", "stats", name).exit_code == 0
    assert cli("list", "--agent", name).exit_code == 0


def test_an_unknown_key_in_the_agents_file_suggests_the_right_one(cli, write_agents):
    write_agents("agents:\n  a: {model: gpt-4o-mini, prompt: hi, temprature: 0.2}\n")
    result = cli("agents", "validate")
    assert result.exit_code == 2
    assert "key 'temprature': unknown key (did you mean 'temperature'?)" in result.stderr


def test_an_empty_agents_file_is_not_ok(cli, write_agents):
    write_agents("")
    result = cli("agents", "validate")
    assert result.exit_code == 2 and "no agents defined" in result.stderr
    assert "ok" not in result.stdout
