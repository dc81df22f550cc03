"""`agentlog db copy FROM TO`: a history moves between SQLite and PostgreSQL with its ids,
its cache and its breakers; re-running resumes; another log's rows are refused."""

from __future__ import annotations

import json

import pytest
from pgserver import totals_equal_rows
from seeding import NOW, ROWS, seed

from agentlog import store
from agentlog.store.conditions import AtLeast
from agentlog.store.query import Query

pytestmark = pytest.mark.postgres


def listed(cli, where) -> list:
    return json.loads(cli("list", "--all", "--json", env={"AGENTLOG_DB": str(where)}).stdout)


@pytest.fixture
def source(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTLOG_NOW", NOW)
    path = tmp_path / "source.db"
    seed(path)
    with store.open(path) as log:
        log.cache_put({"key": "k1", "agent": "summarize", "model": "gpt-4o-mini",
                       "response": "cached", "created_at": NOW,
                       "expires_at": "2099-01-01T00:00:00.000Z"})
        log.change_breaker("summarize", "gpt-4o-mini", lambda _: {
            "state": "open", "failures": [NOW], "opened_at": NOW,
            "reopen_at": "2099-01-01T00:00:00.000Z", "updated_at": NOW})
    return path


def test_a_copy_to_postgresql_and_back_keeps_every_row_id_cache_and_breaker(
        cli, source, pg_url, tmp_path):
    there = cli("db", "copy", str(source), pg_url)
    assert there.exit_code == 0, there.output
    assert f"Copied {len(ROWS)} executions" in there.stdout and "same executions" in there.stdout
    back = tmp_path / "back.db"
    assert cli("db", "copy", pg_url, str(back)).exit_code == 0
    assert listed(cli, pg_url) == listed(cli, source) == listed(cli, back)
    for where in (pg_url, back):
        with store.open(where) as log:
            assert log.cache_get("k1", NOW)["response"] == "cached"
            assert [b["state"] for b in log.breaker_rows()] == ["open"]


def test_rerunning_copies_only_what_is_missing_and_new_runs_get_new_ids(cli, source, pg_url):
    assert cli("db", "copy", str(source), pg_url).exit_code == 0
    with store.open(pg_url) as log:  # an interrupted copy: the last rows never arrived
        log.prune(Query().where(AtLeast("id", 7)), top_id=len(ROWS))
        assert log.count(Query()) == 6
    again = cli("db", "copy", str(source), pg_url)
    assert again.exit_code == 0
    assert "Copied 4 executions (6 were there already)" in again.stdout
    with store.open(pg_url) as log:
        assert log.start({"agent_type": "new", "created_at": NOW}) == len(ROWS) + 1


def test_rows_of_another_log_with_the_same_ids_are_refused(cli, source, pg_url):
    seed(pg_url, [dict(ROWS[0], agent_type="someone-else")])
    refused = cli("db", "copy", str(source), pg_url)
    assert refused.exit_code == 1
    assert "holds another execution #1" in refused.output and "empty log" in refused.output
    with store.open(pg_url) as log:
        assert log.count(Query()) == 1


def test_a_log_cannot_be_copied_into_itself(cli, source):
    result = cli("db", "copy", str(source), str(source))
    assert result.exit_code == 2 and "into itself" in result.output


def test_a_copy_keeps_the_totals_exact_and_later_runs_still_add_to_them(cli, source, pg_url):
    """Copies add their rows to the daily/hourly totals in bulk: the reports that read the
    totals answer as on the source, and a row written afterwards is counted as usual."""
    assert cli("db", "copy", str(source), pg_url).exit_code == 0
    for args in (["report", "cost-by-agent", "--json"], ["report", "daily", "--json"],
                 ["report", "trend", "--days", "40", "--json"]):
        lite, pg = (cli(*args, env={"AGENTLOG_DB": str(where)}) for where in (source, pg_url))
        assert json.loads(pg.stdout) == json.loads(lite.stdout), args
    assert totals_equal_rows(pg_url)
    month = Query().narrow("2026-10-01T00:00:00.000Z", "2026-11-26T00:00:00.000Z")
    lite, pg = (store.open(where) for where in (source, pg_url))
    with lite, pg:  # the duration histograms were added in bulk too
        assert pg.duration_profile(month) == lite.duration_profile(month)
        assert pg.duration_profile(month)["p95"] == pytest.approx(30001, rel=0.025)
    with store.open(pg_url) as log:
        log.insert({"agent_type": "later", "status": "success", "created_at": NOW,
                    "total_cost": 0.25, "duration_ms": 90000})
        assert log.duration_profile(month)["p95"] > 80000
    assert totals_equal_rows(pg_url)
    agents = json.loads(cli("report", "cost-by-agent", "--json",
                            env={"AGENTLOG_DB": pg_url}).stdout)
    assert "later" in json.dumps(agents)


def indexes(url: str) -> list[tuple[str, str]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT indexname, indexdef FROM pg_indexes "
                            "WHERE tablename = 'executions' ORDER BY 1").fetchall()


def test_a_copy_into_an_empty_log_ends_with_every_index_a_new_log_has(
        cli, source, pg_url, pg_server):
    fresh = pg_server.new_database()
    store.open(fresh).close()
    done = cli("db", "copy", str(source), pg_url)
    assert done.exit_code == 0 and "Building the indexes" in done.stderr
    assert indexes(pg_url) == indexes(fresh)


def test_an_interrupted_copy_leaves_a_usable_log_and_the_rerun_builds_its_indexes(
        cli, source, pg_url, pg_server, monkeypatch):
    """Batches of three on two writers; the third one fails: the rows written are there
    and found by every filter without the indexes set aside, and the next copy writes the
    rest and builds them."""
    from agentlog.errors import StoreError
    from agentlog.store import copy
    from agentlog.store.postgres.log import PostgresLog

    monkeypatch.setattr(copy, "BATCH", 3)
    written = PostgresLog.copy_in
    calls = []

    def failing(self, rows):
        calls.append(len(rows))
        if len(calls) == 3:
            raise StoreError("the server went away")
        return written(self, rows)

    monkeypatch.setattr(PostgresLog, "copy_in", failing)
    failed = cli("db", "copy", str(source), pg_url)
    assert failed.exit_code == 1 and "the server went away" in failed.output
    there = {r["id"] for r in listed(cli, pg_url)}  # the batches after it may have arrived
    assert there >= {1, 2, 3, 4, 5, 6} and not there & {7, 8, 9}
    fresh = pg_server.new_database()
    store.open(fresh).close()
    aside = {name for name, _ in indexes(fresh)} - {name for name, _ in indexes(pg_url)}
    assert "idx_executions_metadata" in aside and "idx_executions_search" not in aside
    env = {"AGENTLOG_DB": pg_url}
    found = json.loads(cli("list", "--search", "quarterly", "--json", env=env).stdout)
    assert [r["id"] for r in found] == [1]
    teams = json.loads(cli("list", "--meta", "team=docs", "--json", env=env).stdout)
    assert [r["id"] for r in teams] == [3, 1]

    monkeypatch.setattr(PostgresLog, "copy_in", written)
    again = cli("db", "copy", str(source), pg_url)
    assert again.exit_code == 0, again.output
    assert (f"Copied {len(ROWS) - len(there)} executions ({len(there)} were there already)"
            in again.stdout)
    assert "Building the indexes" in again.stderr
    fresh = pg_server.new_database()
    store.open(fresh).close()
    assert indexes(pg_url) == indexes(fresh)
    assert listed(cli, pg_url) == listed(cli, source)
    with store.open(pg_url) as log:
        assert log.start({"agent_type": "new", "created_at": NOW}) == len(ROWS) + 1


def test_a_copy_into_a_log_that_holds_rows_keeps_its_indexes(cli, source, pg_url):
    seed(pg_url, [ROWS[0]])
    before = indexes(pg_url)
    done = cli("db", "copy", str(source), pg_url)
    assert done.exit_code == 0 and "Building the indexes" not in done.stderr
    assert indexes(pg_url) == before
