"""`agentlog alerts`: what needs attention now, with grep's exit codes for cron and CI."""

from __future__ import annotations

import typer

from agentlog.cli.options import ConfigOpt, DbOpt, JsonOpt

COULD_NOT_TELL = 2


def alerts(as_json: JsonOpt = False, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List budgets past a threshold (settings.alerts.budget_thresholds), open circuits,
    error spikes and `running` executions past their deadline. Reads the log, never writes.

    Exit code 0: nothing needs attention; 1: something does; 2: it could not tell (no log,
    an unreadable log or agents file).

    Examples:

      agentlog alerts

      agentlog alerts --json

      agentlog alerts; [ $? -eq 1 ] && notify-send "agentlog: something needs attention"
    """
    from agentlog import store
    from agentlog.cli import context, render
    from agentlog.errors import AgentlogError, one_line
    from agentlog.store import alerts as conditions
    from agentlog.timeutil import utcnow

    try:
        settings = context.full_settings(config)
        log = store.open(store.locate(db, settings.db), readonly=True)
        try:
            found = conditions.attention(log, settings, utcnow())
        finally:
            log.close()
    except AgentlogError as e:
        typer.echo(f"agentlog: error: {one_line(str(e))}", err=True)
        raise typer.Exit(COULD_NOT_TELL) from None
    if as_json:
        render.print_json(found)
    else:
        render.attention_lines(found, settings.timezone)
    if found["any"]:
        raise typer.Exit(1)
