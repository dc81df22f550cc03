"""The filter flags of every reading command, as typer options.

What a filter means lives in store/filters.py (the Query methods), its flag and method in
store/flags.py (shared with the dashboard, which names its query parameters the same way);
this module makes them typer options. A command gets every flag with one decorator and
turns the parsed values into a Query with one call:

    from agentlog.cli import context, filters
    from agentlog.cli.options import ConfigOpt, DbOpt

    @filters.options
    def cost_by_agent(where: filters.Values, config: ConfigOpt = None, db: DbOpt = None):
        settings = context.settings(config)
        query = filters.to_query(where, settings)      # a store Query: what to select
        rows = context.reading_log(db, settings.db).cost_by(query, "agent")

The decorator removes the `where` parameter from what typer sees, adds one option per flag
(in the "Filters" help panel) and hands the command their values as `where`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Optional

import typer

from agentlog.store.flags import FLAGS, Flag, Values, as_flags, flag_names, to_query

__all__ = ["FLAGS", "Values", "as_flags", "flag_names", "given", "options", "to_query"]
PANEL = "Filters"


def options(command: Callable | None = None, *, without: tuple[str, ...] = ()):
    """Give a typer command every filter flag but those named in `without` (a filter that
    cannot apply to it); it receives their values as `where`. `@options` or
    `@options(without=(...))`."""
    if command is None:
        return functools.partial(options, without=without)
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "where"]
    clash = {p.name for p in own} & {f.name for f in FLAGS}
    if "where" not in signature.parameters or clash:
        raise TypeError(f"{command.__name__} needs a `where` parameter and no parameter "
                        f"named like a filter ({', '.join(sorted(clash))})")

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        where = {f.name: kwargs.pop(f.name, None) for f in FLAGS if f.name not in without}
        return command(*args, where=where, **kwargs)

    offered = [p for p in _parameters() if p.name not in without]
    wrapper.__signature__ = signature.replace(parameters=[*own, *offered])
    return wrapper


def _parameter(flag: Flag) -> inspect.Parameter:
    kinds = {"switch": (bool, False), "value": (Optional[str], None),
             "many": (Optional[list[str]], None), "meta": (Optional[list[str]], None)}
    annotation, default = kinds[flag.kind]
    option = typer.Option(flag.decl, help=flag.help, metavar=flag.metavar,
                          rich_help_panel=PANEL, show_default=False)
    return inspect.Parameter(flag.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, option])


@functools.cache
def _parameters() -> tuple[inspect.Parameter, ...]:
    """The filter options, built once for every command (typer copies them before use):
    building them costs ~8 ms a command, paid at start-up by every command."""
    return tuple(_parameter(f) for f in FLAGS)


def given(where: Values) -> bool:
    """Whether any filter was given (for messages like "no executions match")."""
    return any(v not in (None, False, [], ()) for v in where.values())
