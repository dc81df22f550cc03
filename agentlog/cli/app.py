"""The typer application and its error boundary."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated

import typer

from agentlog import __version__
from agentlog.cli import context
from agentlog.errors import AgentlogError

_state = {"debug": False}


def guarded(fn: Callable) -> Callable:
    """The error boundary of a command: an AgentlogError becomes one line on stderr and its
    exit code, any other exception a one-line internal error; --debug shows the traceback.
    Connections the command opened are closed when it ends."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AgentlogError as e:
            if _state["debug"]:
                raise
            typer.echo(f"agentlog: error: {e}", err=True)
            raise typer.Exit(e.exit_code) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            typer.echo("agentlog: interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as e:
            if _state["debug"]:
                raise
            typer.echo(f"agentlog: internal error: {type(e).__name__}: {e} "
                       "(run with --debug for the traceback)", err=True)
            raise typer.Exit(1) from None
        finally:
            context.close_all()

    return wrapper


app = typer.Typer(
    name="agentlog",
    help="Run LLM agents declared in YAML and keep a queryable SQLite log of every execution.\n\n"
         "Examples:\n\n"
         "  agentlog run hello -c agents.yaml.example\n\n"
         "  agentlog list --failed --today\n\n"
         "  agentlog show last",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: typer's rich help imports markdown-it and rich's traceback machinery,
    # 200 ms on every --help (every sub-app sets the same).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"agentlog {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    _state["debug"] = debug


from agentlog.cli import (  # noqa: E402  (commands register themselves)
    agents,
    breakers,
    budgets,
    export,
    listing,
    prune,
    report,
    run,
)

agents.register(guarded)
app.add_typer(agents.app, name="agents")
report.register(guarded)
app.add_typer(report.app, name="report")
app.command("run")(guarded(run.run))
app.command("list")(guarded(listing.list_executions))
app.command("show")(guarded(listing.show))
app.command("export")(guarded(export.export))
app.command("prune")(guarded(prune.prune))
breakers.register(guarded)
app.add_typer(breakers.app, name="breakers")
app.command("budgets")(guarded(budgets.budgets))


def main() -> None:
    try:
        app(prog_name="agentlog")
    except KeyboardInterrupt:
        sys.exit(130)
