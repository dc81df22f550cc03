"""Large inputs are stored (or refused in one line), never crashed on: a 5 MB parameter file,
a 1 MB response, 10,000 metadata keys, a 10,000-line batch."""

from __future__ import annotations

import json

MB = 1024 * 1024


def test_a_5_mb_parameter_file_is_stored_and_searchable(cli, write_agents, db_path, tmp_path,
                                                       read_rows):
    write_agents("""
        agents:
          a: {model: gpt-4o-mini, params: {text: {}}, prompt: "{{ text }}", mock_response: ok}
    """)
    words = "lorem ipsum dolor sit amet consectetur "
    (tmp_path / "big.txt").write_text((words * (5 * MB // len(words) + 1))[:5 * MB] + " zebra")
    assert cli("run", "a", "-p", "text=@big.txt").exit_code == 0
    [row] = read_rows(db_path)
    assert len(row["user_prompt"]) == 5 * MB + len(" zebra")
    assert len(json.loads(row["parameters"])["text"]) == 5 * MB + len(" zebra")
    found = cli("list", "--search", "zebra", "--json")
    assert [r["id"] for r in json.loads(found.stdout)] == [row["id"]]
    shown = cli("show", "last")  # cut for the screen: laying out 10 MB took half a minute
    assert shown.exit_code == 0 and len(shown.stdout) < 100_000
    assert "5,222,886 more characters (show --json prints everything)" in shown.stdout


def test_a_1_mb_response_is_stored_and_shown(cli, write_agents, db_path, read_rows):
    answer = "0123456789abcdef" * (MB // 16)
    write_agents(f"agents:\n  a: {{model: gpt-4o-mini, prompt: hi, mock_response: {answer}}}\n")
    result = cli("run", "a")
    assert result.exit_code == 0 and result.stdout.strip() == answer
    [row] = read_rows(db_path)
    assert row["response"] == answer and row["status"] == "success"
    assert json.loads(cli("show", "last", "--json").stdout)["response"] == answer
    assert "more characters (show --json prints everything)" in cli("show", "last").stdout


def test_10000_metadata_keys_are_stored_and_filterable(cli, write_agents, db_path, read_rows):
    write_agents("agents:\n  a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}\n")
    pairs = [part for i in range(10_000) for part in ("--meta", f"k{i}=v{i}")]
    assert cli("run", "a", *pairs).exit_code == 0
    [row] = read_rows(db_path)
    metadata = json.loads(row["metadata"])
    assert len(metadata) == 10_000 and metadata["k9999"] == "v9999"
    found = cli("list", "--meta", "k9999=v9999", "--meta", "k0", "--json")
    assert [r["id"] for r in json.loads(found.stdout)] == [row["id"]]


def test_a_10000_line_batch_logs_every_line(cli, write_agents, db_path, tmp_path):
    """Mock calls cost ~8 ms each on two cores; with the response cache all but the first few
    rows are answered from the database, which keeps this test at a few seconds while every
    line still becomes a logged execution."""
    write_agents("""
        agents:
          a: {model: gpt-4o-mini, params: {n: {}}, prompt: "same", mock_response: ok,
              cache: 1h}
    """)
    (tmp_path / "rows.jsonl").write_text("".join(f'{{"n": {i}}}\n' for i in range(10_000)))
    result = cli("run", "a", "--input", "rows.jsonl", "-j", "4", "-o", "results.jsonl")
    assert result.exit_code == 0, result.stderr
    results = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [r["line"] for r in results] == list(range(1, 10_001))
    assert {r["status"] for r in results} == {"success"}
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*), count(DISTINCT batch_id), sum(status = 'success'), "
                            "sum(cache_hit) > 9000 FROM executions").fetchone() == \
            (10_000, 1, 10_000, 1)
    finally:
        conn.close()
