"""The pages and their JSON twins: each builder turns a request into plain data (what
`/api/…` returns as it is); its template renders the same data as HTML."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from agentlog.errors import NotFoundError, QueryError
from agentlog.web import params

LIST_PARAMS = ("sort", "after", "n", "newest", "running")
PAGE_SIZE, MOST = 50, 500
FOOTER_CAP = 10_000  # as `agentlog list`: past it, the footer says "more than"
TOPS = ("agent", "model", "tenant")  # the overview's tops by cost


@cache
def _env():
    import jinja2

    from agentlog.web import charts, fmt

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(fmt.HERE / "templates"),
                             autoescape=True, undefined=jinja2.ChainableUndefined)
    env.globals.update(bars=charts.bars, lines=charts.lines, **fmt.FILTERS)
    env.filters.update(fmt.FILTERS)
    return env


def render(request: Request, template: str, data: dict, status: int = 200) -> HTMLResponse:
    from agentlog.timeutil import get_zone
    from agentlog.web import fmt

    # The zone is looked up once per page, not once per time shown: finding the system's
    # reads /etc/localtime.
    html = _env().get_template(template).render(
        data=data, path=request.url.path, query=request.query_params,
        link=fmt.linker(request), zone=get_zone(request.app.state.settings.timezone))
    return HTMLResponse(html, status)


def _json(data) -> Response:
    return Response(json.dumps(data, default=str, ensure_ascii=False),
                    media_type="application/json")


def twin(path: str, build: Callable[[Request], dict], template: str) -> list[Route]:
    """The page at `path` and its JSON twin at `/api/path` (`/api/overview` for `/`)."""
    api = "/api" + (path if path != "/" else "/overview")
    return [Route(path, lambda r: render(r, template, build(r)), name=template[:-5]),
            Route(api, lambda r: _json(build(r)))]


def _state(request: Request):
    state = request.app.state
    return state.log, state.settings


# --- overview ------------------------------------------------------------------------------
def overview(request: Request) -> dict:
    from agentlog.store.query import Query
    from agentlog.web import overview as parts

    log, settings = _state(request)
    name, query, previous, days = params.period(request.query_params, settings)
    # The tops (and the chart's top agents) come with the period's totals: one read
    # grouped by agent, model and tenant gives all three.
    found = log.summary(query, (), by=TOPS)
    then = log.summary(previous, ()).to_dict()
    now_p, then_p = parts.durations(log, query, days), parts.durations(log, previous, days)
    now = found.to_dict()
    del now["costs"]  # shown as the tops
    return {"period": name, "since": query.after, "until": query.before,
            "kpis": parts.kpis(now, then, now_p, then_p), "summary": now, "durations": now_p,
            "attention": parts.attention(log, request.app.state.full_settings()),
            "charts": parts.charts(log, query, days, found.costs["agent"]),
            "top": {dim: found.costs[dim].to_dict()["rows"][:5] for dim in TOPS},
            "latest": [e.to_dict() for e in log.fetch(Query().limit(10))]}


def latest_rows(request: Request) -> HTMLResponse:
    from agentlog.store.query import Query
    from agentlog.store.records import LISTED

    log, _ = _state(request)
    latest = log.fetch(Query().limit(10), LISTED)
    return render(request, "_rows.html", {"rows": [e.to_dict() for e in latest]})


# --- executions ----------------------------------------------------------------------------
def _selection(request: Request):
    log, settings = _state(request)
    query = params.query(request.query_params, settings, LIST_PARAMS)
    sort = request.query_params.get("sort") or "-id"
    tie = "-id" if sort.startswith("-") else "id"  # one direction: the cost index serves it
    keys = (sort,) if sort.lstrip("-") in ("id",) else (sort, tie)
    return log, query, query.order_by(*keys)


def _page(request: Request, columns: tuple[str, ...] | None = None) -> dict:
    """One page of the selection in its order; `columns`: read only those (HTML rows)."""
    log, matching, ordered = _selection(request)
    size = params.positive(request.query_params, "n", PAGE_SIZE, MOST)
    after = request.query_params.get("after")
    page = ordered
    if after:
        last = log.get(int(after)) if after.isascii() and after.isdigit() else None
        if last is None:
            raise QueryError(f"after: no execution with id '{after}'")
        page = ordered.seek(last)
    rows = [e.to_dict() for e in log.fetch(page.limit(size + 1), columns)]
    return {"rows": rows[:size], "next": rows[size - 1]["id"] if len(rows) > size else None,
            "sort": request.query_params.get("sort") or "-id", "size": size}


def executions(request: Request) -> dict:
    from agentlog.store.records import LISTED

    log, matching, _ = _selection(request)
    count, cost = log.count_upto(matching, FOOTER_CAP)
    return {**_page(request, LISTED), "choices": _choices(request),
            "total": {"executions": count, "total_cost": cost, "more": count > FOOTER_CAP,
                      "cap": FOOTER_CAP}}


def _choices(request: Request) -> dict[str, list[dict]]:
    """The values the multi-select filters offer, each with whether it is chosen: the
    statuses; the agents and models that ran in the last 30 days (by cost, from the daily
    totals) and any chosen value besides."""
    from agentlog.store.filters import STATUSES

    log, settings = _state(request)
    recent = params.query({}, settings).last_30_days()
    out = {}
    for name, values in (("agent", None), ("model", None), ("status", STATUSES)):
        chosen = [part for v in request.query_params.getlist(name) for part in v.split(",")
                  if part]
        if values is None:
            values = [r[name] for r in log.cost_by(recent, name).to_dict()["rows"]
                      if r[name] is not None]
        out[name] = [{"value": v, "chosen": v in chosen}
                     for v in [*values, *(c for c in chosen if c not in values)]]
    return out


def execution_records(request: Request) -> Response:
    """`/api/executions`: the records of `agentlog list --json` for the same filters."""
    return _json(_page(request)["rows"])


def rows_partial(request: Request) -> HTMLResponse:
    """The list's rows again; with `newest` (a list in the default order, newest first,
    whose script merges what comes back) only what changed: see _changed()."""
    from agentlog.store.records import LISTED

    if "newest" not in request.query_params:
        return render(request, "_rows.html", {"rows": _page(request, LISTED)["rows"]})
    return render(request, "_rows.html", {"rows": _changed(request), "merging": True})


def _changed(request: Request) -> list[dict]:
    """The matching rows newer than `newest` (the newest row shown), and the rows shown as
    still running (`running`, comma-separated ids) as they are now: a poll reads a few
    rows instead of a page of them."""
    from agentlog.store.conditions import AtLeast, OneOf
    from agentlog.store.query import Query
    from agentlog.store.records import LISTED

    log, matching, _ = _selection(request)
    given = request.query_params
    newest = params.positive(given, "newest", 0, 2 ** 62) if given["newest"] != "0" else 0
    running = [part for part in given.get("running", "").split(",") if part]
    if len(running) > MOST or not all(p.isascii() and p.isdigit() for p in running):
        raise QueryError(f"running: up to {MOST} execution ids, comma-separated")
    size = params.positive(given, "n", PAGE_SIZE, MOST)
    fresh = matching.where(AtLeast("id", newest + 1)).order_by("-id").limit(size)
    rows = [e.to_dict() for e in log.fetch(fresh, LISTED)]
    if running:
        ended = Query().where(OneOf(("id",), tuple(map(int, running)))).order_by("-id")
        rows += [e.to_dict() for e in log.fetch(ended, LISTED)]
    return rows


def detail(request: Request) -> dict:
    log, _ = _state(request)
    found = log.get(request.path_params["id"])
    if found is None:
        raise NotFoundError(f"no execution with id {request.path_params['id']}")
    record = found.to_dict()
    try:
        parsed = json.loads(record["response"]) if record["response"] else None
    except ValueError:
        parsed = None
    return {"e": record, "parsed": parsed if isinstance(parsed, (dict, list)) else None}


def export(request: Request) -> Response:
    from agentlog.web import download

    log, _, ordered = _selection(request)
    fmt = request.path_params["fmt"]
    return download.stream(log, ordered, fmt)


# --- agents, reports, budgets, breakers ----------------------------------------------------
def agents(request: Request) -> dict:
    log, settings = _state(request)
    name, query, _, _ = params.period(request.query_params, settings)
    return {"period": name, "since": query.after, "until": query.before,
            "agents": log.cost_by(query, "agent").to_dict()["rows"]}


def agent(request: Request) -> dict:
    from agentlog.store.query import Query

    log, settings = _state(request)
    name = request.path_params["name"]
    period, query, _, days = params.period(request.query_params, settings)
    if next(log.fetch(Query().by_agent(name).limit(1)), None) is None:
        raise NotFoundError(f"no executions of agent '{name}'")
    return {"period": period, "name": name, "stats": log.stats(query, name).to_dict(),
            "trend": log.trend(query.by_agent(name), days).to_dict()["rows"]}


def reports(request: Request) -> dict:
    log, settings = _state(request)
    query = params.query(request.query_params, settings, ("days",))
    days = params.positive(request.query_params, "days", 7, 366)
    return {"daily": log.daily(query).to_dict(),
            "cost": {dim: log.cost_by(query, dim).to_dict() for dim in ("agent", "model",
                                                                         "tenant")},
            "trend": log.trend(query, days).to_dict(), "days": days}


def budgets(request: Request) -> dict:
    from agentlog.timeutil import utcnow
    from agentlog.web import fmt

    log, _ = _state(request)
    now = utcnow()
    settings = request.app.state.full_settings()
    rows = log.budget_status(settings, now)
    for row in rows:
        row["projected"] = fmt.projected(row, now, settings.timezone)
    return {"budgets": rows}


def breakers(request: Request) -> dict:
    log, _ = _state(request)
    return {"breakers": log.breaker_states()}


def routes() -> list[Route]:
    return [*twin("/", overview, "overview.html"),
            Route("/live/latest", latest_rows),
            *twin("/executions", executions, "executions.html")[:1],
            Route("/api/executions", execution_records),
            Route("/live/rows", rows_partial),
            Route("/export/{fmt}", export),
            *twin("/executions/{id:int}", detail, "execution.html"),
            *twin("/agents", agents, "agents.html"),
            *twin("/agents/{name}", agent, "agent.html"),
            *twin("/reports", reports, "reports.html"),
            *twin("/budgets", budgets, "budgets.html"),
            *twin("/breakers", breakers, "breakers.html")]
