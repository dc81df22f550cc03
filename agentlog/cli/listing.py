"""`agentlog list` and `agentlog show`: reading executions back."""

from __future__ import annotations

from typing import Annotated

import typer

from agentlog.cli.options import ConfigOpt, DbOpt, JsonOpt


def list_executions(
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="How many rows.")] = 20,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """List the latest executions, newest first.

    Examples:

      agentlog list -n 50

      agentlog list --json
    """
    from agentlog.cli import context, render
    from agentlog.store.query import Query

    settings = context.settings(config)
    conn = context.connect(db, settings.db)
    rows = list(Query().limit(limit).fetch(conn))
    if as_json:
        render.print_json([r.to_dict() for r in rows])
    else:
        render.executions_table(rows, settings.timezone)


def show(
    execution: Annotated[str, typer.Argument(help="Execution id, or 'last' for the newest.")],
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Show one execution with every field.

    Examples:

      agentlog show 42

      agentlog show last --json
    """
    from agentlog.cli import context, render
    from agentlog.errors import NotFoundError, QueryError
    from agentlog.store import query

    settings = context.settings(config)
    conn = context.connect(db, settings.db)
    if execution == "last":
        record = query.latest(conn)
        if record is None:
            raise NotFoundError("the log holds no executions yet")
    else:
        if not execution.isdigit():
            raise QueryError(f"execution id must be a number or 'last', got '{execution}'")
        record = query.get(conn, int(execution))
        if record is None:
            raise NotFoundError(f"no execution with id {execution}")
    if as_json:
        render.print_json(record.to_dict())
    else:
        render.execution_detail(record, settings.timezone)
