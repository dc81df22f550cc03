"""Which commands create a log, and what a log may be: a reading command refuses a log that
does not exist and creates nothing; a log path that is not a regular file, an empty --db, a
database whose tables are not agentlog's are refused before anything is changed."""

from __future__ import annotations

import os
import sqlite3

import pytest
from outcomes import fingerprint, one_line_error

AGENTS = """
    agents:
      a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}
"""
READERS = [("list",), ("show", "last"), ("report", "daily"), ("report", "trend"),
           ("export", "csv"), ("export", "jsonl", "-o", "out.jsonl"),
           ("prune", "--older-than", "1d", "--yes"), ("breakers",), ("breakers", "reset"),
           ("budgets",), ("db", "repair"), ("db", "upgrade"), ("ui", "--no-open")]
WRITERS = [("run", "a"), ("run", "a", "--input", "rows.jsonl", "-o", "results.jsonl")]


@pytest.fixture
def agents(write_agents, tmp_path):
    write_agents(AGENTS)
    (tmp_path / "rows.jsonl").write_text('{}\n{}\n')


@pytest.mark.parametrize("command", READERS)
def test_a_reading_command_refuses_a_missing_log_and_creates_nothing(cli, agents, tmp_path,
                                                                    command):
    typo = tmp_path / "typo" / "agentlgo.db"
    result = cli(*command, "--db", str(typo))
    one_line_error(result, code=2)
    assert f"no log at {typo}" in result.stderr
    assert not (tmp_path / "typo").exists()
    assert not (tmp_path / "out.jsonl").exists()


def test_the_query_api_refuses_a_missing_log(tmp_path):
    from agentlog import Executions
    from agentlog.errors import NoLogError

    with pytest.raises(NoLogError, match="no log at"):
        Executions.open(str(tmp_path / "nosuch" / "log.db"))
    assert not (tmp_path / "nosuch").exists()


def test_db_copy_creates_its_target_but_never_its_source(cli, agents, tmp_path):
    result = cli("db", "copy", str(tmp_path / "nosuch.db"), str(tmp_path / "copy.db"))
    one_line_error(result, code=2)
    assert not (tmp_path / "nosuch.db").exists() and not (tmp_path / "copy.db").exists()
    assert cli("run", "a", "--db", str(tmp_path / "src.db")).exit_code == 0
    assert cli("db", "copy", str(tmp_path / "src.db"), str(tmp_path / "new" / "copy.db")
               ).exit_code == 0
    assert (tmp_path / "new" / "copy.db").is_file()


@pytest.mark.parametrize("command", WRITERS)
def test_writing_commands_create_the_log(cli, agents, tmp_path, command):
    path = tmp_path / "new" / "log.db"
    assert cli(*command, "--db", str(path)).exit_code == 0
    assert path.is_file()


@pytest.mark.postgres
def test_a_reading_command_neither_creates_nor_migrates_a_postgres_log(cli, agents,
                                                                       pg_server):
    import psycopg

    url = pg_server.new_database()  # a database without agentlog's schema
    for command in READERS[:-1]:
        if command == ("db", "upgrade"):
            continue
        result = cli(*command, "--db", url)
        one_line_error(result, code=2)
        assert "no agentlog log at" in result.stderr, (command, result.stderr)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_schema = 'public'").fetchone()[0] == 0
    assert cli("run", "a", "--db", url).exit_code == 0  # a writer creates it


@pytest.mark.postgres
def test_a_postgres_log_of_an_older_schema_is_upgraded_only_by_a_writer(cli, agents,
                                                                        pg_server):
    import psycopg

    url = pg_server.new_database()
    assert cli("run", "a", "--db", url).exit_code == 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM _migrations WHERE name = 'm030_payloads_purged_at'")
        conn.execute("ALTER TABLE executions DROP COLUMN payloads_purged_at")
    for command in (("list",), ("report", "daily"), ("export", "csv")):
        result = cli(*command, "--db", url)
        one_line_error(result, code=1)
        assert "agentlog db upgrade" in result.stderr, result.stderr
    from agentlog.store.postgres.migrations import SCHEMA_VERSION

    with psycopg.connect(url) as conn:  # the readers left the older schema as it was
        assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == \
            SCHEMA_VERSION - 1
    upgraded = cli("db", "upgrade", "--db", url)
    assert upgraded.exit_code == 0, upgraded.stderr
    assert cli("list", "--db", url).exit_code == 0


@pytest.mark.postgres
def test_a_reading_postgres_log_cannot_write(pg_url):
    from agentlog import store
    from agentlog.errors import StoreError

    reader = store.open_reader(pg_url)
    try:
        with pytest.raises(StoreError, match="read-only"):
            reader.insert({"agent_type": "a", "status": "success",
                           "created_at": "2026-01-01T00:00:00.000000Z"})
    finally:
        reader.close()


@pytest.mark.parametrize("command", [*READERS[:2], *WRITERS])
def test_a_character_device_or_fifo_as_the_log_is_refused(cli, agents, tmp_path, command):
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    for path in ("/dev/null", str(fifo)):
        existed = os.path.exists(path + "-journal")
        result = cli(*command, "--db", path)
        one_line_error(result, code=1)
        assert "is not a regular file" in result.stderr, result.stderr
        assert existed or not os.path.exists(path + "-journal")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("pipe")) == \
        ["pipe.db"]


@pytest.mark.parametrize("command", [READERS[0], WRITERS[0]])
def test_an_empty_db_is_refused_not_replaced_by_the_default(cli, agents, tmp_path, command):
    result = cli(*command, "--db", "")
    one_line_error(result, code=2)
    assert "--db is empty" in result.stderr
    result = cli(*command, env={"AGENTLOG_DB": ""})
    one_line_error(result, code=2)
    assert "AGENTLOG_DB is empty" in result.stderr
    assert not (tmp_path / "xdg").exists()  # the default log was not created


def _foreign(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE executions (id INTEGER PRIMARY KEY, job TEXT, ran_at TEXT)")
    conn.execute("INSERT INTO executions (job, ran_at) VALUES ('backup', '2026-01-01')")
    conn.commit()
    conn.close()


def _damaged(path) -> None:
    """An agentlog log whose executions table lost columns (rebuilt by hand)."""
    from agentlog import store

    store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.executescript("DROP TABLE executions_fts; DROP TABLE executions;"
                       "CREATE TABLE executions (id INTEGER PRIMARY KEY, agent_type TEXT);"
                       "PRAGMA user_version=0;")
    conn.close()


@pytest.mark.parametrize("make, expected", [(_foreign, 'is not an agentlog log'),
                                            (_damaged, 'table "executions" is not agentlog')])
def test_a_foreign_or_damaged_schema_is_refused_and_left_byte_identical(cli, agents, tmp_path,
                                                                        make, expected):
    path = tmp_path / "other.db"
    make(path)
    before = fingerprint(path)
    for command in [*READERS[:4], *WRITERS]:
        result = cli(*command, "--db", str(path))
        one_line_error(result, code=1)
        assert expected in result.stderr, (command, result.stderr)
        assert fingerprint(path) == before, command


@pytest.mark.postgres
def test_a_foreign_postgres_executions_table_is_refused_and_left_alone(cli, agents, pg_server):
    import psycopg

    url = pg_server.new_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE executions (id serial PRIMARY KEY, job text)")
    for command in (("list",), ("run", "a")):
        result = cli(*command, "--db", url)
        one_line_error(result, code=1)
        assert "not an agentlog log" in result.stderr, result.stderr
    with psycopg.connect(url) as conn:
        assert [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public'")] == ["executions"]
