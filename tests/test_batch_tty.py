"""On a terminal without -o the batch results never share a line with the progress bar:
stdout and stderr on one real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys


def test_results_are_printed_after_the_bar_not_on_its_line(write_agents, db_path, tmp_path):
    write_agents("agents:\n  a:\n    model: gpt-4o-mini\n    mock_response: hi\n"
                 "    prompt: '{{ name }}'\n    params: {name: {}}\n")
    (tmp_path / "rows.jsonl").write_text("".join(f'{{"name": "n{i}"}}\n' for i in range(4)))
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "agentlog", "run", "a", "--input",
                             "rows.jsonl", "-j", "1"], stdin=subprocess.DEVNULL, stdout=child,
                            stderr=child, env={**os.environ, "COLUMNS": "120"}, cwd=tmp_path)
    os.close(child)
    chunks = []
    for _ in range(10_000):  # bounded: ends at EOF (EIO on Linux) when the process exits
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=120) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "\n", b"".join(chunks).decode(errors="replace"))
    results = [line for line in text.replace("\r", "\n").splitlines() if '{"line"' in line]
    assert len(results) == 4, text
    assert all(line.startswith('{"line"') for line in results), results
