"""`SqliteLog`: the Log of store/log.py over one SQLite file.

Each thread that uses the log gets its own connection (WAL lets them read and write side by
side); `close()` closes them all. A driver error becomes a StoreError naming the file.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from agentlog.errors import StoreError
from agentlog.store.perthread import PerThread
from agentlog.store.query import Query
from agentlog.store.records import Execution
from agentlog.store.sqlite import db, select
from agentlog.timeutil import utcnow

if TYPE_CHECKING:
    from agentlog.store.log import Upgrading
    from agentlog.store.prune import Plan

Row = dict[str, Any]


class SqliteLog:
    def __init__(self, path: Path, readonly: bool = False, create: bool = True,
                 upgrading: Upgrading | None = None):
        self.path = path
        self.readonly = readonly
        self.create = create
        self.upgrading = upgrading
        self.where = str(path)
        self._connections = PerThread(
            lambda: db.connect(self.path, self.readonly, self.create, self.upgrading))
        self._connections.get()  # now: a bad path fails at open, and the schema migrates once

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        return self._connections.get()

    def close(self) -> None:
        self._connections.close()

    def __enter__(self) -> SqliteLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as e:  # a damaged, vanished or read-only file
            raise self._damaged_index(e) or StoreError(f"{self.where}: {e}") from None

    def _damaged_index(self, error: sqlite3.Error) -> StoreError | None:
        """An error that comes from the full-text index (not the table) says so, and how to
        rebuild it: the rows themselves are intact."""
        from agentlog.store.sqlite import schema

        if not isinstance(error, sqlite3.DatabaseError) or isinstance(
                error, sqlite3.OperationalError) and "fts5" not in str(error):
            return None
        problem = schema.fts_problem(self.conn)
        if problem is None:
            return None
        return StoreError(f"the search index of {self.where} does not match its rows "
                          f"({problem}): `agentlog db repair` rebuilds it from them")

    def repair(self) -> str | None:
        from agentlog.store.sqlite import schema, writer

        with writer.writing(self.conn):
            return schema.fts_repair(self.conn)

    # --- writing executions --------------------------------------------------------------
    def preflight(self) -> int:
        from agentlog.store.sqlite import writer

        writer.check_writable(self.conn)
        return writer.interrupt_stale(self.conn)

    def start(self, row: Row, hold=None) -> int:
        from agentlog.store.sqlite import writer

        if hold is None:
            return writer.insert_running(self.conn, row)
        return writer.insert_running(self.conn, row, lambda: hold.admit(self), hold.cost)

    def reserved(self, start: str, end: str, agent: str | None = None,
                 tenant: str | None = None) -> float:
        from agentlog.store.sqlite import writer

        with self._translated():
            return writer.reserved(self.conn, start, end, agent, tenant)

    def finalize(self, execution_id: int, values: Row, *, background: bool = False) -> None:
        from agentlog.store import async_writer
        from agentlog.store.sqlite import writer

        if background and str(self.path) != ":memory:":
            path = self.path.resolve()
            async_writer.for_log(str(path), lambda: SqliteLog(path)).finalize(execution_id,
                                                                              values)
        else:
            writer.finalize(self.conn, execution_id, values)

    def finalize_many(self, items: list[tuple[int, Row]]) -> int:
        from agentlog.store.sqlite import writer

        return writer.finalize_many(self.conn, items)

    def insert(self, row: Row) -> int:
        from agentlog.store.sqlite import writer

        return writer.insert_final(self.conn, row)

    def close_running(self, batch_id: str, values: Row) -> int:
        from agentlog.store import async_writer
        from agentlog.store.sqlite import writer

        async_writer.flush_all()  # rows that finished are already queued: keep their outcome
        return writer.close_running(self.conn, batch_id, values)

    def interrupt_stale(self, grace: float = 60.0, now: datetime | None = None) -> int:
        from agentlog.store.sqlite import writer

        return writer.interrupt_stale(self.conn, grace, now)

    # --- reading -------------------------------------------------------------------------
    def get(self, execution_id: int) -> Execution | None:
        with self._translated():
            return select.get(self.conn, execution_id)

    def latest(self) -> Execution | None:
        with self._translated():
            return select.latest(self.conn)

    def fetch(self, selection: Query, columns: tuple[str, ...] | None = None
              ) -> Iterator[Execution]:
        with self._translated():
            yield from select.fetch(self.conn, selection, columns)

    def fetch_plain(self, selection: Query) -> Iterator[dict]:
        with self._translated():
            yield from select.fetch_plain(self.conn, selection)

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
        from agentlog.store.sqlite import reports

        with self._translated():
            return reports.daily(self.conn, selection, day)

    def cost_by(self, selection: Query, dimension: str):
        from agentlog.store.sqlite import reports

        with self._translated():
            return reports.cost_by(self.conn, selection, dimension)

    def stats(self, selection: Query, agent: str):
        from agentlog.store.sqlite import reports

        with self._translated():
            return reports.stats(self.conn, selection, agent)

    def summary(self, selection: Query, ps: tuple[int, ...] = (50, 95),
                by: tuple[str, ...] = ()):
        from agentlog.store.sqlite import reports

        with self._translated():
            return reports.summary(self.conn, selection, ps, by)

    def duration_profile(self, selection: Query, by: str = "day") -> dict:
        from agentlog.store.sqlite import reports

        with self._translated():
            return reports.duration_profile(self.conn, selection, by)

    def trend(self, selection: Query, days: int | None = None, by: str = "day",
              split: str | None = None):
        from agentlog.store.sqlite import reports

        with self._translated():
            return reports.trend(self.conn, selection, days, by, split)

    def spent(self, start: str, end: str, agent: str | None = None,
              tenant: str | None = None) -> float:
        from agentlog.store.sqlite import spend

        with self._translated():
            return spend.spent(self.conn, start, end, agent, tenant)

    # --- export and prune ----------------------------------------------------------------
    def columns(self, wanted: str | Sequence[str] | None = None) -> list[str]:
        from agentlog.store.sqlite import export

        with self._translated():
            return export.pick_columns(self.conn, wanted)

    def export(self, selection: Query, fmt: str, out: BinaryIO, columns: Sequence[str],
               raw: bool = False, progress: Callable[[int], None] | None = None) -> int:
        from agentlog.store.sqlite import export

        with self._translated():
            return export.write(self.conn, selection, fmt, out, columns, raw, progress)

    def prune_plan(self, selected: Query) -> Plan:
        from agentlog.store.sqlite import prune

        with self._translated():
            return prune.plan(self.conn, selected)

    def prune(self, selected: Query, top_id: int,
              progress: Callable[[int], None] | None = None, batch: int | None = None, *,
              payloads: bool = False, erase: bool = False) -> int:
        from agentlog.store.sqlite import prune

        with self._translated():
            return prune.delete(self.conn, selected, top_id, progress, batch or prune.BATCH,
                                payloads=payloads, erase=erase)

    def reclaim(self) -> None:
        from agentlog.store.sqlite import prune

        with self._translated():
            prune.vacuum(self.conn)

    def size(self) -> int:
        from agentlog.store.sqlite import prune

        return prune.file_size(self.conn)

    def tidy(self) -> tuple[int, int]:
        from agentlog.store.sqlite import prune

        with self._translated():
            return prune.tidy(self.conn)

    # --- response cache and circuit breakers ---------------------------------------------
    def cache_get(self, key: str, now: str) -> Row | None:
        from agentlog.store.sqlite import cache

        with self._translated():
            return cache.get(self.conn, key, now)

    def cache_put(self, entry: Row) -> None:
        from agentlog.store.sqlite import cache, writer

        with writer.writing(self.conn):
            cache.put(self.conn, entry)

    def breaker(self, agent: str, model: str) -> Row | None:
        from agentlog.store.sqlite import breakers

        with self._translated():
            return breakers.get(self.conn, agent, model)

    def change_breaker(self, agent: str, model: str,
                       update: Callable[[Row | None], Row | None]) -> Row | None:
        from agentlog.store.sqlite import breakers

        with self._translated():
            return breakers.change(self.conn, agent, model, update)

    def breaker_rows(self) -> list[Row]:
        from agentlog.store.sqlite import breakers

        with self._translated():
            return breakers.list_all(self.conn)

    def reset_breakers(self, agent: str | None = None) -> int:
        from agentlog.store.sqlite import breakers

        with self._translated():
            return breakers.reset(self.conn, agent)

    # --- alerts ---------------------------------------------------------------------------
    def claim_alert(self, key: str, kind: str, at: str) -> bool:
        from agentlog.store.sqlite import alerts, writer

        with writer.writing(self.conn):
            return alerts.claim(self.conn, key, kind, at)

    def alert_keys(self, prefix: str) -> list[str]:
        from agentlog.store.sqlite import alerts

        with self._translated():
            return alerts.keys(self.conn, prefix)

    # --- moving a history ----------------------------------------------------------------
    copy_writers = 1  # one writer at a time, whatever the threads

    def copy_in(self, rows: Sequence[Row]) -> int:
        from agentlog.store.sqlite import writer

        return writer.insert_copies(self.conn, list(rows))

    def copy_out(self, after: int, limit: int) -> list[Row]:
        with self._translated():
            return select.stored_after(self.conn, after, limit)

    def set_indexes_aside(self, empty: bool) -> bool:
        return False  # SQLite's copies keep their indexes

    def build_indexes_aside(self) -> None:
        pass

    def per_day(self) -> dict[str, tuple[int, float]]:
        with self._translated():
            return {day: (n, cost) for day, n, cost in self.conn.execute(
                "SELECT bucket, sum(executions), total(total_cost_sum) FROM execution_days "
                "GROUP BY bucket")}

    def log_id(self) -> str:
        from agentlog.store.sqlite import writer

        with self._translated():
            return writer.log_id(self.conn)

    def adopt_log_id(self, value: str) -> None:
        from agentlog.store.sqlite import writer

        writer.set_log_id(self.conn, value)

    def cache_rows(self) -> list[Row]:
        from agentlog.store.sqlite import cache

        with self._translated():
            return cache.live(self.conn)

    def breaker_states(self, now: datetime | None = None) -> list[Row]:
        from agentlog.store import status

        return status.breakers(self.breaker_rows(), now or utcnow())

    def budget_status(self, settings, now: datetime) -> list[Row]:
        from agentlog.store import status

        return status.budgets(self, settings, now)
