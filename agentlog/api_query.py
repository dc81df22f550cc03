"""`Executions`: the Python query API over the log, for scripts and notebooks.

It is a store Query bound to a Log, so every filter method is the very one behind the
CLI flags; only the terminal methods (iteration, count, sum, avg, first) are added here.

    from agentlog import Executions
    q = Executions.open().this_week().failed().expensive(0.50).order_by("-total_cost")
    for e in q.limit(20): print(e.agent_type, e.total_cost)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from agentlog.store.query import Query
from agentlog.store.records import Execution


@dataclass(frozen=True)
class Executions(Query):
    log: Any = field(default=None, repr=False, compare=False)  # a store.log.Log

    @classmethod
    def open(cls, db: str | None = None, *, config: str | None = None,
             timezone: str | None = None) -> Executions:
        """The log at `db`, else $AGENTLOG_DB, else settings.db, else the user data dir.

        Periods (today(), this_week(), ...) use `timezone`, else settings.timezone, else the
        system's; current_tenant() is $AGENTLOG_TENANT, else settings.tenant."""
        from agentlog import readsettings, store

        settings = readsettings.load(config)
        return cls(log=store.open_reader(store.locate(db, settings.db)),
                   zone=timezone or settings.timezone, tenant=settings.current_tenant())

    def __iter__(self) -> Iterator[Execution]:
        return self.log.fetch(self)

    def count(self) -> int:
        return self.log.count(self)

    def sum(self, column: str) -> float | None:
        """Sum of a numeric column over every matching row (None when no row has a value)."""
        return self.log.aggregate(self, ("sum", column))[0]

    def avg(self, column: str) -> float | None:
        return self.log.aggregate(self, ("avg", column))[0]

    def first(self) -> Execution | None:
        """The first row in the query's order, or None."""
        return next(iter(self.limit(1)), None)

    def close(self) -> None:
        self.log.close()

    def __enter__(self) -> Executions:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
