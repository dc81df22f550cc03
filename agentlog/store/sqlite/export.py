"""Export writers: CSV, one JSON array, or JSON Lines, streamed in chunks of rows.

Speed comes from letting SQLite build the output (printf for CSV, json_object for JSON),
a whole block of rows as one bytes object per query step, so that Python finishes a block
with a few bytes operations. SQLite builds the next block in a thread while this one is
finished and written: the sqlite3 module releases the GIL while a step runs, so the two
cores work at once. The ids of the matching rows are first listed, in order, in a temporary
table (on disk, not in memory); a block is a range of it. Memory stays flat however many
rows match.

CSV: a header row, then one line per execution ending in CRLF (RFC 4180). Numbers are bare
(reals with the 15 significant digits a spreadsheet keeps), text is always quoted with
inner quotes doubled, NULL is an empty field, JSON columns are their compact stored text,
times the stored UTC ISO 8601 strings. A text cell beginning with = + - @ tab or CR gets a
leading single quote, so that a spreadsheet shows it instead of running it as a formula;
`raw` turns that off. JSON: JSON columns embedded as values, flags as booleans, reals
exact. (A PostgreSQL store would write these with COPY instead: the spellings stay here.)
"""

from __future__ import annotations

import contextlib
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

from agentlog.errors import QueryError
from agentlog.store import EXPORT_FORMATS, columns
from agentlog.store.query import Query
from agentlog.store.records import BOOL_COLUMNS, JSON_COLUMNS, TIME_COLUMNS
from agentlog.store.sqlite import db, schema
from agentlog.store.sqlite.select import select_sql

FORMULA_STARTS = "=+-@\t\r"  # OWASP's list of characters that start a spreadsheet formula
CHUNK = 1000  # rows per block (~3 MB of CSV on a realistic log)
_IDS = "agentlog_export_ids"  # the temporary table of matching ids, in export order
_GROUP = 60  # columns per printf/json_object call (SQLite allows 127 arguments)

# SQLite writes the quotes around text cells as bytes that never occur in UTF-8 text (every
# value was written from a Python str), so that the quotes inside a value can be doubled
# afterwards in one pass. _OPEN_CHECKED opens a cell that formula neutralisation looks at.
_QUOTE, _OPEN_CHECKED = b"\xfe", b"\xfd"
_FORMULA = re.compile(_OPEN_CHECKED + b"(?=[" + re.escape(FORMULA_STARTS.encode()) + b"])")


def pick_columns(conn: sqlite3.Connection, wanted: str | Sequence[str] | None) -> list[str]:
    """The named columns in the given order (`a,b,c` or a list); None: every column."""
    return columns.pick(schema.columns(conn), wanted)


def write(conn: sqlite3.Connection, query: Query, fmt: str, out: BinaryIO,
          columns: Sequence[str], raw: bool = False,
          progress: Callable[[int], None] | None = None) -> int:
    """Write every row of `query` to the binary stream `out` as UTF-8; returns the count.

    `raw` turns formula neutralisation off (CSV only); `progress` is called with the number
    of rows written after each block. `conn` is used from a second thread (the
    connections of db.connect allow it)."""
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"unknown export format '{fmt}' "
                         f"(choose from: {', '.join(EXPORT_FORMATS)})")
    types = schema.declared_types(conn)
    if fmt == "csv":
        out.write(",".join(columns).encode() + b"\r\n")
        line, finish, between = _csv_line(columns, types, raw), _csv_finish(raw), b""
    else:
        between = b"\n" if fmt == "jsonl" else b",\n"
        line, finish = _json_line(columns, types), bytes
    count = 0
    with db.snapshot(conn):
        for rows, block in _ahead(_blocks(conn, query, line, between)):
            out.write(between if count else (b"[\n" if fmt == "json" else b""))
            out.write(finish(block))
            count += rows
            if progress:
                progress(rows)
    if fmt == "json":
        out.write(b"\n]\n" if count else b"[]\n")
    elif fmt == "jsonl" and count:
        out.write(b"\n")
    return count


def _blocks(conn: sqlite3.Connection, query: Query, line: str,
            between: bytes) -> Iterator[tuple[int, bytes]]:
    """(row count, their lines joined by `between`) for each CHUNK rows of `query`, in order."""
    text, params = select_sql(query, "executions.id")
    conn.execute(f"CREATE TEMP TABLE {_IDS} AS {text}", params)  # rowid: 1, 2, … in order
    try:
        (total,) = conn.execute(f"SELECT count(*) FROM temp.{_IDS}").fetchone()
        block = (f"SELECT count(*), CAST(group_concat({line}, ?) AS BLOB) "
                 f"FROM temp.{_IDS} AS k CROSS JOIN executions ON executions.id = k.id "
                 f"WHERE k.rowid BETWEEN ? AND ?")
        for first in range(1, total + 1, CHUNK):
            yield conn.execute(block, (between, first, first + CHUNK - 1)).fetchone()
    finally:
        conn.execute(f"DROP TABLE temp.{_IDS}")


_END = object()


def _ahead(items: Iterator, depth: int = 2) -> Iterator:
    """Yield `items`, computed in a thread up to `depth` ahead; the thread's error is raised
    here, and stopping early (an error in the loop, a closed pipe) stops the thread too."""
    ready: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def offer(item) -> bool:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                ready.put(item, timeout=0.05)
                return True
        return False

    def produce() -> None:
        with contextlib.closing(items):
            try:
                for item in items:
                    if not offer(item):
                        return
            except BaseException as e:  # handed to the consumer, raised there
                offer(e)
                return
        offer(_END)

    thread = threading.Thread(target=produce, name="export-blocks", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _groups(columns: Sequence[str]) -> list[Sequence[str]]:
    return [columns[i:i + _GROUP] for i in range(0, len(columns), _GROUP)]


def _csv_line(columns: Sequence[str], types: dict[str, str], raw: bool) -> str:
    """SQL of one CSV line per row, its text cells still wrapped in the marker bytes."""
    calls = []
    groups = _groups(columns)
    for i, group in enumerate(groups):
        cells = []
        for name in group:
            if types.get(name) != "TEXT":
                cells.append(b"%s")
            elif raw or name in JSON_COLUMNS or name in TIME_COLUMNS:
                cells.append(_QUOTE + b"%s" + _QUOTE)
            else:
                cells.append(_OPEN_CHECKED + b"%s" + _QUOTE)
        fmt = b",".join(cells) + (b"\r\n" if i == len(groups) - 1 else b",")
        args = ", ".join(f"executions.{name}" for name in group)
        calls.append(f"printf(CAST(X'{fmt.hex()}' AS TEXT), {args})")
    return " || ".join(calls)


def _csv_finish(raw: bool) -> Callable[[bytes], bytes]:
    def finish(block: bytes) -> bytes:
        data = block.replace(b'"', b'""')
        if not raw:
            data = _FORMULA.sub(_OPEN_CHECKED + b"'", data).replace(_OPEN_CHECKED, b'"')
        return data.replace(_QUOTE, b'"')

    return finish


def _json_line(columns: Sequence[str], types: dict[str, str]) -> str:
    """SQL of one JSON object per row (json_object escapes in C, faster than Python)."""
    objects = []
    for group in _groups(columns):
        pairs = ", ".join(f"'{name}', {_json_value(name, types.get(name))}" for name in group)
        objects.append(f"json_object({pairs})")
    if len(objects) == 1:
        return objects[0]
    inner = " || ',' || ".join(f"substr({o}, 2, length({o}) - 2)" for o in objects)
    return f"'{{' || {inner} || '}}'"


def _json_value(name: str, declared: str | None) -> str:
    column = f"executions.{name}"
    if name in JSON_COLUMNS:  # embedded as JSON; text that is not JSON stays a string
        return f"iif(json_valid({column}), json({column}), {column})"
    if name in BOOL_COLUMNS:
        return f"CASE {column} WHEN 1 THEN json('true') WHEN 0 THEN json('false') ELSE {column} END"
    if declared == "REAL":  # the shortest of 15 or 17 digits that reads back the same double
        short, full = f"printf('%!.15g', {column})", f"printf('%!.17g', {column})"
        return (f"CASE WHEN typeof({column}) != 'real' THEN {column} "
                f"WHEN CAST({short} AS REAL) = {column} THEN json({short}) ELSE json({full}) END")
    return column
