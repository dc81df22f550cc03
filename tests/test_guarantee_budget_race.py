"""A hard budget holds when executions start at once: each running execution reserves its
worst-case cost (prompt tokens and max_tokens at the dearest price of its chain) in the
transaction that inserts its row, and the actual cost replaces it when it is finalized."""

from __future__ import annotations

import litellm

from agentlog import store

ONE_CALL = sum(litellm.cost_per_token(model="openai/gpt-4o-mini", prompt_tokens=12,
                                      completion_tokens=7))  # the fake server's usage


def test_sixteen_concurrent_starts_pass_no_more_than_the_budget_allows(
        cli, write_agents, fake_server, any_db, read_rows, tmp_path):
    limit = 3.5 * ONE_CALL  # one at a time, 4 executions start before it is spent
    write_agents(f"""
        settings:
          budgets: {{daily: {limit:.12f}, enforcement: hard}}
        agents:
          a: {{model: openai/gpt-4o-mini, api_base: '{fake_server.base("slow-1")}',
              api_key: x, prompt: hi, max_tokens: 20, retries: {{max: 0}}}}
    """)
    (tmp_path / "rows.jsonl").write_text("{}\n" * 16)
    cli("run", "a", "--input", "rows.jsonl", "-j", "16")
    rows = read_rows(any_db)
    passed = [r for r in rows if r["status"] == "success"]
    refused = [r for r in rows if r["error_class"] == "BudgetExceeded"]
    assert len(rows) == 16 and len(passed) + len(refused) == 16
    assert 1 <= len(passed) <= 4, len(passed)
    assert fake_server.count() == len(passed)
    assert sum(r["total_cost"] for r in passed) < limit + ONE_CALL
    with store.open(any_db) as log:  # every reservation was released at finalize
        assert log.reserved("2000-01-01T00:00:00.000Z", "2100-01-01T00:00:00.000Z") == 0


def test_the_refusal_names_what_running_executions_hold():
    from agentlog.store.status import Budget

    held = Budget("daily", "daily", 1.0, spent=0.25, reserved=0.75)
    assert held.exceeded and held.remaining == 0
    assert held.message() == ("daily budget of $1.00 is spent: $0.25 spent and $0.75 held by "
                              "running executions today")
