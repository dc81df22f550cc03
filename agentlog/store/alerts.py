"""What needs attention now, by the rules of settings.alerts: budgets past a threshold, open
circuits, error spikes per agent, `running` rows past their deadline. One definition for
`agentlog alerts`, the dashboard's attention panel and the notifications a run sends.
Backend-neutral: everything is read through a Log.
"""

from __future__ import annotations

from datetime import datetime

from agentlog.store import status
from agentlog.store.conditions import OneOf
from agentlog.store.query import Query
from agentlog.timeutil import get_zone, period_bounds, to_iso

OVERDUE_LIMIT = 200  # running rows looked at, newest first
REFUSED = "BudgetExceeded"  # error_class of an execution a hard budget refused


def budgets(log, settings, now: datetime, agent: str | None = None,
            tenant: str | None = None, every: bool = True) -> list[dict]:
    """Each budget past at least one of `budget_thresholds`: its status row with `threshold`
    (the highest crossed), `crossed` (all of them) and `period_start` (UTC ISO). `every`
    False: only the budgets an execution of `agent` for `tenant` falls under."""
    found = settings.budgets
    if found is None:
        return []
    zone = get_zone(settings.timezone)
    out = []
    for b in status.measure(log, found, settings.timezone, now, agent, tenant, every):
        crossed = [t for t in settings.alerts.budget_thresholds if b.spent >= t * b.limit]
        if b.limit and crossed:  # a zero budget switches spending off; it is not an alarm
            start = period_bounds(status.PERIODS[b.period][0], zone, now)[0]
            out.append({**b.to_dict(), "enforcement": found.enforcement,
                        "threshold": crossed[-1], "crossed": crossed,
                        "period_start": to_iso(start)})
    return out


def error_spikes(log, settings, now: datetime, agent: str | None = None) -> list[dict]:
    """Agents with at least `error_spike.errors` failures (refusals by a budget not counted)
    created within `error_spike.within` of `now`."""
    rule = settings.alerts.error_spike
    if rule is None:
        return []
    window = rule.window
    recent = Query(zone=settings.timezone).failed().narrow(now - window, None)
    if agent is not None:
        recent = recent.by_agent(agent)
    rows = log.cost_by(recent, "agent").rows
    refused = {r["agent"]: r["executions"] for r in log.cost_by(
        recent.where(OneOf(("error_class",), (REFUSED,))), "agent").rows} if rows else {}
    out = []
    for row in rows:
        errors = row["executions"] - refused.get(row["agent"], 0)
        if errors >= rule.errors:
            out.append({"agent": row["agent"], "errors": errors,
                        "since": to_iso(now - window)})
    return out


def overdue(log, settings, now: datetime) -> list[dict]:
    """`running` rows whose deadline has passed (their process died or hangs)."""
    running = Query(zone=settings.timezone).running().order_by("-created_at")
    return [e.to_dict() for e in log.fetch(running.limit(OVERDUE_LIMIT))
            if e.deadline_at is not None and e.deadline_at < now]


def attention(log, settings, now: datetime) -> dict:
    """Everything that needs attention now; `any` says whether something does. `settings` is
    config.Settings (budgets, timezone, alerts)."""
    breakers = [b for b in log.breaker_states(now) if b["state"] != "closed"]
    spent = budgets(log, settings, now)
    spikes = error_spikes(log, settings, now)
    late = overdue(log, settings, now)
    rule = settings.alerts.error_spike
    return {"budgets": spent, "breakers": breakers,
            "error_spike": {"errors": rule.errors if rule else None,
                            "window_minutes": int(rule.window.total_seconds() // 60)
                            if rule else None,
                            "spiking": bool(spikes), "agents": spikes},
            "overdue": late,
            "any": bool(spent or breakers or spikes or late)}
