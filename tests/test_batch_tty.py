"""On a terminal without -o the batch results never share a line with the progress bar:
stdout and stderr on one real pseudo-terminal."""

from __future__ import annotations

import re

from terminal import on_terminal


def test_results_are_printed_after_the_bar_not_on_its_line(write_agents, db_path, tmp_path):
    write_agents("agents:\n  a:\n    model: gpt-4o-mini\n    mock_response: hi\n"
                 "    prompt: '{{ name }}'\n    params: {name: {}}\n")
    (tmp_path / "rows.jsonl").write_text("".join(f'{{"name": "n{i}"}}\n' for i in range(4)))
    text = on_terminal(["run", "a", "--input", "rows.jsonl", "-j", "1"], tmp_path,
                       {"COLUMNS": "120"})
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "\n", text)
    results = [line for line in text.replace("\r", "\n").splitlines() if '{"line"' in line]
    assert len(results) == 4, text
    assert all(line.startswith('{"line"') for line in results), results
