"""`agentlog ui`: the local web dashboard (agentlog/web/), served until Ctrl-C."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from agentlog.cli.options import ConfigOpt, DbOpt

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def ui(
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8765,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on. Any but loopback needs --token.")] = "127.0.0.1",
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser.")] = False,
    token: Annotated[Optional[str], typer.Option(
        "--token", envvar="AGENTLOG_UI_TOKEN", show_default=False,
        help="Required on every request ($AGENTLOG_UI_TOKEN): Authorization: Bearer, or "
             "?token= once in a browser (then a cookie).")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Serve the dashboard (overview, executions, agents, reports, budgets, breakers) on
    http://127.0.0.1:8765 until Ctrl-C. It only reads the log.

    Examples:

      agentlog ui

      agentlog ui --host 0.0.0.0 --token "$(openssl rand -hex 16)" --no-open
    """
    from agentlog.cli import context
    from agentlog.errors import ConfigError

    if host not in LOOPBACK and not token:
        raise ConfigError(f"--host {host} is reachable from other machines: give --token "
                          "TOKEN (or AGENTLOG_UI_TOKEN)")
    settings = context.settings(config)
    log = context.readonly_log(db, settings.db)

    from agentlog.web import app, serve

    dashboard = app.create(log, settings, lambda: context.full_settings(config), token)
    serve.run(dashboard, host, port, open_browser=not no_open, token=token)
