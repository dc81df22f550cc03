"""`agentlog breakers`: which models are being skipped, and closing their circuits."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from agentlog.cli.lazy import LazyGroup
from agentlog.cli.options import ConfigOpt, DbOpt, JsonOpt

app = typer.Typer(cls=LazyGroup, help="Show circuit breakers, or reset them.\n\nExamples:\n\n"
                       "  agentlog breakers --json\n\n  agentlog breakers reset summarize",
                  rich_markup_mode=None, add_completion=False)


def breakers(ctx: typer.Context, as_json: JsonOpt = False, config: ConfigOpt = None,
             db: DbOpt = None) -> None:
    """Show the circuit breaker of every (agent, model) that failed recently.

    A model whose circuit is open is skipped until it reopens; then one trial call decides
    (half-open).

    Examples:

      agentlog breakers

      agentlog breakers reset summarize
    """
    if ctx.invoked_subcommand is not None:
        return
    from agentlog.cli import context, render
    settings = context.settings(config)
    rows = context.reading_log(db, settings.db).breaker_states()
    if as_json:
        render.print_json(rows)
    else:
        render.breakers_table(rows, settings.timezone)


def reset(
    agent: Annotated[Optional[str], typer.Argument(
        metavar="AGENT", show_default=False, help="Only this agent. Default: all.")]
        = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Close circuits and forget their recent failures.

    Examples:

      agentlog breakers reset summarize

      agentlog breakers reset
    """
    from agentlog.cli import context
    settings = context.settings(config)
    closed = context.log(db, settings.db, create=False).reset_breakers(agent)
    scope = f" of agent '{agent}'" if agent else ""
    if closed:
        typer.echo(f"closed {closed} circuit(s){scope}")
    else:
        typer.echo(f"No open or failing circuit{scope}.")


def register(guarded) -> dict:
    """Guard the group's own callback; its commands by name (cli/app.py builds each when it
    is used)."""
    app.callback(invoke_without_command=True)(guarded(breakers))
    return {"reset": reset}
