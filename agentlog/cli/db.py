"""`agentlog db`: looking after the log file itself."""

from __future__ import annotations

import typer

from agentlog.cli.lazy import LazyGroup
from agentlog.cli.options import ConfigOpt, DbOpt

app = typer.Typer(cls=LazyGroup, help="Look after the log itself: repair its search index.",
                  rich_markup_mode=None, add_completion=False)


def repair(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Check the search index against the rows, and rebuild it from them if it does not match.

    The rows are never changed. `list --search` and `prune` point here when they find the
    index damaged.

    Examples:

      agentlog db repair
    """
    from agentlog.cli import context

    settings = context.settings(config)
    log = context.log(db, settings.db)
    problem = log.repair()
    if problem is None:
        typer.echo(f"The search index of {log.where} matches its rows; nothing to repair.")
    else:
        typer.echo(f"Rebuilt the search index of {log.where} from its rows (it had: {problem}).")


def register(guarded) -> dict:
    """The group's commands by name (cli/app.py builds each when it is used)."""
    return {"repair": repair}
