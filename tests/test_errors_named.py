"""Errors name what the user typed, in the user's own terms."""

from __future__ import annotations

import pytest

from agentlog.errors import ConfigError


def test_an_unknown_sort_field_is_named_as_typed_with_the_choices(cli, empty_db):
    result = cli("list", "--sort", "price")
    assert result.exit_code == 2
    assert "'price'" in result.stderr and "'-price'" not in result.stderr
    assert "choose from: id, time, agent, model" in result.stderr and "cost" in result.stderr


def test_daily_date_with_today_is_a_conflict(cli, empty_db):
    result = cli("report", "daily", "--date", "2026-11-30", "--today")
    assert result.exit_code == 2
    assert "--date cannot be combined with --today" in result.stderr
    assert "empty" not in result.stderr


def test_the_python_api_says_how_python_passes_a_missing_parameter(write_agents, db_path):
    import agentlog

    write_agents("agents:\n  s:\n    model: gpt-4o-mini\n    mock_response: ok\n"
                 "    prompt: '{{ text }}'\n    params: {text: {description: the text}}\n")
    with pytest.raises(ConfigError) as caught:
        agentlog.run("s")
    assert "params={'text': ...}" in str(caught.value)
    assert "-p " not in str(caught.value)


def test_the_cli_says_how_the_cli_passes_it(cli, write_agents, db_path):
    write_agents("agents:\n  s:\n    model: gpt-4o-mini\n    mock_response: ok\n"
                 "    prompt: '{{ text }}'\n    params: {text: {description: the text}}\n")
    result = cli("run", "s")
    assert result.exit_code == 2 and "(pass -p text=VALUE)" in result.stderr


@pytest.mark.parametrize("group", ["agents", "breakers", "report"])
def test_every_command_group_help_shows_an_example(cli, group):
    out = cli(group, "--help").stdout
    assert "Examples:" in out and f"agentlog {group} " in out
