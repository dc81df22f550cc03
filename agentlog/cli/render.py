"""Rich tables and detail views. Data comes in as records or plain rows; nothing is queried here."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import Any

STATUS_STYLE = {"success": "green", "error": "red", "timeout": "yellow", "running": "cyan"}


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    import typer

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_records(records: Iterable, lines: bool) -> None:
    """Full records as one JSON array, or one object per line; streamed, never all in memory."""
    import sys

    out = sys.stdout
    if lines:
        for record in records:
            out.write(json.dumps(record.to_dict(), ensure_ascii=False, default=str) + "\n")
        return
    sep = "[\n"
    for record in records:
        out.write(sep + textwrap.indent(json.dumps(record.to_dict(), indent=2,
                                                   ensure_ascii=False, default=str), "  "))
        sep = ",\n"
    out.write("[]\n" if sep == "[\n" else "\n]\n")


def money(value: float | None, total: bool = False) -> str:
    """$1.23 for totals and anything from a cent up; enough digits for sub-cent costs."""
    if value is None:
        return "—"
    if total or abs(value) >= 0.01 or value == 0:
        return f"${value:,.2f}"
    import math

    digits = max(6, 2 - math.floor(math.log10(abs(value))))  # 3 significant below 1e-6
    return f"${value:.{digits}f}".rstrip("0")


def duration(ms: int | None) -> str:
    if ms is None:
        return "—"
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def tokens(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def local_time(value, timezone: str | None) -> str:
    from agentlog.timeutil import get_zone

    return value.astimezone(get_zone(timezone)).strftime("%Y-%m-%d %H:%M:%S")


def summary_line(record) -> str:
    """One line for stderr after a run: id, model, tokens, cost, duration."""
    status = "" if record.status == "success" else f" · {record.status}"
    error = f" · {record.error_class}: {record.error_message}" if record.error_class else ""
    return (f"#{record.id} · {record.chosen_model_id} · {tokens(record.input_tokens)}→"
            f"{tokens(record.output_tokens)} tokens · {money(record.total_cost)} · "
            f"{duration(record.duration_ms)}{status}{error}")


def agents_table(rows: list[dict], path: str) -> None:
    from rich.table import Table

    out = console()
    if not rows:
        out.print(f"{path} declares no agents.")
        return
    table = Table(show_edge=False, pad_edge=False)
    for name in ("name", "model", "fallbacks", "params", "description"):
        table.add_column(name, overflow="fold")
    for row in rows:
        params = ", ".join(f"{k}{'' if v['required'] else '?'}" for k, v in row["params"].items())
        table.add_row(row["name"], row["model"], ", ".join(row["fallbacks"]) or "—",
                      params or "—", row["description"] or "")
    out.print(table)
