"""The response cache: a repeated request is answered from the log, without any HTTP request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import chain_agents
from test_lazy_imports import run_probe

from agentlog.runner import execute
from agentlog.store.sqlite import cache, db
from agentlog.timeutil import to_iso, utcnow


@pytest.fixture
def cached_agent(write_agents, fake_server, db_path):
    return write_agents(chain_agents(fake_server.base("ok"), retries="{max: 0}",
                                     extra="cache: 1h\n            params: {q: {}}",
                                     prompt="question {{ q }}"))


def test_second_identical_run_is_a_hit_without_any_http_request(
        cli, cached_agent, fake_server, db_path, read_rows):
    first = cli("run", "a", "-p", "q=1")
    assert first.exit_code == 0 and fake_server.count() == 1
    second = cli("run", "a", "-p", "q=1")
    assert second.exit_code == 0
    assert second.stdout == "fake answer\n"
    assert "#2 · openai/gpt-4o-mini · 12→7 tokens · $0.00 · " in second.stderr
    assert second.stderr.rstrip().endswith("· cache hit")
    assert fake_server.count() == 1
    miss, hit = read_rows(db_path)
    assert (miss["cache_hit"], hit["cache_hit"]) == (0, 1)
    assert miss["total_cost"] > 0
    assert (hit["total_cost"], hit["input_cost"], hit["output_cost"]) == (0.0, 0.0, 0.0)
    assert hit["cost_source"] == "cache"
    assert (hit["input_tokens"], hit["output_tokens"], hit["total_tokens"]) == (12, 7, 19)
    assert hit["status"] == "success" and hit["response"] == "fake answer"
    assert hit["chosen_model_id"] == miss["chosen_model_id"] and hit["provider"] == "openai"
    assert hit["attempts_count"] == 0 and hit["attempts"] == "[]"
    assert hit["user_prompt"] == "question 1"


def test_a_streamed_run_answered_from_the_cache_prints_the_answer(
        cli, cached_agent, fake_server):
    assert cli("run", "a", "-p", "q=1", "--stream").stdout == "fake answer\n"
    hit = cli("run", "a", "-p", "q=1", "--stream")
    assert hit.stdout == "fake answer\n" and fake_server.count() == 1


def test_a_different_request_misses(cli, cached_agent, fake_server):
    cli("run", "a", "-p", "q=1")
    cli("run", "a", "-p", "q=2")
    assert fake_server.count() == 2


def test_no_cache_bypasses_reading(cli, cached_agent, fake_server, db_path, read_rows):
    cli("run", "a", "-p", "q=1")
    assert cli("run", "a", "-p", "q=1", "--no-cache").exit_code == 0
    assert fake_server.count() == 2
    assert [r["cache_hit"] for r in read_rows(db_path)] == [0, 0]


def test_an_expired_entry_is_not_used(cli, cached_agent, fake_server, db_path, read_rows,
                                      monkeypatch):
    cli("run", "a", "-p", "q=1")
    two_hours_later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(execute, "utcnow", lambda: two_hours_later)
    cli("run", "a", "-p", "q=1")
    assert fake_server.count() == 2
    assert [r["cache_hit"] for r in read_rows(db_path)] == [0, 0]


def test_failures_are_not_cached(cli, write_agents, fake_server, db_path):
    write_agents(chain_agents(fake_server.base("e500"), retries="{max: 0}", extra="cache: 1h"))
    cli("run", "a")
    cli("run", "a")
    assert fake_server.count("e500") == 2


def test_a_hit_is_answered_without_importing_litellm(cli, cached_agent, fake_server, db_path):
    cli("run", "a", "-p", "q=1")
    out = run_probe(["run", "a", "-p", "q=1", "-c", str(cached_agent)], str(db_path))
    assert "fake answer" in out.stdout, out.stderr
    assert "LITELLM_NOT_LOADED" in out.stderr
    assert fake_server.count() == 1


def test_delete_expired_removes_only_expired_entries(tmp_path):
    conn = db.connect(tmp_path / "log.db")
    now = utcnow()
    for key, expires in (("old", now - timedelta(seconds=1)), ("fresh", now + timedelta(hours=1))):
        cache.put(conn, {"key": key, "agent": "a", "created_at": to_iso(now),
                         "expires_at": to_iso(expires)})
    assert cache.delete_expired(conn, to_iso(now)) == 1
    assert cache.get(conn, "fresh", to_iso(now)) is not None
    assert conn.execute("SELECT count(*) FROM response_cache").fetchone()[0] == 1
