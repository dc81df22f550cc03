"""A PostgreSQL log answers as the SQLite log does: every reading command on the same seeded
rows, `run` writing through a URL, and what only a server adds (the password stays secret,
migrations under a lock, many processes at once)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
from pgserver import totals_equal_rows
from seeding import NOW, seed

from agentlog import store
from agentlog.errors import StoreError
from agentlog.store.query import Query

pytestmark = pytest.mark.postgres

READING = [
    ["list", "--all", "--json"], ["list", "--failed"], ["list", "--meta", "team=docs", "--json"],
    ["list", "--meta", "env.stage=prod", "--json"], ["list", "--meta", "priority=1", "--json"],
    ["list", "--meta", "flag=true", "--json"], ["list", "--search", "quarterly", "--json"],
    ["list", "--search", "rev*"], ["list", "--this-week", "--cached"], ["show", "1"],
    ["show", "5", "--json"], ["report", "daily", "--json"], ["report", "daily"],
    ["report", "daily", "--date", "2026-11-24", "--json"], ["report", "cost-by-agent", "--json"],
    ["report", "cost-by-model"], ["report", "cost-by-tenant", "--json"],
    ["report", "stats", "summarize", "--json"], ["report", "stats", "classify"],
    ["report", "trend", "--json"], ["report", "trend", "--days", "40", "--json"],
    ["report", "cost-by-agent", "--since", "2026-11-24T08:30", "--json"],  # part-hours
    ["report", "cost-by-model", "--until", "2026-11-24T23:45", "--failed", "--json"],
    ["report", "stats", "summarize", "--since", "2026-10-31T23:15", "--json"],
    ["report", "daily", "--agent", "classify", "--date", "2026-11-24", "--json"],
    ["export", "json"], ["export", "jsonl"], ["export", "csv", "--columns", "id,status,total_cost"],
    ["prune", "--older-than", "20d", "--dry-run"], ["breakers"], ["budgets"], ["agents"],
]


def parsed(text: str):
    """JSON output as values (PostgreSQL's jsonb keeps an object's keys in its own order)."""
    try:
        return json.loads(text)
    except ValueError:
        try:
            return [json.loads(line) for line in text.splitlines()]
        except ValueError:
            return text


@pytest.fixture
def both(tmp_path, pg_url, monkeypatch, write_agents):
    """The seeded rows in an SQLite file and in a PostgreSQL database, the clock frozen, an
    agents file with budgets."""
    write_agents("""
        settings: {budgets: {daily: 1.0, monthly: 2.0, per_agent: {summarize: {daily: 0.5}}}}
        agents: {summarize: {model: gpt-4o-mini, prompt: hi, mock_response: ok}}
    """)
    path = tmp_path / "seeded.db"
    seed(path)
    seed(pg_url)
    monkeypatch.setenv("AGENTLOG_NOW", NOW)
    return path, pg_url


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_every_reading_command_answers_as_on_sqlite(cli, both, args):
    lite, pg = (cli(*args, env={"AGENTLOG_DB": str(where)}) for where in both)
    assert lite.exit_code == 0, lite.output
    assert (pg.exit_code, parsed(pg.stdout)) == (0, parsed(lite.stdout))


def test_prune_deletes_the_same_rows_and_keeps_the_totals(cli, both):
    for where in both:
        assert cli("prune", "--older-than", "20d", "--yes",
                   env={"AGENTLOG_DB": str(where)}).exit_code == 0
    lite, pg = (cli("report", "cost-by-agent", "--json", env={"AGENTLOG_DB": str(where)})
                for where in both)
    assert json.loads(pg.stdout) == json.loads(lite.stdout)
    with store.open(both[1]) as log:
        assert log.count(log_query()) == 8
        assert totals_equal_rows(both[1])


@pytest.mark.parametrize("args", [["--payloads", "--older-than", "20d"],
                                  ["--any-age", "--agent", "summarize"],
                                  ["--payloads", "--any-age", "--search", "quarterly"]],
                         ids=" ".join)
def test_prune_and_prune_payloads_leave_the_same_log_as_on_sqlite(cli, both, args):
    """Whole rows or only their text, by age or by filter: afterwards every record, report
    and search answers as on SQLite, and the totals still sum the rows."""
    cached = []
    for where in both:
        with store.open(where) as log:
            for e in log.fetch(Query()):  # each execution's answer in the response cache
                log.cache_put({"key": f"k{e.id}", "agent": e.agent_type, "response": "text",
                               "execution_id": e.id, "created_at": NOW,
                               "expires_at": "2099-01-01T00:00:00.000Z"})
            before = log.count(Query())
        done = cli("prune", *args, "--yes", env={"AGENTLOG_DB": str(where)})
        assert done.exit_code == 0, done.output
        with store.open(where) as log:
            cached.append(sorted(r["key"] for r in log.cache_rows()))
            after = log.count(Query())
    assert cached[0] == cached[1] and len(cached[1]) < before
    assert (after < before) == ("--payloads" not in args)
    for reading in (["export", "jsonl"], ["report", "cost-by-agent", "--json"],
                    ["list", "--search", "quarterly", "--json"], ["report", "daily", "--json"]):
        lite, pg = (cli(*reading, env={"AGENTLOG_DB": str(where)}) for where in both)
        assert parsed(pg.stdout) == parsed(lite.stdout), reading
    purged = [json.loads(line) for line in cli("export", "jsonl", env={
        "AGENTLOG_DB": both[1]}).stdout.splitlines() if json.loads(line)["payloads_purged_at"]]
    assert bool(purged) == ("--payloads" in args)
    assert all(r["user_prompt"] is None and r["response"] is None for r in purged)
    assert totals_equal_rows(both[1])


def log_query():
    from agentlog.store.query import Query

    return Query()


AGENTS = """
    agents:
      a:
        model: gpt-4o-mini
        params: {n: {}}
        prompt: "row {{ n }}"
        mock_response: ok
        metadata: {team: docs, labels: {env: prod}}
        cache: 1h
"""


def test_run_writes_the_same_record_through_a_url(cli, write_agents, pg_url, tmp_path):
    write_agents(AGENTS)
    answers = []
    for where in (tmp_path / "log.db", pg_url):
        env = {"AGENTLOG_DB": str(where)}
        assert cli("run", "a", "-p", "n=1", "--meta", "k=v", env=env).exit_code == 0
        assert cli("run", "a", "-p", "n=1", env=env).exit_code == 0  # a cache hit
        shown = json.loads(cli("list", "--json", "--meta", "labels.env=prod", env=env).stdout)
        answers.append([{k: v for k, v in r.items()
                         if k not in ("created_at", "started_at", "completed_at", "duration_ms",
                                      "deadline_at", "pid", "attempts", "batch_id",
                                      "response_id")}
                        for r in shown])
    assert answers[0] == answers[1] and len(answers[0]) == 2
    assert [r["cache_hit"] for r in answers[1]] == [True, False]


def test_the_password_of_a_url_appears_in_no_error(cli, pg_server):
    url = f"postgresql://nobody:s3cr3t-pw@127.0.0.1:{pg_server.port}/nowhere"
    result = cli("list", env={"AGENTLOG_DB": url})
    assert result.exit_code != 0
    assert "s3cr3t-pw" not in result.output and "nobody:***@" in result.output
    with pytest.raises(StoreError) as raised:
        store.open(url)
    assert "s3cr3t-pw" not in str(raised.value)


def test_without_psycopg_a_url_is_one_line_naming_the_extra(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    result = cli("list", env={"AGENTLOG_DB": "postgresql://u:pw@127.0.0.1:1/x"})
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        'agentlog: error: a PostgreSQL log needs psycopg: pip install "agentlog[postgres]"']


def test_two_processes_opening_a_new_database_migrate_it_once(pg_server):
    url = pg_server.new_database()
    opened, errors = [], []

    def open_it() -> None:
        try:
            with store.open(url) as log:
                opened.append(log.count(log_query()))
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and opened == [0, 0, 0, 0]
    from agentlog.store.postgres import connect, migrations

    conn = connect.connect(url)
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")]
    conn.close()
    assert names == sorted(step.__name__ for step in migrations.MIGRATIONS)


WRITERS, RUNS = 4, 25


@pytest.mark.timeout(240)
def test_several_processes_write_while_list_and_report_read(write_agents, pg_url, tmp_path):
    write_agents(AGENTS.replace("cache: 1h", "") + "\n    settings:\n"
                 "      budgets: {daily: 1000}\n")
    for w in range(WRITERS):
        (tmp_path / f"rows{w}.jsonl").write_text(
            "\n".join(json.dumps({"n": f"w{w}r{r}"}) for r in range(RUNS)) + "\n")

    def agentlog(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "agentlog", *args], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    writers = [agentlog("run", "a", "--input", f"rows{w}.jsonl", "-j", "2")
               for w in range(WRITERS)]
    done, errors, reads = threading.Event(), [], []

    def read() -> None:
        while not done.is_set():
            for command in (["list", "-n", "5"], ["report", "daily"], ["list", "--search", "row"]):
                _, err = (reader := agentlog(*command)).communicate(timeout=60)
                reads.append(command[0])
                if reader.returncode or err:
                    errors.append(f"{command}: {reader.returncode} {err}")
                done.wait(0.3)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        outputs = [w.communicate(timeout=200) for w in writers]
    finally:
        done.set()
        reader.join(timeout=60)
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert [json.loads(line)["status"] for line in out.splitlines()] == ["success"] * RUNS
    assert not errors, errors[:3]
    assert "list" in reads
    with store.open(pg_url) as log:
        q = log_query()
        assert log.count(q.successful()) == WRITERS * RUNS == log.count(q)
        assert log.count(q.search("row")) == WRITERS * RUNS
    assert totals_equal_rows(pg_url)
