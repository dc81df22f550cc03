"""`agentlog report …`: daily summary, cost by agent/model/tenant, agent stats, trend.

Each command turns its flags into a Query, asks its Log for one report and hands
the result to cli/render_report.py (or prints its `to_dict()` with --json).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from agentlog.cli import filters
from agentlog.cli.lazy import LazyGroup
from agentlog.cli.options import ConfigOpt, DbOpt, JsonOpt

app = typer.Typer(cls=LazyGroup,
                  help="Reports over the log: daily summary, cost breakdowns, agent stats, "
                       "trends. Every report takes the filter flags of `list`.\n\nExamples:\n\n"
                       "  agentlog report daily --yesterday\n\n"
                       "  agentlog report cost-by-agent --this-month\n\n"
                       "  agentlog report trend --by week",
                  no_args_is_help=True, rich_markup_mode=None, add_completion=False)

PeriodOpt = Annotated[Optional[str], typer.Option(
    "--period", metavar="PERIOD", show_default=False,
    help="today, yesterday, this-week, this-month, last-7-days, last-30-days or all "
         "(default): a shorthand for the time filters.")]


def _run(where: filters.Values, config: str | None, db: str | None,
         period: str | None = None, agent: str | None = None):
    """The command's Query (with --period) and its log; an unknown agent is an error."""
    from agentlog.cli import agentnames, context

    settings = context.settings(config)
    query = filters.to_query(where, settings)
    if period is not None:
        with filters.as_flags():
            query = query.period(period)
    log = context.reading_log(db, settings.db)
    agentnames.check(log, config, [*agentnames.given(where), *([agent] if agent else [])])
    return query, log


def _emit(report, as_json: bool, render) -> None:
    from agentlog.cli import render as base

    if as_json:
        base.print_json(report.to_dict())
    else:
        render(report)


@filters.options
def daily(
    where: filters.Values,
    day: Annotated[Optional[str], typer.Option(
        "--date", metavar="YYYY-MM-DD", show_default=False,
        help="The local calendar day. Default: today (yesterday with --yesterday).")] = None,
    by_model: Annotated[bool, typer.Option(
        "--by-model", help="Also a table per model that answered (--json always has it).")
    ] = False,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """One day at a glance: executions, success rate, cost, tokens, durations, cache,
    fallbacks, top errors, executions per agent.

    Examples:

      agentlog report daily

      agentlog report daily --date 2026-11-24 --tenant acme --json

      agentlog report daily --yesterday --by-model
    """
    from agentlog.cli import render_report

    query, log = _run(where, config, db)
    with filters.as_flags():
        report = log.daily(query, day)
    _emit(report, as_json, lambda r: render_report.daily(r, by_model))


def _cost_command(dimension: str, what: str):
    @filters.options
    def command(where: filters.Values, period: PeriodOpt = None, as_json: JsonOpt = False,
                config: ConfigOpt = None, db: DbOpt = None) -> None:
        from agentlog.cli import render_report

        query, log = _run(where, config, db, period)
        _emit(log.cost_by(query, dimension), as_json, render_report.costs)

    command.__name__ = f"cost_by_{dimension}"
    command.__doc__ = (
        f"Cost per {what}, most expensive first: executions, tokens, total and average cost, "
        f"share of the total, with a bar.\n\n"
        f"Examples:\n\n  agentlog report cost-by-{dimension} --period this-month\n\n"
        f"  agentlog report cost-by-{dimension} --this-week --tenant acme --json")
    return command


cost_by_agent = _cost_command("agent", "agent")
cost_by_model = _cost_command("model", "model that answered (the chosen model)")
cost_by_tenant = _cost_command("tenant", "tenant")


@filters.options
def stats(
    where: filters.Values,
    name: Annotated[str, typer.Argument(metavar="AGENT", help="The agent's name.",
                                        show_default=False)],
    period: PeriodOpt = None,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """One agent: success, error and timeout rates, cost, tokens, duration (avg, p50, p95,
    p99), time to first token, cache, fallback and retry rates, top errors, models; and
    the same per agent version when the agent changed within the period.

    Examples:

      agentlog report stats summarize --period last-7-days

      agentlog report stats summarize --tenant acme --json
    """
    from agentlog.cli import render_report

    query, log = _run(where, config, db, period, agent=name)
    _emit(log.stats(query, name), as_json, render_report.stats)


@filters.options
def trend(
    where: filters.Values,
    days: Annotated[Optional[int], typer.Option(
        "--days", metavar="N", show_default=False,
        help="How many days back, today included. Default: the time filter's range "
             "(--this-month, --since, …), else 7 days (2 with --by hour, 12 weeks or "
             "12 months with --by week or month).")] = None,
    by: Annotated[str, typer.Option(
        "--by", metavar="day|hour|week|month",
        help="One row per local day, clock hour, week (from Monday) or month.")] = "day",
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Executions, failures, cost and average duration per day (or hour, week, month),
    oldest first, zero-filled, with bars of executions and cost. The rows cover the time
    filter's range when there is one.

    Examples:

      agentlog report trend --agent summarize --days 30

      agentlog report trend --this-month

      agentlog report trend --by week
    """
    from agentlog.cli import render_report

    query, log = _run(where, config, db)
    _emit(log.trend(query, days, by), as_json, render_report.trend)


def register(guarded) -> dict:
    """The group's commands by name (cli/app.py builds each when it is used)."""
    return {"daily": daily, "cost-by-agent": cost_by_agent, "cost-by-model": cost_by_model,
            "cost-by-tenant": cost_by_tenant, "stats": stats, "trend": trend}
