"""Every filter flag of `agentlog list`, alone and combined, against hand-computed rows.

The seeded log (tests/seeding.py) places rows around the day, week and month boundaries of
UTC, Berlin (UTC+1) and Los Angeles (UTC-8); the clock is frozen on Wednesday 2026-11-25
03:00 UTC, which is still Tuesday in Los Angeles.
"""

from __future__ import annotations

import json

import pytest
from seeding import ALL


@pytest.fixture
def ids(cli, seeded_any, write_agents):
    """Ids that `agentlog list --all --json ARGS` prints, in a zone given by settings."""

    def run(*args: str, zone: str | None = None) -> set[int]:
        extra = []
        if zone:
            extra = ["-c", str(write_agents(f"settings: {{timezone: {zone}}}\n",
                                            name=f"{zone.replace('/', '_')}.yaml"))]
        result = cli("list", "--all", "--json", *extra, *args)
        assert result.exit_code == 0, result.output
        return {r["id"] for r in json.loads(result.stdout)}

    return run


@pytest.mark.parametrize("args, expected", [
    ([], ALL),
    (["--today"], {1}),
    (["--yesterday"], {2, 3, 4}),
    (["--this-week"], {1, 2, 3, 4, 7}),
    (["--this-month"], {1, 2, 3, 4, 5, 6, 7, 8}),
    (["--last-7-days"], {1, 2, 3, 4, 5, 6, 7}),
    (["--last-30-days"], ALL - {10}),
    (["--since", "2h"], {1}),
    (["--since", "7d"], {1, 2, 3, 4, 5, 6, 7}),
    (["--since", "2026-11-24T10:00+01:00"], {1, 2, 3}),
    (["--until", "2026-11-10"], {9, 10}),
    (["--since", "2026-11-10", "--until", "2026-11-23"], {5, 6, 8}),
    (["--status", "error"], {3, 8}),
    (["--status", "error", "--status", "running"], {3, 7, 8}),
    (["--status", "error,timeout"], {3, 4, 8}),
    (["--failed"], {3, 4, 8}),
    (["--successful"], {1, 2, 5, 6, 9, 10}),
    (["--running"], {7}),
    (["--timeout"], {4}),
    (["--agent", "summarize"], {1, 3, 6, 9}),
    (["--agent", "summarize", "--agent", "translate"], {1, 3, 4, 6, 7, 8, 9}),
    (["--model", "claude-3-5-haiku"], {2}),
    (["--model", "gpt-4o-mini"], {1, 2, 3, 5, 6, 9, 10}),
    (["--model", "gpt-4o"], {4, 7, 8}),
    (["--tenant", "acme"], {1, 2, 8}),
    (["--with-tenant"], {1, 2, 3, 5, 8}),
    (["--without-tenant"], {4, 6, 7, 9, 10}),
    (["--batch", "b1"], {5, 6}),
    (["--expensive", "0.5"], {2, 9, 10}),
    (["--slow", "5000"], {2, 3, 4, 9}),
    (["--high-tokens", "12000"], {2, 9}),
    (["--streaming"], {1, 7}),
    (["--non-streaming"], ALL - {1, 7}),
    (["--with-fallback"], {2}),
    (["--without-fallback"], ALL - {2}),
    (["--retryable"], {3, 4}),
    (["--rate-limited"], {2, 3}),
    (["--cached"], {5}),
    (["--cache-miss"], ALL - {5}),
    (["--with-tool-calls"], {5}),
    (["--without-tool-calls"], ALL - {5}),
    (["--meta", "team=docs"], {1, 3}),
    (["--meta", "priority=1"], {1, 3}),
    (["--meta", "priority=2"], {4}),
    (["--meta", "env.stage=prod"], {2}),
    (["--meta", "flag=true"], {4}),
    (["--meta", "flag=false"], {6}),
    (["--meta", "team"], {1, 2, 3}),
    (["--meta", "env.stage"], {2}),
    (["--meta", "team=docs", "--meta", "priority=1"], {1, 3}),
    (["--meta", "team=nobody"], set()),
    (["--search", "quarterly"], {1}),
    (["--search", "rate limit"], {3}),
    (["--search", "spam"], {2}),
    (["--search", "summ*"], {1}),
])
def test_each_filter_selects_the_hand_computed_rows(ids, args, expected):
    assert ids(*args) == expected


@pytest.mark.parametrize("args, expected", [
    (["--failed", "--yesterday"], {3, 4}),
    (["--failed", "--today"], set()),
    (["--successful", "--this-week", "--tenant", "acme"], {1, 2}),
    (["--expensive", "0.5", "--last-30-days"], {2, 9}),
    (["--agent", "summarize", "--successful", "--since", "2026-11-01"], {1, 6}),
    (["--model", "gpt-4o-mini", "--with-fallback", "--rate-limited"], {2}),
    (["--batch", "b1", "--cached", "--with-tool-calls"], {5}),
    (["--today", "--since", "20m"], set()),
    (["--today", "--since", "1h"], {1}),
    (["--this-month", "--until", "2026-11-20"], {8}),
    (["--search", "rate", "--failed", "--retryable"], {3}),
])
def test_filters_combine_with_and(ids, args, expected):
    assert ids(*args) == expected


def test_this_week_starts_on_monday_in_the_configured_zone(ids):
    # Row 5 is Monday 00:00 in Berlin but Sunday in UTC; row 6 one millisecond earlier.
    assert {5, 6} & ids("--this-week", zone="Europe/Berlin") == {5}
    assert {5, 6} & ids("--this-week") == set()
    # Row 7 is Monday 00:00 in Los Angeles.
    assert 7 in ids("--this-week", zone="America/Los_Angeles")


def test_today_follows_the_local_calendar_not_utc(ids):
    assert ids("--today") == {1}
    assert ids("--today", zone="Europe/Berlin") == {1, 2}
    assert ids("--today", zone="America/Los_Angeles") == {1, 2, 3}
    assert ids("--yesterday", zone="America/Los_Angeles") == {4, 7}


def test_this_month_begins_at_local_midnight_of_the_first(ids):
    assert 9 in ids("--this-month", zone="Europe/Berlin")
    assert 9 not in ids("--this-month", zone="America/Los_Angeles")


def test_the_system_zone_is_used_when_settings_name_none(ids, monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    assert ids("--today") == {1, 2, 3}


def test_current_tenant_comes_from_flag_env_then_settings(ids, monkeypatch, write_agents):
    monkeypatch.setenv("AGENTLOG_TENANT", "beta")
    assert ids("--current-tenant") == {3, 5}
    assert ids("--current-tenant", "--tenant", "acme") == {1, 2, 8}
    monkeypatch.delenv("AGENTLOG_TENANT")
    config = write_agents("settings: {tenant: acme}\n")
    assert ids("--current-tenant", "-c", str(config)) == {1, 2, 8}


def one_line_error(result, text: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["--today", "--yesterday"], "--yesterday cannot be combined with --today"),
    (["--this-week", "--this-month"], "--this-month cannot be combined with --this-week"),
    (["--failed", "--successful"], "--successful cannot be combined with --failed"),
    (["--running", "--status", "success"], "--running cannot be combined with --status success"),
    (["--tenant", "acme", "--without-tenant"], "--without-tenant cannot be combined with --tenant"),
    (["--with-tenant", "--without-tenant"], "--without-tenant cannot be combined with --with-t"),
    (["--streaming", "--non-streaming"], "--non-streaming cannot be combined with --streaming"),
    (["--cached", "--cache-miss"], "--cache-miss cannot be combined with --cached"),
    (["--with-fallback", "--without-fallback"], "--without-fallback cannot be combined with"),
    (["--with-tool-calls", "--without-tool-calls"], "--without-tool-calls cannot be combined"),
    (["--since", "tomorrow-ish"], "--since: invalid time 'tomorrow-ish'"),
    (["--until", "2026-02-30"], "--until: invalid date/time '2026-02-30'"),
    (["--since", "2026-11-20", "--until", "2026-11-10"], "--until leaves an empty time range"),
    (["--today", "--until", "2d"], "--until leaves an empty time range"),
    (["--meta", "=x"], "--meta needs a key"),
    (["--meta", "a..b=1"], "--meta needs a key"),
    (["--expensive", "-1"], "--expensive must be zero or more, got -1"),
    (["--slow", "-5"], "--slow must be zero or more"),
    (["--high-tokens", "many"], "--high-tokens expects a number, got 'many'"),
    (["--status", "failed"], "unknown status 'failed' (choose from: running, success, error"),
    (["--search", "  "], "--search needs some text"),
    (["--current-tenant"], "--current-tenant: no tenant is set"),
    (["--sort", "price"], "unknown column 'price'"),
])
def test_conflicting_or_malformed_filters_are_one_line_errors(cli, seeded_any, args, message):
    one_line_error(cli("list", *args), message)


def test_an_unknown_timezone_in_settings_names_the_file(cli, seeded_any, write_agents):
    config = write_agents("settings: {timezone: Mars/Olympus}\n")
    result = cli("list", "--today", "-c", str(config))
    assert result.exit_code == 2
    assert "settings: key 'timezone': unknown timezone 'Mars/Olympus'" in result.stderr


def test_every_reading_flag_is_listed_in_help(cli):
    from agentlog.store.flags import FLAGS

    text = cli("list", "--help").stdout
    for flag in FLAGS:
        assert flag.decl in text
