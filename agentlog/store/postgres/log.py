"""`PostgresLog`: the Log of store/log.py over one PostgreSQL database.

Each thread that uses the log gets its own connection (a batch's workers write side by side),
opened when first needed; `close()` closes them all. `where` is the URL without its password.
A driver error becomes a StoreError naming the log, never its password.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, BinaryIO

from agentlog.store.perthread import PerThread
from agentlog.store.postgres import connect, select, upgrade
from agentlog.store.postgres import writer as w
from agentlog.store.query import Query
from agentlog.store.records import Execution
from agentlog.timeutil import utcnow

Row = dict[str, Any]


class PostgresLog:
    def __init__(self, url: str, readonly: bool = False, create: bool = True):
        """`readonly`: connections that cannot write, on a log that is never migrated;
        without `create`, a database without agentlog's schema is refused."""
        self._url = url
        self.readonly = readonly
        self.where = connect.safe_url(url)
        self._connections = PerThread(lambda: connect.connect(self._url, self.readonly))
        conn = self.conn  # now: a bad URL fails at open, and the schema migrates once
        with self._translated():
            if upgrade.check(conn, self.where, readonly=readonly, create=create):
                upgrade.upgrade(conn, self.where)

    @property
    def conn(self):
        """This thread's connection."""
        return self._connections.get()

    def close(self) -> None:
        self._connections.close()

    def __enter__(self) -> PostgresLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _translated(self):
        return connect.translated(self._url)

    def _do(self, fn: Callable, *args, **kwargs):
        with self._translated():
            return fn(self.conn, *args, **kwargs)

    # --- writing executions --------------------------------------------------------------
    def preflight(self) -> int:
        self._do(w.check_writable)
        return self._do(w.interrupt_stale)

    def start(self, row: Row, hold=None) -> int:
        if hold is None:
            return self._do(w.insert_running, row)
        return self._do(w.insert_running, row, lambda: hold.admit(self), hold.cost)

    def reserved(self, start: str, end: str, agent: str | None = None,
                 tenant: str | None = None) -> float:
        return self._do(w.reserved, start, end, agent, tenant)

    def finalize(self, execution_id: int, values: Row, *, background: bool = False) -> None:
        if background:
            from agentlog.store import async_writer

            async_writer.for_log(self._url, lambda: PostgresLog(self._url)).finalize(
                execution_id, values)
        else:
            self._do(w.finalize, execution_id, values)

    def finalize_many(self, items: list[tuple[int, Row]]) -> int:
        return self._do(w.finalize_many, items)

    def insert(self, row: Row) -> int:
        return self._do(w.insert_final, row)

    def close_running(self, batch_id: str, values: Row) -> int:
        from agentlog.store import async_writer

        async_writer.flush_all()  # rows that finished are already queued: keep their outcome
        return self._do(w.close_running, batch_id, values)

    def interrupt_stale(self, grace: float = 60.0, now: datetime | None = None) -> int:
        return self._do(w.interrupt_stale, grace, now)

    # --- reading -------------------------------------------------------------------------
    def get(self, execution_id: int) -> Execution | None:
        return self._do(select.get, execution_id)

    def latest(self) -> Execution | None:
        return self._do(select.latest)

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
        return self._do(select.aggregate, selection, *specs)

    def count_upto(self, selection: Query, cap: int) -> tuple[int, float | None]:
        return self._do(select.count_upto, selection, cap)

    # --- reports -------------------------------------------------------------------------
    def daily(self, selection: Query, day=None):
        from agentlog.store.postgres import reports

        return self._do(reports.daily, selection, day)

    def cost_by(self, selection: Query, dimension: str):
        from agentlog.store.postgres import reports

        return self._do(reports.cost_by, selection, dimension)

    def stats(self, selection: Query, agent: str):
        from agentlog.store.postgres import reports

        return self._do(reports.stats, selection, agent)

    def trend(self, selection: Query, days: int | None = None, by: str = "day",
              split: str | None = None):
        from agentlog.store.postgres import reports

        return self._do(reports.trend, selection, days, by, split)

    def spent(self, start: str, end: str, agent: str | None = None,
              tenant: str | None = None) -> float:
        from agentlog.store.postgres import reports

        return self._do(reports.spent, start, end, agent, tenant)

    # --- export and prune ----------------------------------------------------------------
    def columns(self, wanted: str | Sequence[str] | None = None) -> list[str]:
        from agentlog.store.postgres import export

        return export.pick_columns(wanted)

    def export(self, selection: Query, fmt: str, out: BinaryIO, columns: Sequence[str],
               raw: bool = False, progress: Callable[[int], None] | None = None) -> int:
        from agentlog.store.postgres import export

        return self._do(export.write, selection, fmt, out, columns, raw, progress)

    def summary(self, selection: Query, ps: tuple[int, ...] = (50, 95),
                by: tuple[str, ...] = ()):
        from agentlog.store.postgres import reports

        return self._do(reports.summary, selection, ps, by)

    def duration_profile(self, selection: Query, by: str = "day") -> dict:
        from agentlog.store.postgres import reports

        return self._do(reports.duration_profile, selection, by)

    def prune_plan(self, selected: Query):
        from agentlog.store.postgres import prune

        return self._do(prune.plan, selected)

    def prune(self, selected: Query, top_id: int,
              progress: Callable[[int], None] | None = None, batch: int | None = None, *,
              payloads: bool = False, erase: bool = False) -> int:
        """As on SQLite. `erase` needs nothing more here: the promise on PostgreSQL is the
        rows and their indexes, not the server's WAL or its freed pages."""
        from agentlog.store.postgres import prune

        return self._do(prune.delete, selected, top_id, progress, batch or prune.BATCH,
                        payloads=payloads)

    def repair(self) -> str | None:
        """Nothing to rebuild: the search vector is computed from the row it belongs to."""
        return None

    def reclaim(self) -> None:
        from agentlog.store.postgres import prune

        self._do(prune.vacuum)

    def size(self) -> int:
        from agentlog.store.postgres import prune

        return self._do(prune.size)

    def tidy(self) -> tuple[int, int]:
        from agentlog.store.postgres import cache

        return self._do(w.interrupt_stale), self._do(cache.cache_delete_expired)

    # --- response cache and circuit breakers ---------------------------------------------
    def cache_get(self, key: str, now: str) -> Row | None:
        from agentlog.store.postgres import cache

        return self._do(cache.cache_get, key, now)

    def cache_put(self, entry: Row) -> None:
        from agentlog.store.postgres import cache

        self._do(cache.cache_put, entry)

    def breaker(self, agent: str, model: str) -> Row | None:
        from agentlog.store.postgres import cache

        return self._do(cache.breaker, agent, model)

    def change_breaker(self, agent: str, model: str,
                       update: Callable[[Row | None], Row | None]) -> Row | None:
        from agentlog.store.postgres import cache

        return self._do(cache.change_breaker, agent, model, update)

    def breaker_rows(self) -> list[Row]:
        from agentlog.store.postgres import cache

        return self._do(cache.breaker_rows)

    def reset_breakers(self, agent: str | None = None) -> int:
        from agentlog.store.postgres import cache

        return self._do(cache.reset_breakers, agent)

    # --- alerts ---------------------------------------------------------------------------
    def claim_alert(self, key: str, kind: str, at: str) -> bool:
        from agentlog.store.postgres import alerts

        return self._do(alerts.claim, key, kind, at)

    def alert_keys(self, prefix: str) -> list[str]:
        from agentlog.store.postgres import alerts

        return self._do(alerts.keys, prefix)

    # --- moving a history ----------------------------------------------------------------
    copy_writers = 2  # the server's work per row (the search vector) spreads over two cores

    def copy_in(self, rows: Sequence[Row]) -> int:
        return self._do(w.insert_copies, list(rows))

    def copy_out(self, after: int, limit: int) -> list[Row]:
        from agentlog.store.conditions import AtLeast

        return [e.to_dict() for e in self.fetch(
            Query().where(AtLeast("id", after + 1)).order_by("id").limit(limit))]

    def set_indexes_aside(self, empty: bool) -> bool:
        from agentlog.store.postgres import bulk

        return self._do(bulk.set_aside, empty)

    def build_indexes_aside(self) -> None:
        from agentlog.store.postgres import bulk

        with self._translated():
            bulk.build(lambda: self.conn, self.conn)

    def per_day(self) -> dict[str, tuple[int, float]]:
        with self._translated():
            return {day: (n, cost) for day, n, cost in self.conn.execute(
                "SELECT bucket, sum(executions)::bigint, coalesce(sum(total_cost_sum), 0) "
                "FROM execution_days GROUP BY bucket")}

    def log_id(self) -> str:
        return self._do(w.log_id)

    def adopt_log_id(self, value: str) -> None:
        self._do(w.set_log_id, value)

    def cache_rows(self) -> list[Row]:
        from agentlog.store.postgres import cache

        return self._do(cache.cache_live)

    def breaker_states(self, now: datetime | None = None) -> list[Row]:
        from agentlog.store import status

        return status.breakers(self.breaker_rows(), now or utcnow())

    def budget_status(self, settings, now: datetime) -> list[Row]:
        from agentlog.store import status

        return status.budgets(self, settings, now)
