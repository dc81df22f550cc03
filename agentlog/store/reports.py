"""The reports as data: what each one returns, and the arithmetic they share.

Each report returns a dataclass whose `to_dict()` is its stable JSON form (raw numbers, costs
in USD, rates as fractions, None where there is nothing to divide by). Money, bars and charts
are the renderer's business. A Log computes the reports (store/sqlite/reports.py); what does
not depend on how the log is stored lives here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from agentlog import timeutil
from agentlog.errors import QueryError
from agentlog.store.query import Query

OUTCOME_KEYS = ("status", "error_class", "cache_hit", "fallback_reason", "attempts_count")

def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide by (an empty period)."""
    return part / whole if whole else None

@dataclass
class Tally:
    """Counts and sums over some executions; every rate and average derives from them."""

    executions: int = 0
    successful: int = 0
    errors: int = 0
    timeouts: int = 0
    total_cost: float = 0.0
    priced: int = 0  # executions with a known cost
    input_cost: float = 0.0
    output_cost: float = 0.0
    total_tokens: int = 0
    duration_sum: int = 0
    timed: int = 0  # executions with a duration
    ttft_sum: int = 0
    ttft_count: int = 0  # executions that recorded a time to first token (streaming)
    cache_hits: int = 0
    fallbacks: int = 0
    retried: int = 0  # more than one attempt: a retry or a fallback
    first_seen: str | None = None  # the earliest created_at, or its day or hour (first_seen())
    error_classes: Counter = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        # Reports add up a Tally per group row (hundreds for a grouped period): through the
        # instances' dicts, not dataclasses.fields() and getattr/setattr per field.
        mine, theirs = self.__dict__, other.__dict__
        for name in _SUMMED:
            mine[name] += theirs[name]
        if theirs["first_seen"] is not None:
            seen = mine["first_seen"]
            mine["first_seen"] = theirs["first_seen"] if seen is None else min(
                seen, theirs["first_seen"])
        if theirs["error_classes"]:
            self.error_classes.update(theirs["error_classes"])

    @property
    def failed(self) -> int:
        return self.errors + self.timeouts

    @property
    def finished(self) -> int:
        """Executions with an outcome; `running` ones (or ones that died running) have none."""
        return self.successful + self.failed

    @property
    def running(self) -> int:
        return self.executions - self.finished

    def top_errors(self, n: int = 5) -> list[dict]:
        ranked = sorted(self.error_classes.items(), key=lambda kv: (-kv[1], kv[0] or ""))
        return [{"error_class": name, "count": count} for name, count in ranked[:n]]

    def summary(self) -> dict:
        """Counts, money, tokens and rates; rates are fractions of the finished executions,
        averages of those with a value (cost: the priced ones)."""
        done = self.finished
        return {
            "executions": self.executions, "successful": self.successful,
            "failed": self.failed, "errors": self.errors, "timeouts": self.timeouts,
            "running": self.running,
            "success_rate": ratio(self.successful, done), "error_rate": ratio(self.failed, done),
            "timeout_rate": ratio(self.timeouts, done),
            "total_cost": self.total_cost, "input_cost": self.input_cost,
            "output_cost": self.output_cost, "avg_cost": ratio(self.total_cost, self.priced),
            "total_tokens": self.total_tokens, "avg_tokens": ratio(self.total_tokens, done),
            "cache_hits": self.cache_hits, "cache_hit_rate": ratio(self.cache_hits, done),
            "fallbacks": self.fallbacks, "fallback_rate": ratio(self.fallbacks, done),
            "retried": self.retried, "retry_rate": ratio(self.retried, done),
        }

_SUMMED = tuple(f.name for f in fields(Tally) if f.name not in ("first_seen", "error_classes"))


def combined(parts) -> Tally:
    total = Tally()
    for part in parts:
        total.add(part)
    return total

PERCENTILES = (50, 95, 99)

def nearest_rank(p: int, n: int) -> int:
    """The 1-based rank of the p-th percentile of n values: ceil(p/100 · n), at least 1."""
    return max(1, -(-p * n // 100))

DIMENSIONS = {"agent": "agent_type", "model": "chosen_model_id", "tenant": "tenant_id"}

def dimension_column(dimension: str, what: str = "report cost by") -> str:
    """The column of a dimension of cost_by (agent, model, tenant); QueryError otherwise."""
    if dimension not in DIMENSIONS:
        raise QueryError(f"cannot {what} '{dimension}' (choose from: {', '.join(DIMENSIONS)})")
    return DIMENSIONS[dimension]

TREND_BY = ("day", "hour", "week", "month")
TREND_DEFAULT = {"hour": 48, "day": 7, "week": 12, "month": 12}  # buckets without a time filter

def zone_name(query: Query) -> str:
    return query.zone or str(query.local_zone())

def period_of(query: Query) -> dict:
    """The report's time range (stored UTC strings, None: open) and its calendar zone."""
    return {"since": query.after, "until": query.before, "timezone": zone_name(query)}

@dataclass
class Daily:
    day: date
    timezone: str
    totals: Tally
    p95_duration_ms: int | None
    cache_savings: float | None  # estimated; None when no price is known for a cached model
    agents: list[dict]
    models: list[dict]  # per chosen model (report daily --by-model)

    def to_dict(self) -> dict:
        return {"date": self.day.isoformat(), "timezone": self.timezone,
                **self.totals.summary(),
                "avg_duration_ms": ratio(self.totals.duration_sum, self.totals.timed),
                "p95_duration_ms": self.p95_duration_ms,
                "cache_savings": self.cache_savings, "top_errors": self.totals.top_errors(),
                "agents": self.agents, "models": self.models}

def report_day(query: Query, day: date | str | None) -> date:
    """--date, else the day --yesterday chose, else today (in the query's zone)."""
    if day is not None:
        periods = [name for dim, _, name in query.claims if dim == "period"]
        if periods:
            raise QueryError(f"--date cannot be combined with {' and '.join(periods)}")
    if isinstance(day, date):
        return day
    if day is not None:
        try:
            return timeutil.parse_date(day)
        except ValueError as e:
            raise QueryError(f"--date: {e}") from None
    today = timeutil.utcnow().astimezone(query.local_zone()).date()
    chose_yesterday = any(dim == "period" and allowed == {"yesterday"}
                          for dim, allowed, _ in query.claims)
    return today - timedelta(days=1) if chose_yesterday else today

def daily_of(day: date, query: Query, groups: dict[tuple, Tally],
             p95: int | None) -> Daily:
    """The Daily of totals grouped by (agent, chosen model, cache_hit)."""
    agents: dict[str, Tally] = {}
    models: dict[str | None, Tally] = {}
    paid: dict[str | None, Tally] = {}
    hits: dict[str | None, Tally] = {}
    for (agent, model, cache_hit), part in groups.items():
        agents.setdefault(agent, Tally()).add(part)
        models.setdefault(model, Tally()).add(part)
        (hits if cache_hit else paid).setdefault(model, Tally()).add(part)

    def ranked(parts: dict, name: str) -> list[dict]:
        return [{name: key, "executions": t.executions, "failed": t.failed,
                 "total_tokens": t.total_tokens, "total_cost": t.total_cost}
                for key, t in sorted(parts.items(), key=lambda kv: (-kv[1].executions,
                                                                    kv[0] or ""))]
    return Daily(day, zone_name(query), combined(groups.values()), p95,
                 cache_savings(paid, hits), ranked(agents, "agent"), ranked(models, "model"))


def cache_savings(by_model: dict[str | None, Tally], hits: dict[str | None, Tally]):
    """What the cache hits would have cost: each hit's tokens at the average cost per token of
    the same model's priced, non-cached executions in the report (None if a model has none)."""
    saved = 0.0
    for model, hit in hits.items():
        if not hit.total_tokens:
            continue
        paid = by_model.get(model)
        per_token = ratio(paid.total_cost, paid.total_tokens) if paid and paid.priced else None
        if per_token is None:
            return None
        saved += hit.total_tokens * per_token
    return saved

@dataclass
class CostReport:
    dimension: str  # agent, model or tenant
    rows: list[dict]
    total: dict
    since: str | None
    until: str | None
    timezone: str

    def to_dict(self) -> dict:
        return {"by": self.dimension, "since": self.since, "until": self.until,
                "timezone": self.timezone, "rows": self.rows, "total": self.total}

def cost_numbers(executions: int, tokens: int, cost: float, priced: int, grand: float) -> dict:
    return {"executions": executions, "total_tokens": tokens, "total_cost": cost,
            "avg_cost": ratio(cost, priced), "share": ratio(cost, grand)}


def cost_report(query: Query, dimension: str, groups: dict) -> CostReport:
    """The CostReport of (executions, tokens, cost, priced) per name (None: no tenant),
    most expensive first."""
    grand = sum(g[2] for g in groups.values())
    rows = [{dimension: key, **cost_numbers(*values, grand)} for key, values in groups.items()]
    rows.sort(key=lambda r: (-r["total_cost"], -r["executions"], r[dimension] or ""))
    sums = [sum(g[i] for g in groups.values()) for i in range(4)]
    return CostReport(dimension, rows, cost_numbers(*sums, grand), **period_of(query))


def cost_reports(query: Query, dimensions: tuple[str, ...], rows) -> dict[str, CostReport]:
    """The cost report of each dimension from one read grouped by all their columns: `rows`
    of (*names in the order of `dimensions`, executions, tokens, cost, priced)."""
    out: dict[str, dict] = {d: {} for d in dimensions}
    width = len(dimensions)
    for row in rows:
        numbers = row[width:]
        for dimension, name in zip(dimensions, row[:width], strict=True):
            groups = out[dimension]
            name = name or None  # the empty tenant and no tenant are one group
            old = groups.get(name, (0, 0, 0.0, 0))
            groups[name] = tuple(a + b for a, b in zip(old, numbers, strict=True))
    return {d: cost_report(query, d, groups) for d, groups in out.items()}

@dataclass
class AgentStats:
    agent: str
    since: str | None
    until: str | None
    timezone: str
    totals: Tally
    duration: dict
    ttft: dict
    models: list[dict]
    versions: list[dict]  # the same numbers per agent_version, oldest first

    def to_dict(self) -> dict:
        return {"agent": self.agent, "since": self.since, "until": self.until,
                "timezone": self.timezone, **numbers(self.totals, self.duration, self.ttft),
                "top_errors": self.totals.top_errors(), "models": self.models,
                "versions": self.versions}

def numbers(totals: Tally, duration: dict, ttft: dict) -> dict:
    return {**totals.summary(), "duration_ms": duration, "ttft_ms": ttft}

@dataclass
class Summary:
    """Every execution the query selects, as one set of numbers (the dashboard's KPIs)."""

    since: str | None
    until: str | None
    timezone: str
    totals: Tally
    duration: dict  # avg and the percentiles asked for
    costs: dict[str, CostReport] = field(default_factory=dict)  # the `by` of Log.summary

    def to_dict(self) -> dict:
        costs = {"costs": {d: r.to_dict() for d, r in self.costs.items()}} if self.costs else {}
        return {"since": self.since, "until": self.until, "timezone": self.timezone,
                **self.totals.summary(), "duration_ms": self.duration,
                "top_errors": self.totals.top_errors(), **costs}

@dataclass
class Trend:
    by: str
    timezone: str
    rows: list[dict]
    last: bool = True  # the window is the last len(rows) units, ending now
    split: str | None = None  # each row's numbers per agent, model or tenant too

    def to_dict(self) -> dict:
        split = {"split": self.split} if self.split else {}
        return {"by": self.by, "timezone": self.timezone, **split, "rows": self.rows}


def trend_of(by: str, query: Query, buckets: list[tuple], found: list[dict], last: bool,
             split: str | None = None) -> Trend:
    """The Trend of [executions, failed, cost, duration sum, timed] per bucket and, when
    `split`, per name within it (`found[i]`: name -> numbers; no split: one name, None).
    A row's numbers are the sums of its names'; its `split` lists them, costliest first."""
    rows = []
    for (label, _, _), names in zip(buckets, found, strict=True):
        if len(names) == 1:
            [total] = names.values()
        else:
            total = [sum(c) for c in zip(*names.values(), strict=True)] or [0, 0, 0.0, 0, 0]
        row = _trend_row("start", label, total)
        if split:
            parts = [_trend_row(split, name, n) for name, n in names.items()]
            parts.sort(key=lambda r: (-r["total_cost"], -r["executions"], r[split] or ""))
            row["split"] = parts
        rows.append(row)
    return Trend(by, zone_name(query), rows, last, split)


def _trend_row(key: str, value, numbers) -> dict:
    count, failed, cost, duration, timed = numbers
    return {key: value, "executions": count, "failed": failed, "total_cost": cost,
            "avg_duration_ms": ratio(duration, timed)}


def trend_buckets(by: str, days: int | None, query: Query) -> tuple[list[tuple], bool]:
    """The trend's buckets and whether they are "the last N" ending now. The window is the
    last `days` days when given; else the query's time range (--this-month, --since, …);
    else the last TREND_DEFAULT[by] units."""
    from agentlog import buckets

    if by not in TREND_BY:
        raise QueryError(f"--by must be one of: {', '.join(TREND_BY)} (got '{by}')")
    if days is not None and days < 1:
        raise QueryError(f"--days must be 1 or more, got {days}")
    zone = query.local_zone()
    since = until = None
    count = TREND_DEFAULT[by]
    if days is not None and by in ("day", "hour"):
        count = days * 24 if by == "hour" else days
    elif days is not None:
        today = timeutil.utcnow().astimezone(zone).date()
        since = timeutil.day_bounds(today - timedelta(days=days - 1), zone)[0]
    else:
        since, until = (timeutil.parse_iso(t) if t else None for t in (query.after, query.before))
    try:
        found = buckets.covering(by, zone, count, since, until)
    except buckets.TooMany as e:
        raise QueryError(f"report trend --by {by} would draw {e}: narrow the time filter "
                         "or choose a longer --by") from None
    labels = [(local.isoformat(timespec="minutes") if by == "hour" else local.isoformat(), s, e)
              for local, s, e in found]
    return labels, since is None and until is None

