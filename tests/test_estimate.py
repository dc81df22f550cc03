"""`run --input --estimate` (tokens and cost before a batch runs) and `--max-cost` (a spend cap
on one batch)."""

from __future__ import annotations

import json

import pytest

AGENTS = """\
agents:
  s:
    model: gpt-4o-mini
    fallback_models: [groq/llama-3.1-8b-instant]
    system: You summarize.
    prompt: "Summarize: {{ text }}"
    max_tokens: 50
    params: {text: {required: true}}
    pricing: {input_per_million: 1.0, output_per_million: 2.0}
    mock_response: ok
"""
TEXTS = ["a short one", "a somewhat longer text about alerts and budgets", "x" * 300]


def rows_file(tmp_path, texts=TEXTS):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts) + "not json\n")
    return path


def expected_tokens(model: str, texts) -> int:
    import litellm

    litellm.disable_hf_tokenizer_download = True  # what --estimate counts with offline
    try:
        return sum(litellm.token_counter(model=model, messages=[
            {"role": "system", "content": "You summarize."},
            {"role": "user", "content": f"Summarize: {t}"}]) for t in texts)
    finally:
        litellm.disable_hf_tokenizer_download = False


def test_the_estimate_counts_litellm_tokens_per_model_and_logs_nothing(cli, write_agents,
                                                                       tmp_path, db_path):
    write_agents(AGENTS)
    result = cli("run", "s", "--input", str(rows_file(tmp_path)), "--estimate", "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["rows"] == 3 and [b["line"] for b in found["invalid"]] == [4]
    assert (found["output_basis"], found["output_tokens_per_row"]) == ("max_tokens", 50)
    primary, fallback = found["models"]
    assert primary["input_tokens"] == expected_tokens("gpt-4o-mini", TEXTS)
    assert not primary["approximate"]
    assert fallback["input_tokens"] == expected_tokens("groq/llama-3.1-8b-instant", TEXTS)
    assert fallback["approximate"]  # its tokenizer is on a model hub
    assert primary["output_tokens"] == 150
    assert primary["cost"] == pytest.approx(primary["input_tokens"] * 0.15e-6 + 150 * 0.6e-6)
    assert fallback["cost"] == pytest.approx(fallback["input_tokens"] * 1e-6 + 150 * 2e-6)
    assert found["cost_min"] == min(primary["cost"], fallback["cost"])
    assert found["cost_max"] == max(primary["cost"], fallback["cost"])
    assert not db_path.exists()  # nothing was logged, no log was even created
    table = cli("run", "s", "--input", str(rows_file(tmp_path)), "--estimate")
    assert table.exit_code == 0
    assert "3 rows for s; output assumed 50 tokens per row (max_tokens)" in table.stdout
    assert "≈ approximate" in table.stdout and "line 4: skipped" in table.stderr


def test_the_estimate_assumes_the_observed_average_output_when_there_is_history(
        cli, write_agents, tmp_path, any_db):
    from agentlog import store
    from agentlog.store.query import Query

    write_agents(AGENTS)
    with store.open(any_db) as log:
        for tokens in (10, 30):
            log.insert({"agent_type": "s", "status": "success", "output_tokens": tokens,
                        "created_at": "2026-11-01T00:00:00.000Z"})
        before = log.count(Query())
    found = json.loads(cli("run", "s", "--input", str(rows_file(tmp_path)), "--estimate",
                           "--json").stdout)
    assert (found["output_basis"], found["output_tokens_per_row"]) == ("history", 20)
    assert found["models"][0]["output_tokens"] == 60
    with store.open(any_db) as log:
        assert log.count(Query()) == before


def test_estimate_and_max_cost_need_a_batch(cli, write_agents):
    write_agents(AGENTS)
    result = cli("run", "s", "-p", "text=x", "--estimate")
    assert result.exit_code == 2 and "--estimate applies to a batch" in result.stderr


def test_max_cost_stops_launching_rows_within_one_concurrency_window(
        cli, write_agents, tmp_path, any_db, read_rows):
    write_agents(AGENTS)
    one = 1.35e-5  # gpt-4o-mini, litellm's mock usage of 10 + 20 tokens
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"text": str(i)}) + "\n" for i in range(40)))
    out = tmp_path / "out.jsonl"
    result = cli("run", "s", "--input", str(path), "-j", "2", "--max-cost", str(3.5 * one),
                 "-o", str(out))
    assert result.exit_code == 1
    ran = read_rows(any_db)
    assert 4 <= len(ran) <= 4 + 2  # the cap is reached after 4 rows; 2 may be running
    results = [json.loads(line) for line in out.read_text().splitlines()]
    skipped = [r for r in results if r["status"] == "skipped"]
    assert len(results) == 40 and len(skipped) == 40 - len(ran)
    assert "--max-cost" in skipped[0]["error"]
    assert "stopped launching rows: --max-cost $0.0000472 reached" in result.stderr
