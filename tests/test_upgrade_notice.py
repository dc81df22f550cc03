"""An upgrade that reads every execution of a large log says so in one line on stderr before
it starts, so that a command that seems to hang for minutes is not taken for a hang; quick
upgrades and small logs stay silent. (The threshold is lowered here: a test log is small.)"""

from __future__ import annotations

import sqlite3

import pytest

from agentlog.store.sqlite import db, migrations, upgrade

RAW = ("INSERT INTO executions (agent_type, status, created_at, user_prompt, response) "
       "VALUES ('imp', 'success', '2026-11-20T10:00:00.000Z', 'a slow sloth', 'ok')")


def older_log(path, step: str, rows: int = 3) -> None:
    """A log of `rows` executions on which `step` is still to be applied."""
    db.connect(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    for _ in range(rows):
        conn.execute(RAW)
    conn.execute("DELETE FROM _migrations WHERE name = ?", (step,))
    conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION - 1}")
    conn.close()


NOTICE = ("agentlog: upgrading the log at {path} to schema {schema} (3 executions; this can "
          "take minutes, once)")


@pytest.fixture
def threshold(monkeypatch):
    monkeypatch.setattr(upgrade, "NOTICE_ROWS", 3)


def test_db_upgrade_of_a_large_log_says_so_once_before_it_starts(cli, db_path, threshold):
    older_log(db_path, "m070_search_follows_rows")
    result = cli("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        NOTICE.format(path=db_path, schema=migrations.SCHEMA_VERSION)]
    assert "is up to date" in result.stdout
    again = cli("db", "upgrade")
    assert again.exit_code == 0 and again.stderr == ""


def test_a_reading_command_that_upgrades_says_so_and_answers_as_ever(cli, db_path, threshold):
    older_log(db_path, "m070_search_follows_rows")
    result = cli("list", "--search", "sloth", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("agentlog: upgrading the log at ")
    assert result.stdout.count('"id"') == 3


def test_a_log_below_the_threshold_is_upgraded_silently(cli, db_path, monkeypatch):
    monkeypatch.setattr(upgrade, "NOTICE_ROWS", 4)
    older_log(db_path, "m070_search_follows_rows")
    result = cli("db", "upgrade")
    assert result.exit_code == 0 and result.stderr == ""


def test_a_step_that_reads_no_rows_is_not_announced(cli, db_path, threshold):
    older_log(db_path, "m110_otel_fields")
    result = cli("db", "upgrade")
    assert result.exit_code == 0 and result.stderr == ""
