"""`agentlog list`: the table, its footer, order, columns and machine-readable forms."""

from __future__ import annotations

import json

import pytest
from seeding import ROWS

LONG = dict(created_at="2026-11-25T02:50:00.000Z", status="success",
            agent_type="summarize-customer-feedback-from-the-weekly-survey",
            model_id="anthropic/claude-3-5-sonnet-20241022-with-a-long-deployment-name",
            chosen_model_id="openrouter/meta-llama/llama-3.1-405b-instruct-fallback",
            fallback_reason="rate_limit", input_tokens=123456, output_tokens=65432,
            total_tokens=188888, total_cost=12.345678, duration_ms=123456, cache_hit=True,
            streaming=True, tool_calls_count=3)


@pytest.mark.parametrize("width", ["120", "160"])
def test_table_fits_the_terminal_width_and_keeps_every_column(cli, seeded_any, width):
    from seeding import seed

    seed(seeded_any, [LONG])
    result = cli("list", env={"COLUMNS": width})
    lines = result.stdout.splitlines()
    assert all(len(line) <= int(width) for line in lines), "\n".join(lines)
    header = lines[0].split()
    assert header == ["id", "time", "agent", "model", "status", "in→out", "cost", "duration",
                      "flags"]
    row = lines[1]
    assert row.split()[0] == "11" and "summarize" in row and "success" in row
    assert "FCST" in row  # fallback, cache hit, streaming, tool calls
    assert "…" in row  # long names are shortened, not wrapped onto a second line
    assert row.split()[4].endswith("…*")  # the fallback mark survives the shortening
    assert lines[2].split()[0] == "10"


def test_at_80_columns_agent_and_model_stay_readable_and_flags_give_way(cli, seeded_any):
    from seeding import seed

    seed(seeded_any, [dict(created_at="2026-11-25T02:50:00.000Z", status="success",
                           agent_type="summarize", model_id=f"claude-3-5-{kind}-20241022",
                           input_tokens=12345, output_tokens=678, total_cost=0.0000879,
                           duration_ms=1500, cache_hit=True) for kind in ("haiku", "sonnet")])
    lines = cli("list", "-n", "2", env={"COLUMNS": "80"}).stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert lines[0].split() == ["id", "time", "agent", "model", "status", "in→out", "cost",
                                "duration"]
    assert "claude-3-5-sonnet" in lines[1] and "claude-3-5-haiku" in lines[2]
    assert lines[-1] == "not shown at this width: flags (--columns)"
    asked = cli("list", "-n", "2", "--columns", "id,model,flags", env={"COLUMNS": "80"}).stdout
    assert asked.splitlines()[0].split() == ["id", "model", "flags"]  # what was asked stays


def test_a_narrow_terminal_gets_short_times_a_wide_one_full_times(cli, seeded_any):
    narrow = cli("list", "-n", "1", env={"COLUMNS": "80"}).stdout.splitlines()[1]
    wide = cli("list", "-n", "1", env={"COLUMNS": "140"}).stdout.splitlines()[1]
    assert "10-20 12:00" in narrow
    assert "2026-10-20 12:00:00" in wide


def test_time_is_shown_in_the_configured_zone(cli, seeded_any, write_agents):
    config = write_agents("settings: {timezone: America/Los_Angeles}\n")
    line = cli("list", "-n", "1", "-c", str(config), env={"COLUMNS": "140"}).stdout
    assert "2026-10-20 05:00:00" in line


def test_footer_counts_and_prices_every_match_not_only_the_shown_rows(cli, seeded_any):
    out = cli("list", "-n", "2", "--successful").stdout
    assert "6 executions · $2.81 total · showing 2" in out
    assert cli("list", "--failed", "--all").stdout.splitlines()[-1].startswith("3 executions")


def test_fallback_model_is_marked_and_the_markers_explained(cli, seeded_any):
    out = cli("list", "--with-fallback", env={"COLUMNS": "120"}).stdout
    assert "claude-3-5-haiku*" in out
    assert "F fallback" in out and "* fallback model" in out


def test_sort_puts_the_largest_first_and_reverse_flips_it(cli, seeded_any):
    def order(*args):
        return [r["id"] for r in json.loads(cli("list", "--json", *args).stdout)]

    assert order("-n", "3", "--sort", "cost") == [9, 2, 10]
    assert order("-n", "2", "--sort", "total_cost", "--reverse") == [5, 1]
    assert order("-n", "3") == [10, 9, 8]
    assert order("-n", "3", "--reverse") == [1, 2, 3]
    assert order("--sort", "duration", "--agent", "translate") == [4, 8, 7]  # unknown last


def test_columns_picks_and_orders_the_table_columns(cli, seeded_any):
    lines = cli("list", "-n", "1", "--columns", "cost,agent,tenant").stdout.splitlines()
    assert lines[0].split() == ["cost", "agent", "tenant"]
    assert lines[1].split() == ["$0.50", "classify", "—"]


def test_unknown_column_is_a_one_line_error(cli, seeded_any):
    result = cli("list", "--columns", "id,price")
    assert result.exit_code == 2
    assert "unknown column 'price' (did you mean 'provider'?); choose from: id, time" in \
        result.stderr


def test_json_prints_full_records_and_jsonl_one_per_line(cli, seeded_any):
    records = json.loads(cli("list", "--json", "--all").stdout)
    assert len(records) == len(ROWS)
    assert records[-1]["user_prompt"] == "Summarize the quarterly report"
    assert records[-1]["metadata"] == {"team": "docs", "priority": 1}
    lines = cli("list", "--jsonl", "-n", "3").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [10, 9, 8]
    assert json.loads(cli("list", "--json", "--tenant", "nobody").stdout) == []


def test_json_with_columns_or_jsonl_is_refused(cli, seeded_any):
    assert "choose one of --json and --jsonl" in cli("list", "--json", "--jsonl").stderr
    assert "--columns shapes the table" in cli("list", "--json", "--columns", "id").stderr


def test_all_lists_every_match_and_limit_defaults_to_twenty(cli, seeded_any):
    from seeding import seed

    seed(seeded_any, [dict(created_at="2026-11-01T00:00:00.000Z", agent_type="bulk",
                           status="success")] * 25)
    assert len(json.loads(cli("list", "--json").stdout)) == 20
    assert len(json.loads(cli("list", "--json", "--all").stdout)) == 35


def test_empty_result_is_a_friendly_line_and_exit_zero(cli, db_path, seeded_any):
    result = cli("list", "--tenant", "nobody")
    assert result.exit_code == 0
    assert result.stdout.strip() == "No executions match these filters."
    from agentlog import store

    store.open(db_path).close()
    empty = cli("list", "--db", str(db_path))
    assert empty.exit_code == 0 and "No executions logged yet" in empty.stdout


def test_footer_past_the_cap_says_more_match_instead_of_counting_the_whole_log(
        cli, seeded_any, monkeypatch):
    from agentlog.cli import render_list

    monkeypatch.setattr(render_list, "FOOTER_CAP", 5)
    footer = [line for line in cli("list", "-n", "2").stdout.splitlines()
              if "executions" in line]
    assert footer == ["more than 5 executions · showing 2 (-n N or --all for more) · times in UTC"]
    assert "3 executions · " in cli("list", "-n", "2", "--failed").stdout


@pytest.mark.parametrize("command", [["list", "--columns"], ["list", "--sort"],
                                     ["export", "csv", "--columns"]])
def test_one_column_vocabulary_for_columns_sort_and_export(cli, seeded_any, command):
    """The same names everywhere: short ones, every column of the log, one error for a typo."""
    for name in ("time", "cost", "total_cost", "provider", "duration_ms"):
        result = cli(*command, name, "-n", "1")
        assert result.exit_code == 0, (name, result.stderr)
    typo = cli(*command, "totl_cost", "-n", "1")
    assert typo.exit_code == 2
    assert typo.stderr.startswith("agentlog: error: unknown column 'totl_cost' "
                                  "(did you mean 'total_cost'?); choose from: id, time, agent")


def test_a_column_of_the_log_shows_its_stored_value_in_the_table(cli, seeded_any):
    lines = cli("list", "-n", "1", "--columns", "id,total_cost,provider,cost_source",
                env={"COLUMNS": "120"}).stdout.splitlines()
    assert lines[0].split() == ["id", "cost", "provider", "cost_source"]
    assert lines[1].split()[:2] == ["10", "$0.50"]
    by_cost = json.loads(cli("list", "--json", "-n", "2", "--sort", "total_cost").stdout)
    assert [r["id"] for r in by_cost] == \
        [r["id"] for r in json.loads(cli("list", "--json", "-n", "2", "--sort", "cost").stdout)]
