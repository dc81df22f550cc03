"""The overview's numbers: KPIs against the previous period, what needs attention, the
series of its charts. Each comes from a Log report or query, as the CLI's do."""

from __future__ import annotations

from datetime import datetime

from agentlog.timeutil import utcnow

KPIS = (("executions", "Executions"), ("success_rate", "Success rate"),
        ("total_cost", "Cost"), ("total_tokens", "Tokens"), ("p50", "p50 duration"),
        ("p95", "p95 duration"), ("cache_hit_rate", "Cache hit rate"),
        ("fallback_rate", "Fallback rate"))
CHART_AGENTS = 5  # agents drawn one by one in the cost chart; the rest are "other"


def durations(log, query, days: int) -> dict:
    """p50/p95 of the period and of each UTC hour (a day) or day of it, from the duration
    histograms: approximate, within store.durations.ERROR of the exact ones."""
    return log.duration_profile(query, "hour" if days == 1 else "day")


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



def attention(log, full_settings, now: datetime | None = None) -> dict:
    """What `agentlog alerts` lists (store/alerts.py), for the attention panel."""
    from agentlog.store import alerts

    return alerts.attention(log, full_settings, now or utcnow())


def charts(log, query, days: int, agents) -> dict:
    """Executions and failures, cost by agent (stacked) and p50/p95 duration over the
    period: by hour for a day, else by day. `agents`: the period's cost by agent (a
    CostReport), whose first CHART_AGENTS are drawn one by one, from one trend split by
    agent."""
    by = "hour" if days == 1 else "day"
    span = 1 if by == "hour" else days
    trend = log.trend(query, span, by, split="agent").to_dict()["rows"]
    labels = [r["start"][5:16] if by == "hour" else r["start"][5:] for r in trend]
    costs = [{s["agent"]: s["total_cost"] for s in r["split"]} for r in trend]
    cost = [(name, [c.get(name, 0.0) for c in costs])
            for name in [r["agent"] for r in agents.rows[:CHART_AGENTS]]]
    other = [sum(values) for values in zip(*(s for _, s in cost), strict=True)]
    rest = [round(r["total_cost"] - o, 12) for r, o in zip(trend, other or [0] * len(trend),
                                                            strict=True)]
    if any(v > 1e-9 for v in rest):
        cost.append(("other", rest))
    return {"labels": labels,
            "executions": [r["executions"] for r in trend],
            "failed": [r["failed"] for r in trend],
            "cost": cost}
