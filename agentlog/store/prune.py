"""What a prune selects and what it reports before deleting (store/sqlite/prune.py deletes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agentlog.store.conditions import NoneOf, Present
from agentlog.store.filters import STATUSES
from agentlog.store.query import Query


@dataclass(frozen=True)
class AgentShare:
    agent: str
    count: int
    cost: float | None


@dataclass(frozen=True)
class Plan:
    """What a prune deletes: count, oldest and newest created_at (stored UTC), cost, and
    the same per agent, most executions first."""

    count: int
    first: str | None
    last: str | None
    cost: float | None
    agents: tuple[AgentShare, ...]
    top_id: int | None  # the highest matching id: deleting never scans past it

    @classmethod
    def of(cls, groups: list) -> Plan:
        """The plan of the rows of PLAN_SQL, one per agent."""
        groups = sorted(groups, key=lambda r: (-r[1], r[0]))
        costs = [r[2] for r in groups if r[2] is not None]
        return cls(count=sum(r[1] for r in groups),
                   first=min((r[3] for r in groups), default=None),
                   last=max((r[4] for r in groups), default=None),
                   cost=sum(costs) if costs else None,
                   agents=tuple(AgentShare(r[0], r[1], r[2]) for r in groups),
                   top_id=max((r[5] for r in groups), default=None))


# What Plan.of reads, one row per agent, followed by a backend's WHERE clause.
PLAN_SQL = ("SELECT agent_type, count(*), sum(total_cost), min(created_at), max(created_at), "
            "max(id) FROM executions{where} GROUP BY agent_type")


def selection(query: Query, cutoff: datetime | None, payloads: bool = False) -> Query:
    """The executions of `query` created before `cutoff` (None: any age), except running
    ones; with `payloads`, those whose text is still there."""
    kept = tuple(s for s in STATUSES if s != "running")
    flag = "prune (which never deletes running executions)"
    selected = (query.claim("status", kept, flag).narrow(None, cutoff, "--older-than")
                .where(NoneOf("status", ("running",))))
    return selected.where(Present("payloads_purged_at", yes=False)) if payloads else selected
