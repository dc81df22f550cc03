"""Long commands show a labelled bar with formatted counts on a terminal's stderr (a real
pseudo-terminal here) and nothing at all on a pipe."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from seeding import seed
from terminal import on_terminal

ROWS = 1200


@pytest.fixture
def old_log(tmp_path):
    path = tmp_path / "log.db"
    seed(path, [dict(created_at="2026-01-01T00:00:00.000Z", agent_type="bulk",
                     status="success", model_id="gpt-4o-mini")] * ROWS)
    return path


def _on_terminal(path, *args: str) -> str:
    text = on_terminal(list(args), path.parent, {"AGENTLOG_DB": str(path), "COLUMNS": "100"})
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def _on_a_pipe(path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "agentlog", *args], capture_output=True,
                          text=True, cwd=path.parent, env={**os.environ,
                                                           "AGENTLOG_DB": str(path)})
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_export_to_a_file_shows_a_labelled_bar_with_formatted_counts(old_log):
    shown = _on_terminal(old_log, "export", "csv", "-o", "out.csv")
    assert re.search(r"export csv ━+ 1,200/1,200 rows", shown), shown
    assert "━" not in _on_a_pipe(old_log, "export", "csv", "-o", "again.csv")


def test_prune_shows_progress_while_deleting_on_a_terminal_only(old_log, tmp_path):
    import shutil

    copy = tmp_path / "copy" / "log.db"
    copy.parent.mkdir()
    shutil.copy(old_log, copy)
    shown = _on_terminal(old_log, "prune", "--older-than", "1d", "--yes", "--no-vacuum")
    assert re.search(r"prune ━+ 1,200/1,200 executions", shown), shown
    assert "Deleted 1,200 executions" in shown
    piped = _on_a_pipe(copy, "prune", "--older-than", "1d", "--yes", "--no-vacuum")
    assert "━" not in piped and "executions" not in piped
