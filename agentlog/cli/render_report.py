"""Reports as rich tables and bar charts. The data comes from the Log (store/reports.py), finished.

Tables have no borders and fit the terminal (80 columns when piped). On a terminal, bars are
drawn with eighth-blocks; piped, they are plain `#` characters and there are no colours, so
the output stays readable in a file or a mail. Names from the log (agents, models, error
classes) are printed as written, never read as rich markup.
"""

from __future__ import annotations

from datetime import date, datetime

from agentlog.cli.render import console, duration, money, tokens

EIGHTHS = " ▏▎▍▌▋▊▉"
MIN_BAR, MAX_BAR = 6, 40
NONE_LABEL = {"agent": "(no agent)", "model": "(unknown model)", "tenant": "(no tenant)"}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def ms(value: float | None) -> str:
    return duration(None if value is None else round(value))


def bar(value: float, largest: float, width: int, fancy: bool) -> str:
    """A bar of `width` cells for `largest`; any value above zero shows at least a sliver."""
    if not value or not largest or width <= 0:
        return ""
    cells = value / largest * width
    if not fancy:
        return "#" * max(1, round(cells))
    full, eighths = int(cells), int((cells - int(cells)) * 8)
    return ("█" * full + (EIGHTHS[eighths] if eighths else "")) or EIGHTHS[1]


def _title(out, head: str, *rest: str) -> None:
    from rich.text import Text

    out.print(Text.assemble((head, "bold"), *(f" · {part}" for part in rest)))


def _add(table, cells, style: str = "") -> None:
    from rich.text import Text

    table.add_row(*(Text(cell) for cell in cells), style=style)


def _table(headers: tuple[str, ...], justify: str, widths: list[int]):
    """The house table (render_table), each column of its given width."""
    from agentlog.cli.render_table import Col, table

    return table(*(Col(header, "left" if side == "l" else "right", width)
                   for header, side, width in zip(headers, justify, widths, strict=True)))


def _fitted(out, headers: tuple[str, ...], justify: str, cells: list[tuple],
            bars: tuple[str, ...] = ()) -> tuple:
    """A table whose text columns keep their natural width (the first one, a name, gives
    way down to 10 cells) and whose bar columns share what is left of the terminal.
    Returns the table and the width of each bar (0: no room, no bar columns)."""
    widths = [max(len(row[i]) for row in (*cells, headers)) for i in range(len(headers))]
    room = out.width - sum(widths) - (len(widths) + len(bars) - 1)
    if bars and room < MIN_BAR * len(bars):
        give = min(widths[0] - 10, MIN_BAR * len(bars) - room)
        widths[0] -= max(0, give)
        room += max(0, give)
    bar_width = min(MAX_BAR, room // len(bars)) if bars else 0
    if bar_width < MIN_BAR:
        bars, bar_width = (), 0
    table = _table((*headers, *bars), justify + "l" * len(bars),
                   [*widths, *([bar_width] * len(bars))])
    return table, bar_width


def _grid(rows: list[tuple[str, str]]):
    """Label and value; long values wrap under themselves."""
    from agentlog.cli.render_table import Col, table

    grid = table(Col(min_width=max(len(label) for label, _ in rows), style="bold"),
                 Col(wrap=True), header=False)
    for row in rows:
        _add(grid, row)
    return grid


def _local(iso: str | None, zone: str) -> str | None:
    from agentlog.timeutil import format_local

    return iso and format_local(iso, zone, "%Y-%m-%d %H:%M")


def period_label(since: str | None, until: str | None, zone: str) -> str:
    if since is None and until is None:
        return "all time"
    start, end = _local(since, zone), _local(until, zone)
    return f"{start or '…'} → {end or 'now'} ({zone})"


# --- daily --------------------------------------------------------------------------------
def daily(report, by_model: bool = False) -> None:
    d = report.to_dict()
    out = console()
    _title(out, "Daily report", d["date"], d["timezone"])
    running = f" · {d['running']:,} running" if d["running"] else ""
    saved = money(d["cache_savings"]) if d["cache_savings"] is not None else "unknown"
    out.print(_grid([
        ("executions", f"{d['executions']:,} · {d['successful']:,} successful · "
                       f"{d['failed']:,} failed ({d['timeouts']:,} timed out){running}"),
        ("success rate", pct(d["success_rate"])),
        ("cost", f"{money(d['total_cost'])} (input "
                 f"{money(d['input_cost'])} · output "
                 f"{money(d['output_cost'])})"),
        ("tokens", tokens(d["total_tokens"])),
        ("duration", f"avg {ms(d['avg_duration_ms'])} · p95 {ms(d['p95_duration_ms'])}"),
        ("cache", f"{d['cache_hits']:,} hits · saved ≈ {saved}" if d["cache_hits"]
         else "no hits"),
        ("fallbacks", f"{d['fallbacks']:,}"),
    ]))
    if not d["executions"]:
        out.print(f"No executions on {d['date']} match these filters.", style="dim")
        return
    if d["top_errors"]:
        cells = [(e["error_class"] or "(unclassified)", f"{e['count']:,}")
                 for e in d["top_errors"]]
        _print_rows(out, _fitted(out, ("top errors", "count"), "lr", cells)[0], cells)
    cells = [(a["agent"], f"{a['executions']:,}", f"{a['failed']:,}", money(a["total_cost"]))
             for a in d["agents"]]
    table, _ = _fitted(out, ("agent", "executions", "failed", "cost"), "lrrr", cells)
    _print_rows(out, table, cells)
    if by_model:
        cells = [(m["model"] or "(none)", f"{m['executions']:,}", f"{m['failed']:,}",
                  tokens(m["total_tokens"]), money(m["total_cost"])) for m in d["models"]]
        table, _ = _fitted(out, ("model", "executions", "failed", "tokens", "cost"), "lrrrr",
                           cells)
        _print_rows(out, table, cells)


def _print_rows(out, table, cells: list[tuple]) -> None:
    for row in cells:
        _add(table, row)
    out.print()
    out.print(table)


# --- cost by agent, model or tenant ----------------------------------------------------------
def costs(report) -> None:
    d = report.to_dict()
    out = console()
    dim = d["by"]
    _title(out, f"Cost by {dim}", period_label(d["since"], d["until"], d["timezone"]))
    t = d["total"]
    total = ("total", f"{t['executions']:,}", tokens(t["total_tokens"]),
             money(t["total_cost"]), money(t["avg_cost"]), pct(t["share"]))
    cells = [(r[dim] or NONE_LABEL[dim], f"{r['executions']:,}", tokens(r["total_tokens"]),
              money(r["total_cost"]), money(r["avg_cost"]), pct(r["share"])) for r in d["rows"]]
    table, width = _fitted(out, (dim, "executions", "tokens", "cost", "avg cost", "share"),
                           "lrrrrr", [*cells, total], bars=("",))
    largest = max((r["total_cost"] for r in d["rows"]), default=0)
    for row, r in zip(cells, d["rows"], strict=True):
        bars = (bar(r["total_cost"], largest, width, out.is_terminal),) if width else ()
        _add(table, (*row, *bars))
    _add(table, (*total, *([""] if width else [])), style="bold")
    out.print(table)
    if not d["rows"]:
        out.print("No executions match these filters.", style="dim")


# --- stats of one agent ----------------------------------------------------------------------
def _latency(d: dict, keys: tuple[str, ...]) -> str:
    return " · ".join(f"{k} {ms(d[k])}" for k in keys)


def stats(report) -> None:
    d = report.to_dict()
    out = console()
    _title(out, d["agent"], period_label(d["since"], d["until"], d["timezone"]))
    ttft = d["ttft_ms"]
    running = f" ({d['running']:,} running)" if d["running"] else ""
    out.print(_grid([
        ("executions", f"{d['executions']:,}{running}"),
        ("outcomes", f"success {pct(d['success_rate'])} · errors {pct(d['error_rate'])} "
                     f"· timeouts {pct(d['timeout_rate'])} ({d['timeouts']:,})"),
        ("cost", f"{money(d['total_cost'])} total · {money(d['avg_cost'])} avg"),
        ("tokens", f"{tokens(d['total_tokens'])} total · "
                   f"{tokens(None if d['avg_tokens'] is None else round(d['avg_tokens']))} avg"),
        ("duration", _latency(d["duration_ms"], ("avg", "p50", "p95", "p99"))),
        ("first token", f"{_latency(ttft, ('avg', 'p50', 'p95'))} ({ttft['count']:,} streamed)"
         if ttft["count"] else "— (no streamed executions)"),
        ("cache hits", pct(d["cache_hit_rate"])),
        ("fallbacks", pct(d["fallback_rate"])),
        ("retries", f"{pct(d['retry_rate'])} (more than one attempt)"),
        ("models", " · ".join(f"{m['model'] or '(unknown)'} {m['executions']:,}"
                              for m in d["models"]) or "—"),
        ("top errors", " · ".join(f"{e['error_class'] or '(unclassified)'} {e['count']:,}"
                                  for e in d["top_errors"]) or "—"),
    ]))
    if not d["executions"]:
        out.print(f"No executions of {d['agent']} match these filters.", style="dim",
                  markup=False)
    if len(d["versions"]) > 1:
        _versions(out, d["versions"], d["timezone"])


def _versions(out, versions: list[dict], zone: str) -> None:
    cells = [(v["version"] or "(none)", (_local(v["first_seen"], zone) or "")[:10],
              f"{v['executions']:,}", pct(v["success_rate"]), money(v["avg_cost"]),
              *(ms(v["duration_ms"][k]) for k in ("avg", "p50", "p95", "p99")))
             for v in versions]
    headers = ("version", "since", "runs", "success", "avg cost", "avg", "p50", "p95", "p99")
    _print_rows(out, _fitted(out, headers, "llrrrrrrr", cells)[0], cells)


# --- trend -----------------------------------------------------------------------------------
def _label(start: str, by: str) -> str:
    """A bucket as its row reads: Tue 11-24, 11-24 13:00, 2026-11-23 (a week's Monday),
    2026-11."""
    if by == "hour":
        return datetime.fromisoformat(start).strftime("%m-%d %H:%M")
    spelled = {"day": "%a %m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}[by]
    return date.fromisoformat(start).strftime(spelled)


def _window(d: dict, last: bool) -> str:
    rows, by = d["rows"], d["by"]
    if last or not rows:
        return f"last {len(rows)} {by}s"
    first, final = _label(rows[0]["start"], by), _label(rows[-1]["start"], by)
    return f"{first} → {final} · by {by}" if first != final else f"{first} · by {by}"


def trend(report) -> None:
    d = report.to_dict()
    out = console()
    rows = d["rows"]
    unit = d["by"]
    _title(out, "Trend", _window(d, report.last), d["timezone"])
    cells = [(_label(r["start"], d["by"]), f"{r['executions']:,}", f"{r['failed']:,}",
              money(r["total_cost"]), ms(r["avg_duration_ms"])) for r in rows]
    table, width = _fitted(out, (unit, "runs", "failed", "cost", "avg"), "lrrrr", cells,
                           bars=("executions", "cost"))
    top_runs = max((r["executions"] for r in rows), default=0)
    top_cost = max((r["total_cost"] for r in rows), default=0)
    for row, r in zip(cells, rows, strict=True):
        bars = (bar(r["executions"], top_runs, width, out.is_terminal),
                bar(r["total_cost"], top_cost, width, out.is_terminal)) if width else ()
        _add(table, (*row, *bars))
    out.print(table)
    runs, failed = sum(r["executions"] for r in rows), sum(r["failed"] for r in rows)
    cost = sum(r["total_cost"] for r in rows)
    out.print(f"{runs:,} executions · {failed:,} failed · {money(cost)}",
              highlight=False)
