"""Every table in one style, the plain columns of `list` and `report`: no boxes, and at 80
columns a name stays whole on its line instead of wrapping mid-word."""

from __future__ import annotations

import pytest

from agentlog.cli import render

BOX = set("│┃━─┏┓┗┛┡┩└┘├┤┼╇╋")
HAIKU, SONNET = "claude-3-5-haiku-20241022", "claude-3-5-sonnet-20241022"


@pytest.fixture
def printed(monkeypatch, capsys):
    """Run a renderer on an 80-column terminal; its stdout and stderr lines."""
    monkeypatch.setenv("COLUMNS", "80")

    def run(draw, *args) -> list[str]:
        draw(*args)
        out, err = capsys.readouterr()
        return (out + err).splitlines()

    return run


def _plain(lines: list[str]) -> None:
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert not BOX & set("".join(lines)), "\n".join(lines)


def test_agents_table_keeps_names_whole_and_wraps_the_description_between_words(printed):
    description = "Summarize customer feedback from the weekly survey into three short bullets"
    rows = [{"name": "summarize", "model": "gpt-4o-mini", "fallbacks": [HAIKU, SONNET],
             "params": {"text": {"required": True}, "style": {"required": False}},
             "description": description}]
    lines = printed(render.agents_table, rows, "agents.yaml")
    _plain(lines)
    assert lines[0].split() == ["name", "model", "fallbacks", "params", "description"]
    assert HAIKU in lines[1] and SONNET in lines[2]  # one fallback per line, each whole
    words = " ".join(line[lines[0].index("description"):] for line in lines[1:]).split()
    assert words == description.split()


def test_breakers_table_shows_haiku_and_sonnet_apart(printed):
    rows = [{"agent": "summarize", "model": m, "state": "open", "recent_failures": 5,
             "opened_at": "2026-11-25T02:30:00.000Z", "reopens_at": "2026-11-25T02:35:00.000Z"}
            for m in (HAIKU, SONNET)]
    lines = printed(render.breakers_table, rows, "UTC")
    _plain(lines)
    assert lines[0].split() == ["agent", "model", "state", "failures", "opened", "reopens"]
    assert HAIKU in lines[1] and SONNET in lines[2]
    assert "11-25 02:30" in lines[1] and "11-25 02:35" in lines[1]


def test_budgets_table_is_plain_columns(printed):
    rows = [{"name": "agent summarize-customer-feedback daily", "limit": 1.0, "spent": 1.25,
             "remaining": 0.0, "exceeded": True, "enforcement": "hard"}]
    lines = printed(render.budgets_table, rows)
    _plain(lines)
    assert lines[0].split() == ["budget", "limit", "spent", "remaining", "enforcement"]
    assert lines[1].split() == ["agent", "summarize-customer-feedback", "daily", "$1.00",
                                "$1.25", "$0.00", "hard"]


def test_batch_summary_is_plain_columns_on_stderr(printed):
    summary = {"count": 1000, "success": 990, "failed": 7, "invalid": 2, "skipped": 1,
               "cost": 1.5, "p50_ms": 1200, "p95_ms": 4100, "interrupted": False,
               "batch_id": "b-1"}
    lines = printed(render.batch_summary, summary)
    _plain(lines)
    assert lines[0].split() == ["count", "success", "failed", "invalid", "skipped", "cost",
                                "p50", "p95"]
    assert lines[1].split() == ["1000", "990", "7", "2", "1", "$1.50", "1.20", "s", "4.10", "s"]


def test_a_name_from_the_log_is_shown_as_written_not_as_markup(printed):
    rows = [{"agent": "[bold]x[/bold]", "model": "[red]m", "state": "closed",
             "recent_failures": 1, "opened_at": None, "reopens_at": None}]
    assert "[bold]x[/bold]" in printed(render.breakers_table, rows, "UTC")[1]
