"""What needs attention, as a person reads it: each budget with its spend in the current
period, each circuit breaker as closed, open or half-open. Backend-neutral: read through a Log,
so that a dashboard shows them without the runner.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from agentlog.money import usd
from agentlog.timeutil import get_zone, parse_iso, period_bounds, to_iso

PERIODS = {"daily": ("today", "today"), "monthly": ("this-month", "this month")}


@dataclass
class Budget:
    name: str  # e.g. "daily", "agent 'summarize' monthly"
    period: str  # daily | monthly
    limit: float
    spent: float
    agent: str | None = None
    tenant: str | None = None
    reserved: float = 0.0  # held by running executions (their worst-case cost)

    @property
    def remaining(self) -> float:
        return max(0.0, self.limit - self.spent - self.reserved)

    @property
    def exceeded(self) -> bool:
        return self.spent + self.reserved >= self.limit

    def message(self) -> str:
        held = f" and {usd(self.reserved)} held by running executions" if self.reserved else ""
        return (f"{self.name} budget of {usd(self.limit)} is spent: {usd(self.spent)} spent"
                f"{held} {PERIODS[self.period][1]}")

    def to_dict(self) -> dict:
        return {**asdict(self), "remaining": self.remaining, "exceeded": self.exceeded}


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
        for period in PERIODS:
            value = getattr(limits, period)
            if value is not None:
                yield f"{prefix}{period}", period, value, for_agent, for_tenant


def measure(log, budgets, timezone: str | None, now: datetime, agent: str | None = None,
            tenant: str | None = None, every: bool = False) -> list[Budget]:
    """Each budget with what has been spent against it in its current period."""
    zone = get_zone(timezone)
    bounds = {period: period_bounds(name, zone, now) for period, (name, _) in PERIODS.items()}
    out = []
    for name, period, limit, for_agent, for_tenant in _limits(budgets, agent, tenant, every):
        start, end = bounds[period]
        used = log.spent(to_iso(start), to_iso(end), agent=for_agent, tenant=for_tenant)
        held = log.reserved(to_iso(start), to_iso(end), agent=for_agent, tenant=for_tenant)
        out.append(Budget(name, period, limit, used, for_agent, for_tenant, held))
    return out


class Overspent(Exception):
    """A hard budget is spent: the execution may not start (Log.start with a Hold)."""

    def __init__(self, spent_out: list[Budget]):
        super().__init__("; ".join(b.message() for b in spent_out))
        self.budgets = spent_out


@dataclass
class Hold:
    """What an execution about to start holds against the hard budgets it falls under: its
    worst-case cost (None: a model of its chain has no known price, so nothing is held).
    Log.start calls `admit` inside the transaction that inserts the running row."""

    budgets: object  # config.Budgets
    timezone: str | None
    now: datetime
    agent: str
    tenant: str | None
    cost: float | None

    def admit(self, log) -> None:
        spent_out = [b for b in measure(log, self.budgets, self.timezone, self.now,
                                        self.agent, self.tenant) if b.exceeded]
        if spent_out:
            raise Overspent(spent_out)


def budgets(log, settings, now: datetime) -> list[dict]:
    """Every budget of the settings with its spend, remaining amount and enforcement."""
    found = settings.budgets
    if found is None:
        return []
    return [{**b.to_dict(), "enforcement": found.enforcement}
            for b in measure(log, found, settings.timezone, now, every=True)]


def breakers(rows: list[dict], now: datetime) -> list[dict]:
    """Rows of the breakers table as a person reads them: closed, open or half-open."""
    out = []
    for row in rows:
        state = row["state"]
        if state != "closed" and (state == "half_open" or parse_iso(row["reopen_at"]) <= now):
            state = "half-open"
        out.append({"agent": row["agent"], "model": row["model"], "state": state,
                    "recent_failures": len(row["failures"]), "opened_at": row["opened_at"],
                    "reopens_at": row["reopen_at"] if state != "closed" else None})
    return out
