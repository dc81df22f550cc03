"""`agentlog db`: whole logs: copy one into another (SQLite files, PostgreSQL URLs), repair
the search index."""

from __future__ import annotations

from typing import Annotated

import typer

from agentlog.cli.lazy import LazyGroup
from agentlog.cli.options import ConfigOpt, DbOpt

app = typer.Typer(cls=LazyGroup,
                  help="Whole logs: copy one into another (SQLite ↔ PostgreSQL), repair the "
                       "search index, upgrade the schema.\n\nExamples:\n\n"
                       "  agentlog db copy log.db postgresql://host/agentlog\n\n"
                       "  agentlog db upgrade",
                  rich_markup_mode=None, add_completion=False)


def db() -> None:
    """Commands on whole logs."""


def copy(
    source: Annotated[str, typer.Argument(
        metavar="SOURCE", help="The log to read: a path or postgresql:// URL.")],
    target: Annotated[str, typer.Argument(
        metavar="TARGET", help="The log to fill: empty, or an earlier copy.")],
) -> None:
    """Copy every execution (keeping its id), the response cache and the circuit breakers.

    Resumable: re-running copies only what the target lacks. Ends by comparing the
    executions and cost of each UTC day on both sides.

    Examples:

      agentlog db copy ~/.local/share/agentlog/agentlog.db postgresql://host/agentlog

      agentlog db copy postgresql://host/agentlog laptop.db
    """
    from agentlog.cli import context, outputs, progress
    from agentlog.errors import ConfigError
    from agentlog.store import copy as copying
    from agentlog.store.query import Query

    which = None if "://" in target else outputs.log_file(target, source)
    if which is not None:  # the same file under another name: refused before either opens
        raise ConfigError(f"cannot copy {source} into itself ({target} is {which})")
    source_log = context.reading_log(source, None)
    target_log = context.log(target, None)
    if source_log.where == target_log.where:
        raise ConfigError(f"cannot copy {source_log.where} into itself")
    with progress.bar(lambda: source_log.count(Query()), "db copy", "executions") as advance:
        done = copying.copy(source_log, target_log, advance,
                            lambda note: typer.echo(note, err=True))
    typer.echo(f"Copied {done.executions:,} executions ({done.present:,} were there already), "
               f"{done.cache:,} cache entries, {done.breakers:,} breakers "
               f"from {source_log.where} to {target_log.where}.")
    if done.mismatched:
        typer.echo(f"agentlog: error: the logs differ on {len(done.mismatched)} day(s): "
                   f"{', '.join(done.mismatched[:5])}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Both logs hold the same executions and cost on each of {len(done.days)} days.")


def repair(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Check the search index against the rows, and rebuild it from them if it does not match.

    The rows are never changed. `list --search` and `prune` point here when they find the
    index damaged.

    Examples:

      agentlog db repair
    """
    from agentlog.cli import context

    settings = context.settings(config)
    log = context.log(db, settings.db, create=False)
    problem = log.repair()
    if problem is None:
        typer.echo(f"The search index of {log.where} matches its rows; nothing to repair.")
    else:
        typer.echo(f"Rebuilt the search index of {log.where} from its rows (it had: {problem}).")


def upgrade(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Bring an existing log's schema up to this agentlog's (reading commands never migrate a
    PostgreSQL log; writing commands upgrade any log they open).

    After installing a newer agentlog, run it at a time of your choosing: on a large SQLite
    log some upgrades rebuild indexes over every execution (minutes, once), which the first
    command to open the log would otherwise do.

    Examples:

      agentlog db upgrade --db postgresql://host/agentlog
    """
    from agentlog.cli import context

    settings = context.settings(config)
    log = context.log(db, settings.db, create=False)
    typer.echo(f"{log.where} is up to date.")


def register(guarded) -> dict:
    """The group's commands by name (cli/app.py builds each when it is used)."""
    app.callback()(guarded(db))
    return {"copy": copy, "repair": repair, "upgrade": upgrade}
