"""No filter value reaches SQL as text: hostile input through every filter, sort key, column
and metadata path (CLI and Python API) is refused or finds nothing, and changes nothing in
the database, its schema included."""

from __future__ import annotations

import json

import pytest
from seeding import table_dump

from agentlog import Executions
from agentlog.errors import QueryError

PAYLOADS = [
    "x' OR '1'='1",
    "x\" OR \"1\"=\"1",
    "'); DROP TABLE executions; --",
    "x' UNION SELECT * FROM executions --",
    "summarize' --",
    "%",
    "*",
    "NEAR(a b) OR quarterly AND",
    '"',
]
FLAGS = ["--agent", "--model", "--tenant", "--batch", "--status"]


def matches(cli, *args: str):
    result = cli("list", "--all", "--json", *args)
    return result.exit_code, (json.loads(result.stdout) if result.exit_code == 0 else None)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("flag", FLAGS)
def test_string_filters_find_nothing_and_change_nothing(cli, seeded_log, flag, payload):
    before = table_dump(seeded_log)
    code, found = matches(cli, flag, payload)
    assert (code, found) in ((0, []), (2, None))  # --status refuses unknown names
    assert table_dump(seeded_log) == before


@pytest.mark.parametrize("payload", PAYLOADS)
def test_meta_keys_and_values_find_nothing_and_change_nothing(cli, seeded_log, payload):
    before = table_dump(seeded_log)
    for meta in (f"team={payload}", f"{payload}=docs", payload):
        code, found = matches(cli, "--meta", meta)
        assert (code, found) in ((0, []), (2, None)), meta
    assert table_dump(seeded_log) == before


@pytest.mark.parametrize("payload", PAYLOADS)
def test_search_treats_fts_syntax_as_words(cli, seeded_log, payload):
    before = table_dump(seeded_log)
    code, found = matches(cli, "--search", payload)
    assert code == 0
    # Punctuation and operators are plain text; only "summarize" is a word of some row.
    assert [r["id"] for r in found] == ([1] if "summarize" in payload else [])
    assert table_dump(seeded_log) == before


def test_search_for_words_that_are_fts_operators_finds_them_as_words(cli, seeded_log):
    from seeding import seed

    seed(seeded_log, [dict(created_at="2026-11-25T02:59:00.000Z", agent_type="a",
                           status="success", response="use NEAR or AND with care")])
    code, found = matches(cli, "--search", "NEAR AND")
    assert code == 0 and [r["id"] for r in found] == [11]


@pytest.mark.parametrize("option", ["--sort", "--columns"])
@pytest.mark.parametrize("payload", PAYLOADS + ["id; DROP TABLE executions", "id DESC, (SELECT 1)"])
def test_sort_and_columns_accept_only_known_names(cli, seeded_log, option, payload):
    before = table_dump(seeded_log)
    result = cli("list", option, payload)
    assert result.exit_code == 2
    assert "choose from" in result.stderr
    assert table_dump(seeded_log) == before


def schema(path) -> list:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                            "ORDER BY name").fetchall()
    finally:
        conn.close()


VALUE_FLAGS = ["--since", "--until", "--expensive", "--slow", "--high-tokens"]


@pytest.mark.parametrize("payload", PAYLOADS + ["1; DROP TABLE executions", "0 OR 1=1"])
@pytest.mark.parametrize("flag", VALUE_FLAGS)
def test_time_and_threshold_filters_refuse_anything_but_their_values(cli, seeded_log, flag,
                                                                     payload):
    before, shape = table_dump(seeded_log), schema(seeded_log)
    result = cli("list", flag, payload)
    assert result.exit_code == 2 and result.stderr.startswith("agentlog: error: ")
    assert (table_dump(seeded_log), schema(seeded_log)) == (before, shape)


JSON_PATHS = ["$", "$.team", "team[0]", "team.*", "#-1", "a]", "a'b", "team')--", "..team"]


@pytest.mark.parametrize("key", JSON_PATHS)
def test_meta_keys_with_json_path_syntax_are_plain_labels(cli, seeded_log, key):
    before, shape = table_dump(seeded_log), schema(seeded_log)
    for meta in (key, f"{key}=docs", f"{key}=1"):
        code, found = matches(cli, "--meta", meta)
        assert (code, found) in ((0, []), (2, None)), meta
    assert (table_dump(seeded_log), schema(seeded_log)) == (before, shape)


@pytest.mark.parametrize("payload", PAYLOADS + ["1 OR 1=1", "1; DROP TABLE executions"])
def test_show_takes_only_an_id(cli, seeded_log, payload):
    before = table_dump(seeded_log)
    assert cli("show", payload).exit_code == 2
    assert table_dump(seeded_log) == before


@pytest.mark.parametrize("payload", PAYLOADS + ["total_cost); DROP TABLE executions; --",
                                                "-id, (SELECT 1)"])
def test_the_python_api_refuses_column_names_it_does_not_know(seeded_log, payload):
    before, shape = table_dump(seeded_log), schema(seeded_log)
    with Executions.open(str(seeded_log)) as log:
        for call in (lambda: log.order_by(payload), lambda: log.sum(payload),
                     lambda: log.avg(payload), lambda: log.log.aggregate(log, (payload, "*"))):
            with pytest.raises(QueryError):
                call()
        assert list(log.by_agent(payload)) == [] and log.by_tenant(payload).count() == 0
        assert log.where_meta("team", payload).count() == 0
    assert (table_dump(seeded_log), schema(seeded_log)) == (before, shape)
