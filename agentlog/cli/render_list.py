"""The `list` table: one line per execution, fitted to the terminal (80 columns when piped).

Fixed-width columns keep their width; agent and model share what is left and are shortened
with an ellipsis. Below 100 columns times and token counts get shorter spellings. Agent and
model come first: when the default columns leave them less than READABLE, the columns of
DROP_FIRST give way in that order (flags are often empty), and a line says which.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from agentlog.cli.render import STATUS_STYLE, console, duration, money
from agentlog.timeutil import format_local

MARKERS = (("F", "fallback", "with_fallback"), ("C", "cache hit", "cache_hit"),
           ("S", "streaming", "streaming"), ("T", "tool calls", "tool_calls_count"))
FLEXIBLE = ("agent", "model", "error")
READABLE = {"agent": 16, "model": 17, "error": 16}  # claude-3-5-haiku… vs claude-3-5-sonne…
DROP_FIRST = ("flags", "tokens", "duration")
WIDE = 100
FOOTER_CAP = 10_000  # matches counted and priced below a list; past it, "more than"


@dataclass(frozen=True)
class Column:
    header: str
    justify: str
    cell: Callable  # (record, zone, compact) -> str


def _time(r, zone, compact: bool) -> str:
    return format_local(r.created_at, zone, "%m-%d %H:%M" if compact else "%Y-%m-%d %H:%M:%S")


def _model(r, zone, compact: bool) -> str:
    chosen = r.chosen_model_id or r.model_id or ""
    return f"{chosen}*" if r.model_id and chosen != r.model_id else chosen


def _count(n: int | None, compact: bool) -> str:
    if n is None:
        return "—"
    if compact and n >= 10_000:
        return f"{n / 1000:.0f}k" if n < 1_000_000 else f"{n / 1_000_000:.1f}M"
    return f"{n:,}"


def _tokens(r, zone, compact: bool) -> str:
    if r.input_tokens is None and r.output_tokens is None:
        return "—"
    return f"{_count(r.input_tokens, compact)}→{_count(r.output_tokens, compact)}"


def _markers(r, zone, compact: bool) -> str:
    on = {"with_fallback": r.fallback_reason is not None, "cache_hit": r.cache_hit,
          "streaming": r.streaming, "tool_calls_count": bool(r.tool_calls_count)}
    return "".join(letter for letter, _, key in MARKERS if on[key])


COLUMNS: dict[str, Column] = {
    "id": Column("id", "right", lambda r, z, c: str(r.id)),
    "time": Column("time", "left", _time),
    "agent": Column("agent", "left", lambda r, z, c: r.agent_type),
    "model": Column("model", "left", _model),
    "status": Column("status", "left", lambda r, z, c: r.status),
    "tokens": Column("in→out", "right", _tokens),
    "cost": Column("cost", "right", lambda r, z, c: money(r.total_cost)),
    "duration": Column("duration", "right", lambda r, z, c: duration(r.duration_ms)),
    "flags": Column("flags", "left", _markers),
    "tenant": Column("tenant", "left", lambda r, z, c: r.tenant_id or "—"),
    "batch": Column("batch", "left", lambda r, z, c: r.batch_id or "—"),
    "version": Column("version", "left", lambda r, z, c: r.agent_version or "—"),
    "error": Column("error", "left", lambda r, z, c: r.error_class or ""),
}
DEFAULT = ("id", "time", "agent", "model", "status", "tokens", "cost", "duration", "flags")


def parse_columns(text: str | None) -> tuple[str, ...]:
    """`--columns id,agent,total_cost,provider` → the table's columns: store/columns.py's
    vocabulary (a column of the log shows its stored value) and `flags`."""
    from agentlog.store import columns

    if text is None:
        return DEFAULT
    short = {column: name for name, column in columns.SHORT.items()}
    picked = columns.pick(columns.FIELDS, text, extra=("flags",))
    return tuple(short.get(name, name) for name in picked)


def spec(name: str) -> Column:
    """The table column of a name of parse_columns(); any other column of the log is shown
    as stored, and shares the room left like agent and model."""
    return COLUMNS.get(name) or Column(name, "left", functools.partial(_stored, name))


def _flexible(name: str) -> bool:
    return name in FLEXIBLE or name not in COLUMNS


def _stored(name: str, r, zone, compact: bool) -> str:
    """Any other column of the log, as one line: times in the shown zone, JSON compact."""
    import json

    from agentlog.errors import one_line

    value = getattr(r, name)
    if value is None:
        return "—"
    if hasattr(value, "tzinfo"):
        return format_local(value, zone, "%m-%d %H:%M" if compact else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return one_line(str(value))


def _fit(widths: dict[str, int], names: tuple[str, ...], room: int) -> dict[str, int]:
    """Share `room` among the flexible columns: short ones keep their width."""
    flexible = sorted((n for n in names if _flexible(n)), key=lambda n: widths[n])
    out = {}
    for i, name in enumerate(flexible):
        share = max(6, room // (len(flexible) - i))
        out[name] = min(widths[name], share)
        room -= out[name]
    return out


def _droppable(names: tuple[str, ...], widths: dict[str, int], room: int) -> tuple[str, ...]:
    """The columns of DROP_FIRST to leave out so that agent and model get READABLE cells."""
    def need(shown: tuple[str, ...]) -> int:
        return sum(min(widths[n], READABLE.get(n, 16)) if _flexible(n) else widths[n]
                   for n in shown) + len(shown) - 1

    dropped: tuple[str, ...] = ()
    for name in DROP_FIRST:
        shown = tuple(n for n in names if n not in dropped)
        if need(shown) <= room or name not in shown:
            break
        dropped += (name,)
    return dropped


def executions_table(records: list, names: tuple[str, ...], zone, total: tuple[int, float | None],
                     filtered: bool) -> None:
    """The rows, then a footer with the count and cost of every matching row."""
    from rich.cells import cell_len
    from rich.text import Text

    from agentlog.cli.render_table import Col, table

    out = console()
    if not records:
        out.print("No executions match these filters." if filtered
                  else "No executions logged yet (agentlog run AGENT logs one).")
        return
    compact = out.width < WIDE
    cells = [[spec(n).cell(r, zone, compact) for n in names] for r in records]
    widths = {n: max(cell_len(spec(n).header), *(cell_len(row[i]) for row in cells))
              for i, n in enumerate(names)}
    hidden = _droppable(names, widths, out.width) if names == DEFAULT else ()
    if hidden:
        kept = [i for i, n in enumerate(names) if n not in hidden]
        names = tuple(names[i] for i in kept)
        cells = [[row[i] for i in kept] for row in cells]
        widths = {n: widths[n] for n in names}
    fixed = sum(w for n, w in widths.items() if not _flexible(n))
    fitted = _fit(widths, names, out.width - fixed - (len(names) - 1))
    for i, name in enumerate(names):
        if name in fitted:
            for row in cells:
                row[i] = _shorten(row[i], fitted[name])
    fits = fixed + sum(fitted.values()) + len(names) - 1 <= out.width
    # When the table fits, every width is known here and rich need not measure each cell
    # again (a third of the time of printing it); when it does not, minimum widths let rich
    # crop the table on the right instead of cutting every column (ids included).
    known = {name: fitted.get(name, widths[name] if fits else None) for name in names}
    shown = table(*(Col(spec(name).header, spec(name).justify, known[name],
                        None if known[name] else widths[name], overflow="crop")
                    for name in names))
    status_at = names.index("status") if "status" in names else None
    for record, row in zip(records, cells, strict=True):
        texts = [Text(c) for c in row]
        if status_at is not None:
            texts[status_at].stylize(STATUS_STYLE.get(record.status, ""))
        shown.add_row(*texts)
    out.print(shown)
    out.print(footer(len(records), total, str(zone)), highlight=False, markup=False)
    legend = _legend(names, cells)
    if hidden:
        headers = ", ".join(spec(n).header for n in hidden)
        legend += f"{' · ' if legend else ''}not shown at this width: {headers} (--columns)"
    if legend:
        out.print(legend, style="dim", markup=False)


def _shorten(text: str, width: int) -> str:
    """Cut with an ellipsis, keeping a trailing * (the fallback-model mark) visible."""
    if len(text) <= width:
        return text
    mark = "*" if text.endswith("*") else ""
    return text[: width - 1 - len(mark)] + "…" + mark


def footer(shown: int, total: tuple[int, float | None], zone: str | None = None) -> str:
    """Count and cost of every match, or, past FOOTER_CAP matches, only that there are more
    (counting a million rows would cost more than the list itself; reports total them);
    then the zone the times are shown in."""
    count, cost = total
    more = f" · showing {shown:,} (-n N or --all for more)" if shown < count else ""
    times = f" · times in {zone}" if zone else ""
    if count > FOOTER_CAP:
        return f"more than {FOOTER_CAP:,} executions{more}{times}"
    what = f"{count:,} execution{'s' if count != 1 else ''}"
    return f"{what} · {money(cost)} total{more}{times}"


def _legend(names: tuple[str, ...], cells: list[list[str]]) -> str:
    parts = []
    if "flags" in names:
        used = {ch for row in cells for ch in row[names.index("flags")]}
        parts += [f"{letter} {label}" for letter, label, _ in MARKERS if letter in used]
    if "model" in names and any(row[names.index("model")].endswith("*") for row in cells):
        parts.append("* fallback model")
    return " · ".join(parts)
