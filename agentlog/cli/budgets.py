"""`agentlog budgets`: each budget of settings.budgets, what was spent and what remains."""

from __future__ import annotations

from agentlog.cli.options import ConfigOpt, DbOpt, JsonOpt


def budgets(as_json: JsonOpt = False, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Show each budget with its spend and remaining amount in the current day or month
    (in settings.timezone).

    Examples:

      agentlog budgets

      agentlog budgets --json
    """
    from agentlog.cli import context, render
    from agentlog.timeutil import utcnow

    settings = context.full_settings(config)
    rows = context.reading_log(db, settings.db).budget_status(settings, utcnow())
    if as_json:
        render.print_json(rows)
    else:
        render.budgets_table(rows)
