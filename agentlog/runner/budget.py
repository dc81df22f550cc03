"""Budgets (settings.budgets): which ones an execution falls under, and how much is left.

Spend is summed from the executions table for the current day or month in the configured
timezone, so there is no counter to drift. `hard` refuses an execution once a budget it falls
under is spent, `soft` only warns, `none` checks nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from agentlog.store import spend
from agentlog.timeutil import get_zone, period_bounds, to_iso

_PERIODS = {"daily": ("today", "today"), "monthly": ("this-month", "this month")}


@dataclass
class Budget:
    name: str  # e.g. "daily", "agent 'summarize' monthly"
    period: str  # daily | monthly
    limit: float
    spent: float
    agent: str | None = None
    tenant: str | None = None

    @property
    def remaining(self) -> float:
        return max(0.0, self.limit - self.spent)

    @property
    def exceeded(self) -> bool:
        return self.spent >= self.limit

    def message(self) -> str:
        return (f"{self.name} budget of {_usd(self.limit)} is spent: {_usd(self.spent)} spent "
                f"{_PERIODS[self.period][1]}")

    def to_dict(self) -> dict:
        return {**asdict(self), "remaining": self.remaining, "exceeded": self.exceeded}


def _usd(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.6f}".rstrip("0")


def _limits(budgets, agent: str | None, tenant: str | None,
            every: bool) -> Iterator[tuple[str, str, float, str | None, str | None]]:
    """(name, period, limit, agent, tenant) of each budget; all of them when `every`, else
    those an execution of `agent` for `tenant` falls under."""
    scopes = [("", budgets, None, None)]
    scopes += [(f"agent '{name}' ", limit, name, None) for name, limit in
               budgets.per_agent.items() if every or name == agent]
    scopes += [(f"tenant '{name}' ", limit, None, name) for name, limit in
               budgets.per_tenant.items() if every or name == tenant]
    for prefix, limits, for_agent, for_tenant in scopes:
        for period in _PERIODS:
            value = getattr(limits, period)
            if value is not None:
                yield f"{prefix}{period}", period, value, for_agent, for_tenant


def measure(conn: sqlite3.Connection, budgets, timezone: str | None, now: datetime,
            agent: str | None = None, tenant: str | None = None,
            every: bool = False) -> list[Budget]:
    """Each budget with what has been spent against it in its current period."""
    zone = get_zone(timezone)
    bounds = {period: period_bounds(name, zone, now) for period, (name, _) in _PERIODS.items()}
    out = []
    for name, period, limit, for_agent, for_tenant in _limits(budgets, agent, tenant, every):
        start, end = bounds[period]
        used = spend.spent(conn, to_iso(start), to_iso(end), agent=for_agent, tenant=for_tenant)
        out.append(Budget(name, period, limit, used, for_agent, for_tenant))
    return out


def check(conn: sqlite3.Connection, settings, agent: str, tenant: str | None,
          now: datetime) -> tuple[str | None, list[str]]:
    """(refusal, warnings) for an execution about to start: a refusal message under `hard`
    enforcement, warnings under `soft`."""
    budgets = settings.budgets
    if budgets is None or budgets.enforcement == "none":
        return None, []
    spent_out = [b for b in measure(conn, budgets, settings.timezone, now, agent, tenant)
                 if b.exceeded]
    if not spent_out:
        return None, []
    if budgets.enforcement == "hard":
        return "; ".join(b.message() for b in spent_out), []
    return None, [f"warning: {b.message()}; running anyway (enforcement: soft)"
                  for b in spent_out]


def overview(conn: sqlite3.Connection, settings, now: datetime) -> list[dict]:
    """Every budget of the settings with its spend, remaining amount and enforcement."""
    budgets = settings.budgets
    if budgets is None:
        return []
    return [{**b.to_dict(), "enforcement": budgets.enforcement}
            for b in measure(conn, budgets, settings.timezone, now, every=True)]
