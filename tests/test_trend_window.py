"""`report trend` draws the range its time filter asks for (`--this-month` on the 1st is one
day, `--since` starts there), by day, hour, week or month; `report daily --by-model`."""

from __future__ import annotations

import json

import pytest


def _runs(log, *times: str, model: str = "gpt-4o-mini", cost: float = 0.01) -> None:
    for at in times:
        log.insert({"agent_type": "a", "model_id": model, "chosen_model_id": model,
                    "status": "success", "created_at": at, "total_cost": cost})


def _trend(cli, monkeypatch, now: str, *args: str) -> dict:
    monkeypatch.setenv("AGENTLOG_NOW", now)
    result = cli("report", "trend", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_this_month_on_the_first_is_that_one_day(cli, log, monkeypatch):
    _runs(log, "2026-11-30T10:00:00.000Z", "2026-12-01T08:00:00.000Z")
    rows = _trend(cli, monkeypatch, "2026-12-01T10:00:00Z", "--this-month")["rows"]
    assert [(r["start"], r["executions"]) for r in rows] == [("2026-12-01", 1)]


def test_since_starts_the_window_and_the_title_says_so(cli, log, monkeypatch):
    _runs(log, "2026-11-15T10:00:00.000Z", "2026-11-20T10:00:00.000Z")
    rows = _trend(cli, monkeypatch, "2026-11-25T03:00:00Z", "--since", "2026-11-15")["rows"]
    assert (rows[0]["start"], rows[-1]["start"], len(rows)) == ("2026-11-15", "2026-11-25", 11)
    assert sum(r["executions"] for r in rows) == 2
    title = cli("report", "trend", "--since", "2026-11-15").stdout.splitlines()[0]
    assert title == "Trend · Sun 11-15 → Wed 11-25 · by day · UTC"


def test_by_week_is_twelve_weeks_from_monday_by_default(cli, log, monkeypatch):
    _runs(log, "2026-11-23T00:00:00.000Z", "2026-11-29T23:59:00.000Z", "2026-11-22T23:59:00.000Z")
    rows = _trend(cli, monkeypatch, "2026-11-25T03:00:00Z", "--by", "week")["rows"]
    assert len(rows) == 12 and rows[-1]["start"] == "2026-11-23"
    assert [r["executions"] for r in rows[-2:]] == [1, 2]


def test_by_month_follows_since_and_sums_each_month(cli, log, monkeypatch):
    _runs(log, "2026-09-10T10:00:00.000Z", "2026-10-31T23:00:00.000Z", "2026-11-01T00:00:00.000Z",
          "2026-11-20T00:00:00.000Z")
    d = _trend(cli, monkeypatch, "2026-11-25T03:00:00Z", "--by", "month", "--since", "2026-09-01")
    assert [(r["start"], r["executions"]) for r in d["rows"]] == [
        ("2026-09-01", 1), ("2026-10-01", 1), ("2026-11-01", 2)]
    assert len(_trend(cli, monkeypatch, "2026-11-25T03:00:00Z", "--by", "month")["rows"]) == 12
    out = cli("report", "trend", "--by", "month", "--since", "2026-09-01").stdout
    assert "2026-10" in out and "Trend · 2026-09 → 2026-11 · by month · UTC" in out


def test_a_window_of_too_many_rows_is_an_error(cli, log, monkeypatch):
    monkeypatch.setenv("AGENTLOG_NOW", "2026-11-25T03:00:00Z")
    result = cli("report", "trend", "--by", "hour", "--since", "2020-01-01")
    assert result.exit_code == 2
    assert "choose a longer --by" in result.stderr


@pytest.mark.parametrize("json_out", [False, True])
def test_daily_by_model_breaks_the_day_down_per_model(cli, log, monkeypatch, json_out):
    monkeypatch.setenv("AGENTLOG_NOW", "2026-11-25T12:00:00Z")
    _runs(log, "2026-11-25T10:00:00.000Z", "2026-11-25T11:00:00.000Z", model="claude-3-5-haiku")
    _runs(log, "2026-11-25T09:00:00.000Z", model="claude-3-5-sonnet", cost=0.5)
    if json_out:
        models = json.loads(cli("report", "daily", "--json").stdout)["models"]
        assert [(m["model"], m["executions"]) for m in models] == [
            ("claude-3-5-haiku", 2), ("claude-3-5-sonnet", 1)]
    else:
        out = cli("report", "daily", "--by-model").stdout
        assert "claude-3-5-sonnet" in out and "claude-3-5-haiku" in out, out
