"""Rich tables and detail views. Data comes in as records or plain rows; nothing is queried here."""

from __future__ import annotations

import functools
import json
import textwrap
from collections.abc import Iterable
from typing import Any

from agentlog.errors import one_line
from agentlog.money import usd as money  # noqa: F401  (the renderers' name for it)

STATUS_STYLE = {"success": "green", "error": "red", "timeout": "yellow", "running": "cyan"}


@functools.cache
def _console_class():
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            """rich's own answer is exit code 1; the command boundary makes it a quiet 0."""
            self.quiet = True
            raise BrokenPipeError

    return PipeConsole


def console(stderr: bool = False):
    return _console_class()(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    import typer

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_records(records: Iterable, lines: bool) -> None:
    """Full records (`Execution.to_dict()` dicts) as one JSON array, or one object per line;
    streamed, never all in memory."""
    import sys

    out = sys.stdout
    if lines:
        line = json.JSONEncoder(ensure_ascii=False, default=str).encode  # json.dumps, built once
        for record in records:
            out.write(line(record) + "\n")
        return
    sep = "[\n"
    for record in records:
        out.write(sep + textwrap.indent(json.dumps(record, indent=2,
                                                   ensure_ascii=False, default=str), "  "))
        sep = ",\n"
    out.write("[]\n" if sep == "[\n" else "\n]\n")


def print_answer(text: str) -> None:
    """A logged answer on stdout: as it is for a pipe; on a terminal without the control
    characters (escape sequences) a hostile answer could drive the terminal with."""
    import re
    import sys

    if sys.stdout.isatty():
        text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "\ufffd", text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


class StreamPrinter:
    """Prints a streamed answer on stdout as it arrives, flushed per piece."""

    def __init__(self):
        self.open_line = False
        self.printed = False  # a cache hit streams nothing: the caller prints the answer

    def __call__(self, text: str | None) -> None:
        import sys

        if text is None:  # the attempt failed (broken stream, rejected answer)
            self.end()
            sys.stderr.write("agentlog: the text above is discarded: its attempt failed\n")
            return
        sys.stdout.write(text)
        sys.stdout.flush()
        self.printed = True
        self.open_line = not text.endswith("\n")

    def end(self) -> None:
        if self.open_line:
            self("\n")


def duration(ms: int | None) -> str:
    if ms is None:
        return "—"
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def tokens(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def summary_line(record) -> str:
    """One line for stderr after a run: id, model, tokens, cost, duration."""
    status = "" if record.status == "success" else f" · {record.status}"
    status += " · cache hit" if record.cache_hit else ""
    error = f" · {record.error_class}: {record.error_message}" if record.error_class else ""
    return (f"#{record.id} · {record.chosen_model_id} · {tokens(record.input_tokens)}→"
            f"{tokens(record.output_tokens)} tokens · {money(record.total_cost)} · "
            f"{duration(record.duration_ms)}{status}{error}")


def agents_table(rows: list[dict], path: str) -> None:
    from rich.text import Text

    from agentlog.cli.render_table import Col, table

    out = console()
    if not rows:
        out.print(f"{path} declares no agents.", markup=False)
        return
    # One fallback per line, so that each model name stays whole; what is left of the
    # terminal goes to the parameters and the description, wrapped between words.
    shown = table("name", "model", "fallbacks", Col("params", wrap=True),
                  Col("description", wrap=True, min_width=16))
    for row in rows:
        params = ", ".join(f"{k}{'' if v['required'] else '?'}" for k, v in row["params"].items())
        shown.add_row(*(Text(cell) for cell in (
            row["name"], row["model"], "\n".join(row["fallbacks"]) or "—", params or "—",
            row["description"] or "")))
    out.print(shown)


def _local_iso(value: str | None, timezone: str | None,
               fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    from agentlog.timeutil import format_local

    return "—" if value is None else format_local(value, timezone, fmt)


def breakers_table(rows: list[dict], timezone: str | None) -> None:
    from rich.text import Text

    from agentlog.cli.render_table import right, table

    out = console()
    if not rows:
        out.print("Every circuit is closed: no model failed recently.")
        return
    shown = table("agent", "model", "state", right("failures"), "opened", "reopens")
    styles = {"closed": "green", "open": "red", "half-open": "yellow"}
    for r in rows:
        shown.add_row(Text(r["agent"]), Text(r["model"]), Text(r["state"], styles[r["state"]]),
                      str(r["recent_failures"]),
                      _local_iso(r["opened_at"], timezone, "%m-%d %H:%M"),
                      _local_iso(r["reopens_at"], timezone, "%m-%d %H:%M"))
    out.print(shown)


def budgets_table(rows: list[dict]) -> None:
    from rich.text import Text

    from agentlog.cli.render_table import right, table

    out = console()
    if not rows:
        out.print("No budgets are set (settings.budgets in the agents file).")
        return
    shown = table("budget", right("limit"), right("spent"), right("remaining"), "enforcement")
    for r in rows:
        spent = Text(money(r["spent"]), "red" if r["exceeded"] else "")
        shown.add_row(Text(r["name"]), money(r["limit"]), spent, money(r["remaining"]),
                      r["enforcement"])
    out.print(shown)


def attention_lines(found: dict, timezone: str | None) -> None:
    """`agentlog alerts`: one line per condition (store/alerts.py), as plain text."""
    import typer

    lines = [f"budget {b['name']}: {money(b['spent'])} of {money(b['limit'])} spent "
             f"({b['spent'] / b['limit']:.0%}, past {b['threshold']:.0%})"
             for b in found["budgets"]]
    lines += [f"circuit {b['state']}: {b['agent']} / {b['model']} ({b['recent_failures']} "
              f"recent failures, reopens {_local_iso(b['reopens_at'], timezone)})"
              for b in found["breakers"]]
    spike = found["error_spike"]
    lines += [f"error spike: {s['agent']} failed {s['errors']} times in the last "
              f"{spike['window_minutes']} minutes" for s in spike["agents"]]
    lines += [f"overdue: #{e['id']} {e['agent_type']} still running past its deadline "
              f"({_local_iso(e['deadline_at'], timezone)})" for e in found["overdue"]]
    for line in lines or ["Nothing needs attention."]:
        typer.echo(one_line(line))


def estimate_table(found: dict) -> None:
    """`run --input --estimate`: tokens and cost per model of the fallback chain."""
    from rich.text import Text

    from agentlog.cli.render_table import right, table

    out = console()
    basis = {"history": "the agent's average in the log", "max_tokens": "max_tokens",
             "unknown": "unknown: no history and no max_tokens, not counted"}[found["output_basis"]]
    per_row = found["output_tokens_per_row"]
    out.print(f"{found['rows']} rows for {found['agent']}; output assumed "
              f"{'' if per_row is None else f'{per_row:,} tokens per row '}({basis})",
              markup=False, highlight=False)
    shown = table("model", right("input tokens"), right("output tokens"), right("cost"))
    for m in found["models"]:
        tokens = f"{'≈ ' if m['approximate'] else ''}{m['input_tokens']:,}"
        output = "—" if m["output_tokens"] is None else f"{m['output_tokens']:,}"
        shown.add_row(Text(m["model"]), tokens, output, money(m["cost"]))
    out.print(shown)
    if any(m["approximate"] for m in found["models"]):
        out.print("≈ approximate: litellm counted with its bundled tokenizer, not the model's",
                  highlight=False)
    low, high = found["cost_min"], found["cost_max"]
    out.print("cost: unknown (no price for any model of the chain)" if low is None else
              f"cost: {money(low)} to {money(high)}", highlight=False)
    for bad in found["invalid"]:
        console(stderr=True).print(f"agentlog: line {bad['line']}: skipped: "
                                   f"{one_line(bad['error'])}", markup=False)


def batch_summary(summary: dict) -> None:
    """The end of a batch run, on stderr."""
    from agentlog.cli.render_table import right, table

    names = ("count", "success", "failed", "invalid", "skipped", "cost", "p50", "p95")
    shown = table(*map(right, names), title="interrupted" if summary["interrupted"] else None,
                  title_style="yellow")
    shown.add_row(*(str(summary[k]) for k in names[:5]), money(summary["cost"]),
                  duration(summary["p50_ms"]), duration(summary["p95_ms"]))
    console(stderr=True).print(shown)
    if summary.get("stopped"):
        console(stderr=True).print(f"stopped launching rows: {summary['stopped']}",
                                   markup=False, highlight=False)
    console(stderr=True).print(f"batch {summary['batch_id']}", highlight=False)
