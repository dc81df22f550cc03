"""`agentlog path`: where the log is."""

from __future__ import annotations

from agentlog.cli.options import ConfigOpt, DbOpt


def path(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Print where the log is (--db, $AGENTLOG_DB, settings.db, else the user data dir); a
    PostgreSQL URL without its password. Nothing is opened or created.

    Examples:

      agentlog path

      du -h "$(agentlog path)"
    """
    import typer

    from agentlog import store
    from agentlog.cli import context

    where = store.locate(db, context.settings(config).db)
    typer.echo(store.display(where))
