"""`SqliteLog`: the Log of store/log.py over one SQLite file.

Each thread that uses the log gets its own connection (WAL lets them read and write side by
side); `close()` closes them all. A driver error becomes a StoreError naming the file.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from agentlog.errors import StoreError
from agentlog.store import status
from agentlog.store.query import Query
from agentlog.store.records import Execution
from agentlog.store.sqlite import (
    async_writer,
    breakers,
    cache,
    db,
    export,
    prune,
    reports,
    select,
    spend,
    writer,
)
from agentlog.timeutil import utcnow

Row = dict[str, Any]


class SqliteLog:
    def __init__(self, path: Path, readonly: bool = False):
        self.path = path
        self.readonly = readonly
        self.where = str(path)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._connect()  # now: a bad path fails at open, and the schema migrates once

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        return getattr(self._local, "conn", None) or self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = self._local.conn = db.connect(self.path, self.readonly)
        with self._lock:
            self._opened.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
            self._local = threading.local()
        for conn in opened:
            conn.close()

    def __enter__(self) -> SqliteLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as e:  # a damaged, vanished or read-only file
            raise StoreError(f"{self.where}: {e}") from None

    # --- writing executions --------------------------------------------------------------
    def preflight(self) -> int:
        writer.check_writable(self.conn)
        return writer.interrupt_stale(self.conn)

    def start(self, row: Row) -> int:
        return writer.insert_running(self.conn, row)

    def finalize(self, execution_id: int, values: Row, *, background: bool = False) -> None:
        later = async_writer.for_path(self.path) if background else None
        if later is not None:
            later.finalize(execution_id, values)
        else:
            writer.finalize(self.conn, execution_id, values)

    def finalize_many(self, items: list[tuple[int, Row]]) -> int:
        return writer.finalize_many(self.conn, items)

    def insert(self, row: Row) -> int:
        return writer.insert_final(self.conn, row)

    def close_running(self, batch_id: str, values: Row) -> int:
        async_writer.flush_all()  # rows that finished are already queued: keep their outcome
        return writer.close_running(self.conn, batch_id, values)

    def interrupt_stale(self, grace: float = 60.0, now: datetime | None = None) -> int:
        return writer.interrupt_stale(self.conn, grace, now)

    # --- reading -------------------------------------------------------------------------
    def get(self, execution_id: int) -> Execution | None:
        with self._translated():
            return select.get(self.conn, execution_id)

    def latest(self) -> Execution | None:
        with self._translated():
            return select.latest(self.conn)

    def fetch(self, selection: Query) -> Iterator[Execution]:
        with self._translated():
            yield from select.fetch(self.conn, selection)

    def count(self, selection: Query) -> int:
        return self.aggregate(selection, ("count", "*"))[0]

    def aggregate(self, selection: Query, *specs: tuple[str, str]) -> tuple:
        with self._translated():
            return select.aggregate(self.conn, selection, *specs)

    def count_upto(self, selection: Query, cap: int) -> tuple[int, float | None]:
        with self._translated():
            return select.count_upto(self.conn, selection, cap)

    # --- reports -------------------------------------------------------------------------
    def daily(self, selection: Query, day=None):
        with self._translated():
            return reports.daily(self.conn, selection, day)

    def cost_by(self, selection: Query, dimension: str):
        with self._translated():
            return reports.cost_by(self.conn, selection, dimension)

    def stats(self, selection: Query, agent: str):
        with self._translated():
            return reports.stats(self.conn, selection, agent)

    def summary(self, selection: Query, ps: tuple[int, ...] = (50, 95)):
        with self._translated():
            return reports.summary(self.conn, selection, ps)

    def duration_profile(self, selection: Query, slices: int, every: int = 1) -> dict:
        with self._translated():
            return reports.duration_profile(self.conn, selection, slices, every)

    def trend(self, selection: Query, days: int | None = None, by: str = "day"):
        with self._translated():
            return reports.trend(self.conn, selection, days, by)

    def spent(self, start: str, end: str, agent: str | None = None,
              tenant: str | None = None) -> float:
        with self._translated():
            return spend.spent(self.conn, start, end, agent, tenant)

    # --- export and prune ----------------------------------------------------------------
    def columns(self, wanted: str | Sequence[str] | None = None) -> list[str]:
        with self._translated():
            return export.pick_columns(self.conn, wanted)

    def export(self, selection: Query, fmt: str, out: BinaryIO, columns: Sequence[str],
               raw: bool = False, progress: Callable[[int], None] | None = None) -> int:
        with self._translated():
            return export.write(self.conn, selection, fmt, out, columns, raw, progress)

    def prune_plan(self, selected: Query) -> prune.Plan:
        with self._translated():
            return prune.plan(self.conn, selected)

    def prune(self, selected: Query, top_id: int,
              progress: Callable[[int], None] | None = None, batch: int = prune.BATCH) -> int:
        return prune.delete(self.conn, selected, top_id, progress, batch)

    def reclaim(self) -> None:
        prune.vacuum(self.conn)

    def size(self) -> int:
        return prune.file_size(self.conn)

    def tidy(self) -> tuple[int, int]:
        with self._translated():
            return prune.tidy(self.conn)

    # --- response cache and circuit breakers ---------------------------------------------
    def cache_get(self, key: str, now: str) -> Row | None:
        with self._translated():
            return cache.get(self.conn, key, now)

    def cache_put(self, entry: Row) -> None:
        with writer.writing(self.conn):
            cache.put(self.conn, entry)

    def breaker(self, agent: str, model: str) -> Row | None:
        with self._translated():
            return breakers.get(self.conn, agent, model)

    def change_breaker(self, agent: str, model: str,
                       update: Callable[[Row | None], Row | None]) -> Row | None:
        with self._translated():
            return breakers.change(self.conn, agent, model, update)

    def breaker_rows(self) -> list[Row]:
        with self._translated():
            return breakers.list_all(self.conn)

    def reset_breakers(self, agent: str | None = None) -> int:
        with self._translated():
            return breakers.reset(self.conn, agent)

    def breaker_states(self, now: datetime | None = None) -> list[Row]:
        return status.breakers(self.breaker_rows(), now or utcnow())

    def budget_status(self, settings, now: datetime) -> list[Row]:
        return status.budgets(self, settings, now)
