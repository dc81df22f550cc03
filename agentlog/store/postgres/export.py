"""Export of a PostgreSQL log: CSV, one JSON array or JSON Lines, with the spellings of
SQLite's export (store/sqlite/export.py documents them), read through a server-side cursor
in blocks of rows, so memory stays flat however many rows match.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import BinaryIO

from agentlog.errors import QueryError
from agentlog.store import EXPORT_FORMATS, columns
from agentlog.store.postgres.select import COLUMNS, REALS, select_sql
from agentlog.store.query import Query
from agentlog.store.records import BOOL_COLUMNS, JSON_COLUMNS, TIME_COLUMNS

FORMULA_STARTS = "=+-@\t\r"
CHUNK = 1000  # rows per block fetched from the server
_NUMBERS = frozenset(("id", "duration_ms", "time_to_first_token_ms", "input_tokens",
                      "output_tokens", "total_tokens", "cached_tokens", "cache_creation_tokens",
                      "reasoning_tokens", "tool_calls_count", "attempts_count", "pid",
                      "server_port",
                      *REALS, *BOOL_COLUMNS))


def pick_columns(wanted: str | Sequence[str] | None) -> list[str]:
    """The named columns in the given order (`a,b,c` or a list); None: every column."""
    return columns.pick(list(COLUMNS), wanted)


def _real(value: float) -> str:
    """SQLite's printf('%!.15g'): 15 significant digits, always a decimal point."""
    text = f"{value:.15g}"
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa and mantissa.lstrip("-").isdigit():
        mantissa += ".0"
    return mantissa + e + exponent


def _compact(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


def _csv_cell(name: str, value, raw: bool) -> str:
    if value is None:  # SQLite's export spells a missing text as "" and a missing number as
        return "" if name in _NUMBERS else '""'  # nothing
    if name in BOOL_COLUMNS:
        return "1" if value else "0"
    if name in REALS:
        return _real(value)
    if name in _NUMBERS:
        return str(value)
    text = _compact(value) if name in JSON_COLUMNS else str(value)
    if not raw and name not in JSON_COLUMNS and name not in TIME_COLUMNS \
            and text[:1] and text[0] in FORMULA_STARTS:
        text = "'" + text
    return '"' + text.replace('"', '""') + '"'


def _json_value(name: str, value):
    if value is not None and name in JSON_COLUMNS:
        return json.loads(value)
    return value


def _shortest(value: float) -> str:
    """The shortest of 15 or 17 significant digits that reads back the same double."""
    short = _real(value)
    return short if float(short) == value else _real_17(value)


def _real_17(value: float) -> str:
    text = f"{value:.17g}"
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent


def _json_line(columns: Sequence[str], row) -> str:
    parts = []
    for name, value in zip(columns, row, strict=True):
        if value is not None and name in REALS:
            cell = _shortest(value)
        else:
            cell = json.dumps(_json_value(name, value), ensure_ascii=False,
                              separators=(",", ":"))
        parts.append(json.dumps(name) + ":" + cell)
    return "{" + ",".join(parts) + "}"


def write(conn, query: Query, fmt: str, out: BinaryIO, columns: Sequence[str],
          raw: bool = False, progress: Callable[[int], None] | None = None) -> int:
    """Write every row of `query` to `out` as UTF-8; returns how many."""
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"unknown export format '{fmt}' "
                         f"(choose from: {', '.join(EXPORT_FORMATS)})")
    if fmt == "csv":
        out.write(",".join(columns).encode() + b"\r\n")
    between = "" if fmt == "csv" else ("\n" if fmt == "jsonl" else ",\n")
    count = 0
    text, params = select_sql(query, ", ".join(f"executions.{c}" for c in columns))
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with conn.cursor(name="agentlog_export") as cursor:
            cursor.itersize = CHUNK
            cursor.execute(text, params)
            while block := cursor.fetchmany(CHUNK):
                if fmt == "csv":
                    data = "".join(",".join(_csv_cell(n, v, raw) for n, v in
                                            zip(columns, row, strict=True)) + "\r\n"
                                   for row in block)
                else:
                    data = between.join(_json_line(columns, row) for row in block)
                    data = (between if count else ("[\n" if fmt == "json" else "")) + data
                out.write(data.encode())
                count += len(block)
                if progress:
                    progress(len(block))
    if fmt == "json":
        out.write(b"\n]\n" if count else b"[]\n")
    elif fmt == "jsonl" and count:
        out.write(b"\n")
    return count
