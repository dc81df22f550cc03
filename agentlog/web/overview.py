"""The overview's numbers: KPIs against the previous period, what needs attention, the
series of its charts. Each comes from a Log report or query, as the CLI's do."""

from __future__ import annotations

from datetime import datetime, timedelta

from agentlog.timeutil import utcnow

KPIS = (("executions", "Executions"), ("success_rate", "Success rate"),
        ("total_cost", "Cost"), ("total_tokens", "Tokens"), ("p50", "p50 duration"),
        ("p95", "p95 duration"), ("cache_hit_rate", "Cache hit rate"),
        ("fallback_rate", "Fallback rate"))
SPIKE_ERRORS, SPIKE_WINDOW = 5, timedelta(minutes=15)  # until `agentlog alerts` defines them
BUDGET_WARN = 0.8
CHART_AGENTS = 5  # agents drawn one by one in the cost chart; the rest are "other"
PERCENTILE_POINTS = 12  # points of the p50/p95 chart
SAMPLE = 10_000  # percentiles read about this many durations: every k-th row beyond it


def durations(log, summary, query, slices: int) -> dict:
    """p50/p95 of the period (and of `slices` parts of it), exact up to SAMPLE timed rows,
    else from every k-th execution (`every` says which k; the page marks them approximate)."""
    every = max(1, summary.totals.timed // SAMPLE)
    return log.duration_profile(query, slices, every)


def kpis(current: dict, previous: dict, now_p: dict, then_p: dict) -> list[dict]:
    """Each KPI of the period and the one before it (summaries, and duration profiles for
    the percentiles), with the relative change (None when the earlier one is 0 or unknown)."""
    out = []
    for key, label in KPIS:
        now, then = (now_p, then_p) if key in ("p50", "p95") else (current, previous)
        now, then = now[key], then[key]
        change = (now - then) / then if now is not None and then else None
        out.append({"key": key, "label": label, "value": now, "previous": then,
                    "change": change})
    return out



def attention(log, settings, full_settings, now: datetime | None = None) -> dict:
    """Open breakers, budgets at BUDGET_WARN of their limit or past it, an error spike
    (SPIKE_ERRORS failures within SPIKE_WINDOW) and `running` rows past their deadline."""
    from agentlog.store.query import Query

    now = now or utcnow()
    base = Query(zone=settings.timezone)
    breakers = [b for b in log.breaker_states(now) if b["state"] != "closed"]
    budgets = [b for b in log.budget_status(full_settings, now)
               if b["limit"] and b["spent"] >= BUDGET_WARN * b["limit"]]
    recent = base.failed().narrow(now - SPIKE_WINDOW, None)
    spike = log.count_upto(recent, SPIKE_ERRORS)[0]
    overdue = [e.to_dict() for e in log.fetch(base.running().order_by("-created_at").limit(200))
               if e.deadline_at is not None and e.deadline_at < now]
    return {"breakers": breakers, "budgets": budgets,
            "error_spike": {"errors": min(spike, SPIKE_ERRORS),
                            "window_minutes": SPIKE_WINDOW.seconds // 60,
                            "spiking": spike >= SPIKE_ERRORS},
            "overdue": overdue,
            "any": bool(breakers or budgets or overdue or spike >= SPIKE_ERRORS)}


def charts(log, query, days: int) -> dict:
    """Executions and failures, cost by agent (stacked) and p50/p95 duration over the
    period: by hour for a day, else by day."""
    by = "hour" if days == 1 else "day"
    span = 1 if by == "hour" else days
    trend = log.trend(query, span, by).to_dict()["rows"]
    labels = [r["start"][5:16] if by == "hour" else r["start"][5:] for r in trend]
    agents = [r["agent"] for r in log.cost_by(query, "agent").rows[:CHART_AGENTS]]
    cost = [(name, [r["total_cost"] for r in log.trend(query.by_agent(name), span, by)
                    .to_dict()["rows"]]) for name in agents]
    other = [sum(values) for values in zip(*(s for _, s in cost), strict=True)]
    rest = [round(r["total_cost"] - o, 12) for r, o in zip(trend, other or [0] * len(trend),
                                                            strict=True)]
    if any(v > 1e-9 for v in rest):
        cost.append(("other", rest))
    return {"labels": labels,
            "executions": [r["executions"] for r in trend],
            "failed": [r["failed"] for r in trend],
            "cost": cost}
