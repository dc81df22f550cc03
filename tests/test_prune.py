"""`agentlog prune`: exactly the old rows go, running ones stay, filters narrow, the search
index stays consistent, space comes back, and nothing is deleted without an age and a yes.

The clock is frozen at 2026-11-25T03:00Z (tests/seeding.py), so `--older-than 19h` cuts at
2026-11-24T08:00:00.000Z.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest
from seeding import ALL, seed, table_dump

from agentlog import store
from agentlog.errors import StoreError
from agentlog.store.prune import selection
from agentlog.store.query import Query
from agentlog.store.sqlite import db

STALE = dict(created_at="2026-11-01T00:00:00.000Z", agent_type="crashed", status="running",
             deadline_at="2026-11-01T00:02:00.000Z", pid=4242)  # 11: its process died


def ids(path) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM executions")}
    finally:
        conn.close()


def fts_is_consistent(path) -> bool:
    """The index passes its integrity check and holds exactly the finalized rows (running
    ones are indexed when they end)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO executions_fts(executions_fts) VALUES('integrity-check')")
        indexed = {r[0] for r in conn.execute("SELECT id FROM executions_fts_docsize")}
        final = {r[0] for r in conn.execute("SELECT id FROM executions WHERE status != 'running'")}
        return indexed == final
    finally:
        conn.close()


def prune(cli, *args):
    result = cli("prune", *args)
    assert result.exit_code == 0, result.output
    return result


def test_deletes_exactly_the_executions_created_before_the_cutoff(cli, seeded_log):
    seed(seeded_log, [  # 11 at the cutoff (kept: older-than is strict), 12 a millisecond before
        dict(created_at="2026-11-24T08:00:00.000Z", agent_type="edge", status="success"),
        dict(created_at="2026-11-24T07:59:59.999Z", agent_type="edge", status="success"),
    ])
    out = prune(cli, "--older-than", "19h", "--yes").stdout
    assert ids(seeded_log) == {1, 2, 3, 7, 11}  # 7 is older but still running
    assert "Deleted 7 executions" in out


def test_running_executions_are_never_deleted(cli, seeded_log):
    prune(cli, "--older-than", "1h", "--yes")
    assert ids(seeded_log) == {1, 7}
    result = cli("prune", "--older-than", "1h", "--running", "--yes")
    assert result.exit_code == 2 and "No such option: --running" in result.stderr


@pytest.mark.parametrize("args, gone", [
    (["--agent", "summarize", "--status", "success"], {6, 9}),
    (["--failed"], {3, 4, 8}),
    (["--tenant", "acme"], {2, 8}),
    (["--meta", "team=docs"], {3}),
    (["--search", "rate limit"], {3}),  # the search index is read while it is being updated
    (["--expensive", "0.5", "--since", "2026-10-25"], {2, 9}),
])
def test_filters_narrow_what_is_deleted(cli, seeded_log, args, gone):
    prune(cli, "--older-than", "3h", "--yes", *args)
    assert ids(seeded_log) == ALL - gone
    assert fts_is_consistent(seeded_log)


def test_dry_run_shows_count_range_cost_and_agents_and_deletes_nothing(cli, seeded_log):
    before = table_dump(seeded_log)
    out = prune(cli, "--older-than", "2d", "--dry-run").stdout
    assert table_dump(seeded_log) == before
    lines = out.splitlines()
    assert lines[0] == "Would delete 5 executions from 2026-10-20 12:00 to 2026-11-22 23:00, $2.01:"
    assert [line.split() for line in lines[1:]] == [
        ["classify", "2", "$0.50"], ["summarize", "2", "$1.51"], ["translate", "1", "—"]]


def test_dry_run_shows_local_times_of_the_configured_zone(cli, seeded_log, write_agents):
    config = write_agents("settings: {timezone: Europe/Berlin}\n")
    out = prune(cli, "--older-than", "2d", "--dry-run", "-c", str(config)).stdout
    assert "from 2026-10-20 14:00 to 2026-11-23 00:00" in out


def test_search_finds_no_pruned_execution_and_still_finds_kept_ones(cli, seeded_log):
    prune(cli, "--older-than", "12h", "--yes")
    assert ids(seeded_log) == {1, 2, 7}
    assert fts_is_consistent(seeded_log)
    assert cli("list", "--search", "rate limit", "--json").stdout.strip() == "[]"
    found = cli("list", "--search", "quarterly", "--json").stdout
    assert '"id": 1' in found


def test_a_failure_inside_a_batch_keeps_the_batches_before_it(seeded_log, monkeypatch):
    from agentlog.store.sqlite import schema

    merging_later, calls = schema.fts_merging_later, []

    def failing(conn):
        calls.append(conn)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return merging_later(conn)

    monkeypatch.setattr(schema, "fts_merging_later", failing)
    selected = selection(Query(), datetime(2026, 11, 25, 1, tzinfo=timezone.utc))
    with store.open(seeded_log) as log, \
            pytest.raises(StoreError, match="prune stopped after deleting 4 executions: disk I/O"):
        log.prune(selected, log.prune_plan(selected).top_id, batch=2)
    assert ids(seeded_log) == ALL - {2, 3, 4, 5}  # ids are taken oldest id first, 2 a batch
    assert fts_is_consistent(seeded_log)


def test_the_file_shrinks_after_vacuum_and_the_sizes_are_reported(cli, seeded_log):
    seed(seeded_log, [dict(created_at="2026-09-01T00:00:00.000Z", agent_type="bulk",
                           status="success", user_prompt="prompt " * 300,
                           response=f"answer {i} " * 100) for i in range(300)])
    before = seeded_log.stat().st_size
    out = prune(cli, "--older-than", "30d", "--yes").stdout
    assert seeded_log.stat().st_size < before / 2
    assert "Deleted 301 executions; database " in out and " → " in out
    assert fts_is_consistent(seeded_log)


def test_a_failed_vacuum_says_the_executions_are_gone_but_the_file_did_not_shrink(
        cli, seeded_log, monkeypatch):
    from agentlog.store.sqlite import schema

    def locked(conn):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(schema, "fts_optimize", locked)
    result = cli("prune", "--older-than", "2d", "--yes")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "agentlog: error: the executions are deleted, but reclaiming space failed: database "
        "is locked (`sqlite3 FILE VACUUM` shrinks the file later)")
    assert ids(seeded_log) == ALL - {5, 6, 8, 9, 10}


def test_no_vacuum_deletes_but_leaves_the_file_size(cli, seeded_log):
    seed(seeded_log, [dict(created_at="2026-09-01T00:00:00.000Z", agent_type="bulk",
                           status="success", response="x " * 2000)] * 50)
    before = seeded_log.stat().st_size
    out = prune(cli, "--older-than", "30d", "--yes", "--no-vacuum").stdout
    assert seeded_log.stat().st_size >= before
    assert "Deleted 51 executions" in out and "without --no-vacuum" in out


def test_without_an_age_or_a_retention_it_refuses_and_says_how_to_set_one(cli, seeded_log):
    before = table_dump(seeded_log)
    result = cli("prune", "--yes")
    assert result.exit_code == 2
    assert "prune needs an age: pass --older-than 30d" in result.stderr
    assert "`retention: 30d` under `settings:`" in result.stderr
    assert table_dump(seeded_log) == before


def test_settings_retention_is_the_default_and_older_than_wins(cli, seeded_log, write_agents):
    config = str(write_agents("settings: {retention: 19h}\n"))
    assert "Would delete 1 execution " in prune(cli, "--dry-run", "-c", config,
                                                "--older-than", "30d").stdout
    prune(cli, "--yes", "-c", config)
    assert ids(seeded_log) == {1, 2, 3, 7}


@pytest.mark.parametrize("args, message", [
    (["--older-than", "5x"], "--older-than: invalid duration '5x'"),
    (["--older-than", "0d"], "must be positive"),
    (["--older-than", "1d", "--since", "2026-11-24T12:00Z"], "--older-than leaves an empty"),
])
def test_a_malformed_age_is_a_one_line_error(cli, seeded_log, args, message):
    result = cli("prune", "--yes", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert ids(seeded_log) == ALL


def test_a_malformed_retention_setting_names_the_file(cli, seeded_log, write_agents):
    config = write_agents("settings: {retention: soon}\n")
    result = cli("prune", "--yes", "-c", str(config))
    assert result.exit_code == 2
    assert "agents.yaml: settings: key 'retention': invalid duration 'soon'" in result.stderr


def test_without_a_terminal_and_without_yes_nothing_is_written(cli, seeded_log):
    seed(seeded_log, [STALE])
    before = table_dump(seeded_log)
    result = cli("prune", "--older-than", "2d")
    assert result.exit_code == 2
    assert "prune would delete 5 executions: pass --yes to confirm" in result.stderr
    assert table_dump(seeded_log) == before


@pytest.mark.parametrize("answer, left", [("n\n", ALL), ("y\n", ALL - {5, 6, 8, 9, 10})])
def test_on_a_terminal_it_asks_first(cli, seeded_log, monkeypatch, answer, left):
    from agentlog.cli import prune as command

    monkeypatch.setattr(command, "_interactive", lambda: True)
    result = cli("prune", "--older-than", "2d", input=answer)
    assert "Delete 5 executions? [y/N]" in result.stdout
    assert result.exit_code == (0 if answer == "y\n" else 1)
    assert ids(seeded_log) == left


def test_nothing_to_prune_needs_no_confirmation(cli, seeded_log):
    out = prune(cli, "--older-than", "90d").stdout
    assert out.startswith("Nothing to prune: no execution matches before 2026-08-27 03:00")
    assert ids(seeded_log) == ALL



def test_rows_left_running_by_a_dead_process_are_marked_interrupted_and_go_next_time(
        cli, seeded_log):
    seed(seeded_log, [STALE])
    dry = prune(cli, "--older-than", "2d", "--dry-run").stdout
    assert "Would delete 5 executions" in dry and "crashed" not in dry
    assert "Interrupted" not in dry  # a dry run writes nothing
    out = prune(cli, "--older-than", "2d", "--yes").stdout
    assert "Deleted 5 executions" in out
    assert out.splitlines()[-1] == "Marked 1 running execution of dead processes Interrupted."
    assert ids(seeded_log) == ALL - {5, 6, 8, 9, 10} | {11}
    out = prune(cli, "--older-than", "2d", "--yes").stdout
    assert "crashed" in out and "Deleted 1 execution;" in out
    assert ids(seeded_log) == ALL - {5, 6, 8, 9, 10}  # 7 has no deadline: it may still run


def test_expired_response_cache_entries_are_removed_even_when_no_execution_goes(
        cli, seeded_log):
    from agentlog.store.sqlite import cache

    conn = db.connect(seeded_log)
    for key, expires in (("old", "2026-11-25T02:59:59.999Z"), ("fresh", "2026-11-26T00:00Z")):
        cache.put(conn, dict(key=key, agent="a", response="r", created_at="2026-11-20T00:00Z",
                             expires_at=expires))
    conn.close()
    out = prune(cli, "--older-than", "90d").stdout  # no execution goes: no --yes needed
    assert out.splitlines()[1] == "Removed 1 expired cache entry."
    conn = sqlite3.connect(seeded_log)
    assert [r[0] for r in conn.execute("SELECT key FROM response_cache")] == ["fresh"]
    conn.close()


def test_prune_does_not_offer_the_running_filter_it_could_never_apply(cli):
    """Running rows are never pruned: `--running` is not one of prune's filters."""
    assert "--running" not in cli("prune", "--help").stdout
    assert "--running" in cli("list", "--help").stdout
