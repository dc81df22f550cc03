"""A trend split by agent (model, tenant) gives in one read what one trend per agent gave, and
a summary `by` dimensions gives cost_by's reports: what the overview's charts and tops read
(on every backend)."""

from __future__ import annotations

import pytest

from agentlog import store
from agentlog.errors import QueryError
from agentlog.store.query import Query

AGENTS = ("summarize", "classify", "translate")


def rounded(value):
    """Costs summed in another order agree to their last digits only."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def numbers(row: dict) -> dict:
    return {k: row[k] for k in ("executions", "failed", "total_cost", "avg_duration_ms")}


@pytest.mark.parametrize(("zone", "days", "by"), [("UTC", 30, "day"), ("Europe/Berlin", 30, "day"),
                                                   ("UTC", 3, "hour"), (None, None, "week")])
def test_a_trend_split_by_agent_equals_one_trend_per_agent(seeded_any, zone, days, by):
    with store.open(seeded_any) as log:
        query = Query(zone=zone)
        split = log.trend(query, days, by, split="agent")
        alone = log.trend(query, days, by)
        each = {a: log.trend(query.by_agent(a), days, by).to_dict()["rows"] for a in AGENTS}
    rows = split.to_dict()["rows"]
    assert split.to_dict()["split"] == "agent"
    assert [r["start"] for r in rows] == [r["start"] for r in alone.to_dict()["rows"]]
    assert rounded([numbers(r) for r in rows]) == \
        rounded([numbers(r) for r in alone.to_dict()["rows"]])
    for i, row in enumerate(rows):
        shown = {part["agent"]: numbers(part) for part in row["split"]}
        ran = {a: numbers(each[a][i]) for a in AGENTS if each[a][i]["executions"]}
        assert rounded(shown) == rounded(ran), row["start"]
        costs = [(-p["total_cost"], -p["executions"]) for p in row["split"]]
        assert costs == sorted(costs)  # costliest first
    assert sum(len(r["split"]) for r in rows) > 0


@pytest.mark.parametrize("dimension", ["model", "tenant"])
def test_a_split_trend_adds_up_to_cost_by_over_its_window(seeded_any, dimension):
    with store.open(seeded_any) as log:
        query = Query(zone="UTC").since("2026-10-01")
        trend = log.trend(query, None, "day", split=dimension).to_dict()
        report = log.cost_by(query, dimension).to_dict()
    summed: dict = {}
    for row in trend["rows"]:
        for part in row["split"]:
            summed[part[dimension]] = summed.get(part[dimension], 0) + part["executions"]
    assert summed == {r[dimension]: r["executions"] for r in report["rows"]}
    if dimension == "tenant":  # no tenant and the empty tenant are one name, as in cost_by
        assert None in summed and "" not in summed


def test_a_trend_without_split_has_no_split_in_its_json(seeded_any):
    with store.open(seeded_any) as log:
        found = log.trend(Query(), 7).to_dict()
    assert "split" not in found and all("split" not in r for r in found["rows"])


def test_a_trend_split_by_an_unknown_dimension_is_refused(seeded_any):
    with store.open(seeded_any) as log, pytest.raises(QueryError, match="split a trend by"):
        log.trend(Query(), 7, split="status")


@pytest.mark.parametrize("query", [Query(), Query().since("2026-11-20"), Query().failed()])
def test_a_summary_by_dimensions_carries_the_cost_reports_of_cost_by(seeded_any, query):
    with store.open(seeded_any) as log:
        found = log.summary(query, (), by=("agent", "model", "tenant"))
        plain = log.summary(query, ())
        reports = {d: log.cost_by(query, d).to_dict() for d in ("agent", "model", "tenant")}
    assert rounded({d: r.to_dict() for d, r in found.costs.items()}) == rounded(reports)
    shown = found.to_dict()
    assert rounded(shown.pop("costs")) == rounded(reports)
    assert rounded(shown) == rounded(plain.to_dict())
    assert "costs" not in plain.to_dict()
