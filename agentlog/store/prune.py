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


def selection(query: Query, cutoff: datetime | None, payloads: bool = False) -> Query:
    """The executions of `query` created before `cutoff` (None: any age), except running
    ones; with `payloads`, those whose text is still there."""
    kept = tuple(s for s in STATUSES if s != "running")
    flag = "prune (which never deletes running executions)"
    selected = (query.claim("status", kept, flag).narrow(None, cutoff, "--older-than")
                .where(NoneOf("status", ("running",))))
    return selected.where(Present("payloads_purged_at", yes=False)) if payloads else selected
