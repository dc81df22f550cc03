"""`--meta` stores what was typed and finds it again: dotted keys written flat or nested,
numbers that are not integers kept as their text."""

from __future__ import annotations

import json

import pytest

from agentlog.timeutil import to_iso, utcnow


def _rows(log, *metas: dict) -> None:
    for meta in metas:
        log.insert({"agent_type": "a", "status": "success", "created_at": to_iso(utcnow()),
                    "metadata": meta})


def _found(cli, *args: str) -> list[dict]:
    result = cli("list", "--json", "--all", *args)
    assert result.exit_code == 0, result.output
    return [r["metadata"] for r in json.loads(result.stdout)]


def test_a_dotted_key_matches_the_flat_key_and_the_nested_path(cli, log):
    _rows(log, {"env.stage": "prod"}, {"env": {"stage": "prod"}}, {"env": {"stage": "dev"}},
          {"env.stage": "dev"})
    found = _found(cli, "--meta", "env.stage=prod")
    assert sorted(found, key=str) == [{"env": {"stage": "prod"}}, {"env.stage": "prod"}]
    assert len(_found(cli, "--meta", "env.stage")) == 4


def test_run_meta_keeps_a_dotted_key_and_list_finds_it(cli, write_agents, any_db, read_rows):
    write_agents("agents:\n  a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}\n")
    assert cli("run", "a", "--meta", "env.stage=prod").exit_code == 0
    assert json.loads(read_rows(any_db)[0]["metadata"]) == {"env.stage": "prod"}
    assert _found(cli, "--meta", "env.stage=prod") == [{"env.stage": "prod"}]


def test_run_meta_stores_numbers_as_typed_unless_exact_integers(cli, write_agents, any_db,
                                                                read_rows):
    write_agents("agents:\n  a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}\n")
    args = ["ver=1.10", "big=1e3", "n=42", "yes=true", "none=null", "word=x"]
    result = cli("run", "a", *[a for pair in args for a in ("--meta", pair)])
    assert result.exit_code == 0, result.output
    assert json.loads(read_rows(any_db)[0]["metadata"]) == {
        "ver": "1.10", "big": "1e3", "n": 42, "yes": True, "none": None, "word": "x"}


@pytest.mark.parametrize("typed, stored", [
    ("ver=1.10", [{"ver": "1.10"}, {"ver": 1.1}]),
    ("ver=1.1", [{"ver": 1.1}, {"ver": "1.1"}]),
    ("big=1e3", [{"big": "1e3"}, {"big": 1000}]),
    ("n=42", [{"n": 42}, {"n": "42"}]),
])
def test_a_number_matches_its_text_as_typed_and_its_value(cli, log, typed, stored):
    _rows(log, {"ver": "1.10"}, {"ver": 1.1}, {"ver": "1.1"}, {"big": "1e3"}, {"big": 1000},
          {"big": "1000.0"}, {"n": 42}, {"n": "42"}, {"n": "42.0"})
    assert sorted(map(json.dumps, _found(cli, "--meta", typed))) == \
        sorted(map(json.dumps, stored))
