"""`agentlog list` and `agentlog show` on executions logged by `agentlog run`."""

from __future__ import annotations

import json

from conftest import REPO

EXAMPLE = str(REPO / "agentlog" / "agents.yaml.example")


def test_list_shows_latest_first_with_limit(cli, db_path):
    for name in ("Ada", "Grace", "Linus"):
        cli("run", "hello", "-c", EXAMPLE, "-p", f"name={name}")
    result = cli("list", "-n", "2", "--json")
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == [3, 2]
    table = cli("list", "-n", "20").stdout
    assert "hello" in table and "gpt-4o-mini" in table and "success" in table
    assert "$0.000013" in table


def test_list_on_an_empty_log_is_friendly(cli, db_path):
    from agentlog import store

    store.open(db_path).close()
    result = cli("list")
    assert result.exit_code == 0
    assert "No executions" in result.stdout


def test_show_prints_every_section(cli, db_path):
    cli("run", "hello", "-c", EXAMPLE, "--tenant", "acme")
    result = cli("show", "1")
    assert result.exit_code == 0
    for label in ("version", "model", "cost source", "attempts", "tenant", "user prompt",
                  "response"):
        assert label in result.stdout
    assert "acme" in result.stdout
    record = json.loads(cli("show", "last", "--json").stdout)
    assert record["id"] == 1 and record["tenant_id"] == "acme"
    assert record["created_at"].endswith("Z")
