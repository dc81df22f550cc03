"""`agentlog list` and `agentlog show`: reading executions back."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from agentlog.cli import filters
from agentlog.cli.options import ConfigOpt, DbOpt, JsonOpt


@filters.options
def list_executions(
    where: filters.Values,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="How many rows.")] = 20,
    show_all: Annotated[bool, typer.Option("--all", help="Every matching row.")] = False,
    sort: Annotated[Optional[str], typer.Option(
        "--sort", metavar="FIELD", show_default=False,
        help="Largest/newest first by FIELD: id, time, agent, model, status, tokens, cost, "
             "duration, tenant, batch, version, error, or any column of the log (the names of "
             "--columns). Default: newest first (best match first with --search).")] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    columns: Annotated[Optional[str], typer.Option(
        "--columns", metavar="A,B,…", show_default=False,
        help="Table columns, in order: id, time, agent, model, status, tokens, cost, "
             "duration, flags, tenant, batch, version, error, or any column of the log "
             "(total_cost, provider, …: the names of export --columns and --sort).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Full records as a JSON array.")]
        = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="Full records, one per line.")]
        = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """List executions, newest first, with the count and total cost of every match.

    Flags in the table: F fallback, C cache hit, S streaming, T tool calls; a model marked *
    is a fallback that answered instead of the configured one.

    Examples:

      agentlog list --failed --today

      agentlog list --this-week --tenant acme --expensive 0.5 --sort cost

      agentlog list --search "rate limit" --agent summarize --json
    """
    from agentlog.cli import agentnames, context, render, render_list
    from agentlog.errors import QueryError

    settings = context.settings(config)
    query = filters.to_query(where, settings)
    log = context.reading_log(db, settings.db)
    agentnames.check(log, config, agentnames.given(where))
    if sort:
        query.order_by(sort)  # an unknown field is named as typed, not as `-field`
        query = query.order_by("-" + sort)
    if reverse:
        query = query.reverse()
    query = query.limit(None if show_all else limit)
    if as_json or as_jsonl:
        if as_json and as_jsonl:
            raise QueryError("choose one of --json and --jsonl")
        if columns is not None:
            raise QueryError("--columns shapes the table; --json and --jsonl print full records")
        render.print_records(log.fetch_plain(query), lines=as_jsonl)
        return
    names = render_list.parse_columns(columns)
    records = list(log.fetch(query))
    if query.max_rows is not None and len(records) == query.max_rows:  # more may match
        total = log.count_upto(query, render_list.FOOTER_CAP)
    else:  # every match is on screen: no second pass over the log
        costs = [r.total_cost for r in records if r.total_cost is not None]
        total = (len(records), sum(costs) if costs else None)
    from agentlog.timeutil import get_zone

    render_list.executions_table(records, names, get_zone(settings.timezone), total,
                                 filtered=filters.given(where))


def show(
    execution: Annotated[str, typer.Argument(
        metavar="ID", help="Execution id, or 'last' for the newest.")],
    as_json: JsonOpt = False,
    response: Annotated[bool, typer.Option(
        "--response", help="Print only the answer, as it was logged (for pipes).")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Show one execution: header, usage and cost, attempts, fallback, tool calls, parameters,
    metadata, prompts and response.

    Examples:

      agentlog show 42

      agentlog show last --json

      agentlog show last --response | jq .
    """
    from agentlog.cli import context, render
    from agentlog.errors import NotFoundError, QueryError

    settings = context.settings(config)
    if execution != "last" and not (execution.isascii() and execution.isdigit()):
        raise QueryError(f"execution id must be a number or 'last', got '{execution}'")
    log = context.reading_log(db, settings.db)
    if execution == "last":
        record = log.latest()
        if record is None:
            raise NotFoundError("the log holds no executions yet")
    else:
        record = log.get(int(execution))
        if record is None:
            raise NotFoundError(f"no execution with id {execution}")
    if response:
        if as_json:
            raise QueryError("choose one of --json and --response")
        if record.response is None:
            raise NotFoundError(f"execution {record.id} has no logged response "
                                f"(status {record.status})")
        render.print_answer(record.response)
    elif as_json:
        render.print_json(record.to_dict())
    else:
        from agentlog.cli import render_show

        render_show.execution_detail(record, settings.timezone)
