"""Rich tables and detail views. Data comes in as records or plain rows; nothing is queried here."""

from __future__ import annotations

import json
from typing import Any

STATUS_STYLE = {"success": "green", "error": "red", "timeout": "yellow", "running": "cyan"}


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    import typer

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class StreamPrinter:
    """Prints a streamed answer on stdout as it arrives, flushed per piece."""

    def __init__(self):
        self.open_line = False

    def __call__(self, text: str | None) -> None:
        import sys

        if text is None:  # the attempt failed (broken stream, rejected answer)
            self.end()
            sys.stderr.write("agentlog: the text above is discarded: its attempt failed\n")
            return
        sys.stdout.write(text)
        sys.stdout.flush()
        self.open_line = not text.endswith("\n")

    def end(self) -> None:
        if self.open_line:
            self("\n")


def money(value: float | None, total: bool = False) -> str:
    """$1.23 for totals and anything from a cent up; enough digits for sub-cent costs."""
    if value is None:
        return "—"
    if total or abs(value) >= 0.01 or value == 0:
        return f"${value:,.2f}"
    return f"${value:.6f}".rstrip("0")


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


def executions_table(records: list, timezone: str | None) -> None:
    from rich.table import Table

    out = console()
    if not records:
        out.print("No executions match.")
        return
    table = Table(show_edge=False, pad_edge=False)
    for name, justify in (("id", "right"), ("time", "left"), ("agent", "left"),
                          ("model", "left"), ("status", "left"), ("tokens", "right"),
                          ("cost", "right"), ("duration", "right")):
        table.add_column(name, justify=justify, overflow="fold")
    for r in records:
        style = STATUS_STYLE.get(r.status, "")
        table.add_row(str(r.id), local_time(r.created_at, timezone), r.agent_type,
                      r.chosen_model_id or r.model_id or "", f"[{style}]{r.status}[/]",
                      tokens(r.total_tokens), money(r.total_cost), duration(r.duration_ms))
    out.print(table)


def execution_detail(record, timezone: str | None) -> None:
    from rich.table import Table

    out = console()
    table = Table(show_header=False, show_edge=False, pad_edge=False, box=None)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in record.to_dict().items():
        if key in ("created_at", "started_at", "completed_at") and value is not None:
            value = f"{local_time(getattr(record, key), timezone)} ({value})"
        elif key.endswith("_cost") and value is not None:
            value = money(value)
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, indent=2, ensure_ascii=False)
        table.add_row(key, "—" if value is None else str(value))
    out.print(table, markup=False)


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


def batch_summary(summary: dict) -> None:
    """The end of a batch run, on stderr."""
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, title="interrupted" if summary["interrupted"]
                  else None, title_style="yellow")
    names = ("count", "success", "failed", "invalid", "skipped", "cost", "p50", "p95")
    for name in names:
        table.add_column(name, justify="right")
    table.add_row(*(str(summary[k]) for k in names[:5]), money(summary["cost"]),
                  duration(summary["p50_ms"]), duration(summary["p95_ms"]))
    console(stderr=True).print(table)
    console(stderr=True).print(f"batch {summary['batch_id']}", highlight=False)
