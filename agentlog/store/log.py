"""The `Log` protocol: everything the upper floors (cli/, runner/, the Python API) ask of the
log, in backend-neutral terms. `store.open()` returns an implementation; SQLite's is in
store/sqlite/. Every method raises StoreError when the log cannot be read or written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, BinaryIO, Protocol

from agentlog.store.query import Query
from agentlog.store.records import Execution

Row = dict[str, Any]
# Given the one-line notice of a schema upgrade that will take long, wraps the upgrade.
Upgrading = Callable[[str], AbstractContextManager]


class Log(Protocol):
    where: str  # the file or URL of the log, for messages

    def close(self) -> None: ...

    # --- writing executions --------------------------------------------------------------
    def preflight(self) -> int:
        """Before a writing command runs anything: raise StoreError if the log cannot be
        written, and mark `running` rows of dead processes Interrupted (returns how many)."""

    def start(self, row: Row, hold=None) -> int:
        """Insert the `running` row of an execution about to call a model; returns its id.
        With `hold` (status.Hold), in the same transaction: raise status.Overspent if a
        budget is spent (reservations included), else reserve its worst-case cost until
        the row is finalized."""

    def finalize(self, execution_id: int, values: Row, *, background: bool = False) -> None:
        """Write an execution's outcome once; `background` queues it to a writer thread."""

    def insert(self, row: Row) -> int:
        """Insert an execution that ends as it starts (a cache hit, a refusal)."""

    def close_running(self, batch_id: str, values: Row) -> int:
        """Finalize every still-running row of a batch with `values` (an interruption)."""

    def interrupt_stale(self, grace: float = 60.0, now: datetime | None = None) -> int: ...

    # --- reading -------------------------------------------------------------------------
    def get(self, execution_id: int) -> Execution | None: ...

    def latest(self) -> Execution | None: ...

    def fetch(self, query: Query, columns: tuple[str, ...] | None = None
              ) -> Iterator[Execution]:
        """The matching records; with `columns` (e.g. records.LISTED) only those are read,
        the other fields keep their defaults."""

    def fetch_plain(self, query: Query) -> Iterator[Row]:
        """The matching executions as `Execution.to_dict()` gives them, without building
        the records: for printing every row of a large log."""

    def count(self, query: Query) -> int: ...

    def aggregate(self, query: Query, *specs: tuple[str, str]) -> tuple: ...

    def count_upto(self, query: Query, cap: int) -> tuple[int, float | None]:
        """Count and cost of the matching rows, reading at most `cap + 1` of them."""

    # --- reports (dataclasses of store/reports.py) ---------------------------------------
    def daily(self, query: Query, day=None): ...

    def cost_by(self, query: Query, dimension: str): ...

    def stats(self, query: Query, agent: str): ...

    def summary(self, query: Query, ps: tuple[int, ...] = (50, 95), by: tuple[str, ...] = ()):
        """Every selected execution as one reports.Summary, with duration percentiles `ps`;
        `by` (dimensions of cost_by: agent, model, tenant): its `costs` holds the cost report
        of each, from one read grouped by all of them (in the same snapshot)."""

    def duration_profile(self, query: Query, by: str = "day") -> dict:
        """Approximate p50/p95 duration over the query's time range and each UTC day (or
        hour) of it, from the duration histograms (store/durations.py says how close)."""

    def trend(self, query: Query, days: int | None = None, by: str = "day",
              split: str | None = None):
        """reports.Trend: one row per day (hour, week, month) of the window; `split` (agent,
        model or tenant): each row lists its numbers per name too, from the same statement,
        so that a chart stacked by agent reads the log once."""

    def spent(self, start: str, end: str, agent: str | None = None,
              tenant: str | None = None) -> float:
        """USD spent by executions created in [start, end) (UTC ISO)."""

    def reserved(self, start: str, end: str, agent: str | None = None,
                 tenant: str | None = None) -> float:
        """USD held by the running executions created in [start, end) (Log.start's hold)."""

    # --- export and prune ----------------------------------------------------------------
    def columns(self, wanted: str | Sequence[str] | None = None) -> list[str]:
        """The export columns `wanted` (all of them for None), checked against the log."""

    def export(self, query: Query, fmt: str, out: BinaryIO, columns: Sequence[str],
               raw: bool = False, progress: Callable[[int], None] | None = None) -> int: ...

    def prune_plan(self, selected: Query): ...

    def prune(self, selected: Query, top_id: int,
              progress: Callable[[int], None] | None = None, *, payloads: bool = False,
              erase: bool = False) -> int:
        """Delete the selected rows; `payloads`: drop their text (prompts, response,
        parameters, tool-call arguments and results, error messages, cached answers) and
        mark them purged, keeping every number. `erase`: leave the text in no page of the
        log once `reclaim` ran."""

    def reclaim(self) -> None:
        """Give the space of deleted rows back to the file system; afterwards no file of
        the log (write-ahead log included) holds what was deleted."""

    def size(self) -> int:
        """Bytes the log takes on disk (0 when it has no file)."""

    def repair(self) -> str | None:
        """Rebuild the search index from the rows if it does not match them; returns what
        was wrong (None: it matched, nothing was done)."""

    def tidy(self) -> tuple[int, int]:
        """Mark stale running rows Interrupted, drop expired cache entries: both counts."""

    # --- response cache and circuit breakers ---------------------------------------------
    def cache_get(self, key: str, now: str) -> Row | None: ...

    def cache_put(self, entry: Row) -> None: ...

    def breaker(self, agent: str, model: str) -> Row | None: ...

    def change_breaker(self, agent: str, model: str,
                       update: Callable[[Row | None], Row | None]) -> Row | None:
        """Apply `update` to the current row atomically (None deletes it)."""

    def breaker_rows(self) -> list[Row]: ...

    # --- alerts (store/alerts.py) ---------------------------------------------------------
    def claim_alert(self, key: str, kind: str, at: str) -> bool:
        """Record that the alert `key` is sent; False when some process recorded it already."""

    def alert_keys(self, prefix: str) -> list[str]:
        """The keys of the recorded alerts that start with `prefix`."""

    # --- moving a history (store/copy.py) ------------------------------------------------
    copy_writers: int  # how many threads may run copy_in at once

    def copy_in(self, rows: Sequence[Row]) -> int:
        """Insert executions as another log holds them (`Execution.to_dict()`), ids kept,
        searchable, in one transaction; returns how many."""

    def copy_out(self, after: int, limit: int) -> list[Row]:
        """The next `limit` executions after id `after`, in id order, as copy_in takes them."""

    def set_indexes_aside(self, empty: bool) -> bool:
        """Before a copy into this log: when it is `empty`, drop the indexes that one build
        at the end makes cheaper than an insert per row, recording which; True when some are
        aside (now, or since an interrupted copy), for build_indexes_aside."""

    def build_indexes_aside(self) -> None:
        """Build the indexes set_indexes_aside dropped, then forget them."""

    def log_id(self) -> str:
        """The log's own random id: with an execution id, it names the execution's trace in
        `export otlp`, so two logs never share trace ids."""

    def adopt_log_id(self, value: str) -> None:
        """Take another log's id (`db copy`: the copy exports the same trace ids)."""

    def cache_rows(self) -> list[Row]:
        """Every unexpired response-cache entry."""

    def per_day(self) -> dict[str, tuple[int, float]]:
        """Executions and their cost per UTC day (`YYYY-MM-DD`), from the daily totals."""

    def reset_breakers(self, agent: str | None = None) -> int: ...

    # --- what a dashboard reads without the runner ---------------------------------------
    def breaker_states(self, now: datetime | None = None) -> list[Row]: ...

    def budget_status(self, settings, now: datetime) -> list[Row]: ...
