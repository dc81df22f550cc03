"""The typer application and its error boundary."""

from __future__ import annotations

import functools
import gc
import importlib
import inspect
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from agentlog import __version__
from agentlog.cli import context
from agentlog.cli.lazy import LazyGroup
from agentlog.cli.pipes import reader_left
from agentlog.errors import AgentlogError, one_line

try:  # typer 0.28 carries its own copy of click, whose exceptions it exposes nowhere else
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors

_state = {"debug": False}


def guarded(fn: Callable) -> Callable:
    """The error boundary of a command: an AgentlogError becomes one line on stderr and its
    exit code, any other exception a one-line internal error; --debug shows the traceback.
    The logs the command opened are closed when it ends."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            sys.stdout.flush()  # a closed pipe shows here, inside the boundary
            return result
        except BrokenPipeError:
            reader_left()
            raise typer.Exit(0) from None
        except AgentlogError as e:
            if _state["debug"]:
                raise
            typer.echo(f"agentlog: error: {one_line(str(e))}", err=True)
            raise typer.Exit(e.exit_code) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            typer.echo("agentlog: interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as e:
            if _state["debug"]:
                raise
            typer.echo(f"agentlog: internal error: {type(e).__name__}: {one_line(str(e))} "
                       "(run with --debug for the traceback)", err=True)
            raise typer.Exit(1) from None
        finally:
            context.close_all()

    return wrapper


def _is_utf8(text: str) -> bool:
    """False for an argument whose bytes were not UTF-8 (Python holds them as surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _OneLineErrors(TyperGroup):
    """Usage errors (an unknown option, a value of the wrong type, a missing argument) as one
    line on stderr, like every other error, instead of click's usage box."""

    def main(self, args=None, *rest, standalone_mode: bool = True, **kwargs):
        args = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(args, *rest, standalone_mode=False, **kwargs)
        for arg in args:
            if not _is_utf8(arg):
                typer.echo(f"agentlog: error: argument '{one_line(arg)}' is not UTF-8 text",
                           err=True)
                sys.exit(2)
        try:
            code = super().main(args, *rest, standalone_mode=False, **kwargs)
        except getattr(click_errors, "NoArgsIsHelpError", ()) as e:
            e.show()  # bare `agentlog`: the help text
            sys.exit(e.exit_code)
        except click_errors.ClickException as e:
            hint = f" (see '{e.ctx.command_path} --help')" if getattr(e, "ctx", None) else ""
            typer.echo(f"agentlog: error: {one_line(e.format_message())}{hint}", err=True)
            sys.exit(e.exit_code)
        except typer.Abort:
            typer.echo("agentlog: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


# name → (module of agentlog.cli, its function; None: the module's own group of commands).
COMMANDS = {
    "init": ("init", "init"),
    "run": ("run", "run"),
    "list": ("listing", "list_executions"),
    "show": ("listing", "show"),
    "report": ("report", None),
    "export": ("exports", None),
    "prune": ("prune", "prune"),
    "agents": ("agents", None),
    "breakers": ("breakers", None),
    "budgets": ("budgets", "budgets"),
    "alerts": ("alerts", "alerts"),
    "db": ("db", None),
    "ui": ("ui", "ui"),
    "path": ("path", "path"),
}


def _one(name: str, function: Callable) -> TyperCommand:
    """The command of one guarded function, as typer builds it."""
    single = typer.Typer(rich_markup_mode=None, add_completion=False)
    single.command(name)(guarded(function))
    return typer.main.get_command(single)


@functools.cache
def command(name: str) -> TyperCommand | TyperGroup:
    module_name, function = COMMANDS[name]
    module = importlib.import_module(f"agentlog.cli.{module_name}")
    if function is not None:
        return _one(name, getattr(module, function))
    commands = module.register(guarded)  # the group's own callback; its commands, unbuilt
    group = typer.main.get_group(module.app)
    group.lazy = {sub: functools.partial(_one, sub, fn) for sub, fn in commands.items()}
    group.summary = lambda sub: inspect.getdoc(commands[sub]) or ""
    group.name = name
    return group


def _summary(name: str) -> str:
    """The help text of a command, read without building it."""
    module_name, function = COMMANDS[name]
    module = importlib.import_module(f"agentlog.cli.{module_name}")
    if function is None:
        return module.app.info.help or ""
    return inspect.getdoc(getattr(module, function)) or ""


class _Commands(_OneLineErrors, LazyGroup):
    """agentlog's own commands: COMMANDS."""

    lazy = {name: functools.partial(command, name) for name in COMMANDS}
    summary = staticmethod(_summary)


app = typer.Typer(
    cls=_Commands,
    name="agentlog",
    help="Run LLM agents declared in YAML and keep a queryable SQLite log of every execution.\n\n"
         "Examples:\n\n"
         "  agentlog init && agentlog run hello\n\n"
         "  agentlog list --failed --today\n\n"
         "  agentlog show last",
    no_args_is_help=True,
    add_completion=True,
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


def main() -> None:
    try:
        app(prog_name="agentlog")
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # help or a usage error written to a closed pipe
        reader_left()
        sys.exit(0)
    finally:
        # The collector would walk litellm's objects once more at exit (about a second of
        # CPU for every `run`); frozen objects are skipped, atexit handlers still run.
        gc.freeze()
