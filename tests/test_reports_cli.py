"""What a user sees of `agentlog report`: tables that fit 80 columns when piped, plain-text
bars, money with enough digits, a stable --json schema, one-line errors, and an empty log."""

from __future__ import annotations

import re

import pytest
from reporting import report_json

from agentlog.cli.render import money
from agentlog.cli.render_report import bar

COMMANDS = [["daily"], ["cost-by-agent"], ["cost-by-model"], ["cost-by-tenant"],
            ["stats", "summarize"], ["trend"], ["trend", "--by", "hour"]]
SUMMARY_KEYS = {
    "executions", "successful", "failed", "errors", "timeouts", "running", "success_rate",
    "error_rate", "timeout_rate", "total_cost", "input_cost", "output_cost", "avg_cost",
    "total_tokens", "avg_tokens", "cache_hits", "cache_hit_rate", "fallbacks",
    "fallback_rate", "retried", "retry_rate"}
SCHEMAS = {
    "daily": SUMMARY_KEYS | {"date", "timezone", "avg_duration_ms", "p95_duration_ms",
                             "cache_savings", "top_errors", "agents", "models"},
    "cost-by-agent": {"by", "since", "until", "timezone", "rows", "total"},
    "stats": SUMMARY_KEYS | {"agent", "since", "until", "timezone", "duration_ms", "ttft_ms",
                             "top_errors", "models", "versions"},
    "trend": {"by", "timezone", "rows"},
}
DECLARED = "agents:\n  summarize: {model: gpt-4o-mini, prompt: hi}\n"  # known, never run
COST_ROW = {"executions", "total_tokens", "total_cost", "avg_cost", "share"}
ANSI = re.compile(r"\x1b\[")


def test_sub_cent_costs_keep_their_digits_and_totals_too():
    assert money(0.000135) == "$0.000135"
    assert money(0.004) == "$0.004"
    assert money(0.016) == "$0.016"
    assert money(1234.5) == "$1,234.50"


def test_bars_are_proportional_and_a_small_value_stays_visible():
    assert bar(10, 10, 8, fancy=False) == "########"
    assert bar(5, 10, 8, fancy=False) == "####"
    assert bar(0.01, 10, 8, fancy=False) == "#"
    assert bar(0, 10, 8, fancy=False) == ""
    assert bar(5, 10, 3, fancy=True) == "█▌"
    assert bar(0.01, 10, 8, fancy=True) == "▏"


@pytest.mark.parametrize("args", COMMANDS)
def test_piped_reports_are_plain_text_within_80_columns(cli, seeded_any, args):
    result = cli("report", *args)
    assert result.exit_code == 0, result.output
    assert not ANSI.search(result.stdout)
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "█" not in result.stdout


@pytest.mark.parametrize("args", COMMANDS)
def test_json_schema_is_the_same_for_an_empty_and_a_full_log(cli, empty_db, seeded_any, args,
                                                             write_agents):
    write_agents(DECLARED)
    full = report_json(cli, *args)
    empty = report_json(cli, *args, "--db", str(empty_db))
    assert set(full) == set(empty) == SCHEMAS.get(args[0], SCHEMAS["cost-by-agent"])
    if args[0].startswith("cost-by"):
        dimension = args[0].removeprefix("cost-by-")
        assert set(full["total"]) == COST_ROW
        assert all(set(row) == COST_ROW | {dimension} for row in full["rows"])
    if args[0] == "trend":
        assert {tuple(sorted(r)) for r in full["rows"] + empty["rows"]} == {
            ("avg_duration_ms", "executions", "failed", "start", "total_cost")}
        assert all(isinstance(r["total_cost"], float) for r in empty["rows"])  # 0.0, not 0


def test_cost_table_has_a_bar_per_row_and_a_total(cli, seeded_any):
    lines = [line.rstrip() for line in
             cli("report", "cost-by-agent", "--period", "this-month").stdout.splitlines()]
    assert lines[0] == "Cost by agent · 2026-11-01 00:00 → 2026-12-01 00:00 (UTC)"
    rows = {line.split()[0]: line for line in lines[2:]}
    classify = re.search(r"^classify +2 +12,055 +\$0\.80 +\$0\.40 +98\.5% +(#+)$",
                         rows["classify"])
    summarize = re.search(r"^summarize +3 +1,800 +\$0\.012 +\$0\.006 +1\.5% +(#+)$",
                          rows["summarize"])
    assert classify and summarize, lines
    assert (len(classify[1]) >= 20, summarize[1]) == (True, "#")  # scaled to the largest
    assert re.search(r"^translate +3 +0 +\$0\.00 +— +0\.0%$", rows["translate"])
    assert re.search(r"^total +8 +13,855 +\$0\.812 +\$0\.203 +100\.0%$", rows["total"])


def test_daily_table_of_a_day_with_executions(cli, seeded_any):
    out = cli("report", "daily", "--yesterday").stdout
    assert "Daily report · 2026-11-24" in out
    assert "3 · 1 successful · 2 failed (1 timed out)" in out
    assert "success rate 33.3%" in out
    assert re.search(r"RateLimitError +1", out)


def test_stats_table_compares_versions_side_by_side(cli, tmp_path, monkeypatch):
    from seeding import seed

    path = tmp_path / "versions.db"
    seed(path, [dict(created_at=f"2026-11-2{i}T10:00:00.000Z", agent_type="summarize",
                     agent_version=v, status="success", duration_ms=100 * i, total_cost=0.001)
                for i, v in ((1, "aaa111"), (2, "aaa111"), (3, "bbb222"))])
    monkeypatch.setenv("AGENTLOG_NOW", "2026-11-25T03:00:00Z")
    out = cli("report", "stats", "summarize", "--db", str(path)).stdout
    assert "duration    avg 200 ms · p50 200 ms · p95 300 ms · p99 300 ms" in out
    assert re.search(r"aaa111 +2026-11-21 +2 +100\.0% +\$0\.001 +150 ms", out)
    assert re.search(r"bbb222 +2026-11-23 +1 +100\.0% +\$0\.001 +300 ms", out)


def test_trend_chart_draws_bars_for_executions_and_cost(cli, seeded_any):
    out = [line.rstrip() for line in cli("report", "trend").stdout.splitlines()]
    assert out[0] == "Trend · last 7 days · UTC"
    assert out[-1] == "7 executions · 2 failed · $0.812"
    tuesday = next(line for line in out if line.startswith("Tue 11-24"))
    bars = re.search(r"^Tue 11-24 +3 +2 +\$0\.80 +21\.67 s +(#+) (#+)$", tuesday)
    assert bars and len(bars[1]) == len(bars[2]) >= 10, out  # the busiest, costliest day
    assert re.search(r"^Thu 11-19 +0 +0 +\$0\.00 +—$", out[2])


@pytest.mark.parametrize("args", COMMANDS)
def test_an_empty_log_gives_zeros_and_exit_code_0(cli, empty_db, args, write_agents):
    write_agents(DECLARED)
    result = cli("report", *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if args[0] != "trend":
        assert "No executions" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["cost-by-agent", "--today", "--period", "yesterday"],
     "--period yesterday cannot be combined with --today"),
    (["stats", "x", "--this-week", "--period", "all"],
     "--period all cannot be combined with --this-week"),
    (["cost-by-model", "--period", "fortnight"], "unknown period 'fortnight'"),
    (["daily", "--date", "2026-02-30"], "--date: invalid date '2026-02-30'"),
    (["daily", "--date", "2026-11-01", "--today"], "--date cannot be combined with --today"),
    (["trend", "--days", "0"], "--days must be 1 or more, got 0"),
    (["trend", "--by", "year"], "--by must be one of: day, hour, week, month (got 'year')"),
    (["cost-by-tenant", "--failed", "--successful"], "--successful cannot be combined"),
])
def test_conflicting_or_malformed_report_options_are_one_line_errors(cli, seeded_any, args,
                                                                     message):
    result = cli("report", *args)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("agentlog: error: ") and message in line
    assert result.stdout == ""


def test_every_report_lists_every_filter_flag_in_help(cli):
    from agentlog.store.flags import FLAGS

    for args in COMMANDS:
        text = cli("report", args[0], "--help").stdout
        assert all(flag.decl in text for flag in FLAGS), args


def test_names_from_the_log_are_printed_as_written_not_as_markup(cli, tmp_path, monkeypatch):
    from seeding import seed

    path = tmp_path / "markup.db"
    seed(path, [dict(created_at="2026-11-24T10:00:00.000Z", agent_type="[bold]x[/]",
                     model_id="[red]m", status="error", error_class="[/oops]")])
    monkeypatch.setenv("AGENTLOG_NOW", "2026-11-25T03:00:00Z")
    for args in (["stats", "[bold]x[/]"], ["cost-by-model"], ["daily", "--yesterday"]):
        result = cli("report", *args, "--db", str(path))
        assert result.exit_code == 0, result.output
        assert "[bold]x[/]" in result.stdout or "[red]m" in result.stdout
    assert "[/oops]" in cli("report", "daily", "--yesterday", "--db", str(path)).stdout
