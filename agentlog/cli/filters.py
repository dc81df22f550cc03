"""The filter flags of every reading command, defined once.

What a filter means lives in store/filters.py (the Query methods); this module only spells
each one as a flag, maps it to its method, and translates the library's errors, which name
the methods (`today()`), into flag names (`--today`). A command gets every flag with one decorator
and turns the parsed values into a Query with one call:

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

import contextlib
import functools
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Optional

import typer

Values = dict[str, Any]
PANEL = "Filters"


@dataclass(frozen=True)
class Flag:
    name: str  # the command's keyword; also the key in Values
    decl: str  # "--today"
    kind: str  # switch | value | many | meta
    method: str  # the Query method it calls
    help: str
    metavar: str | None = None

    def parameter(self) -> inspect.Parameter:
        kinds = {"switch": (bool, False), "value": (Optional[str], None),
                 "many": (Optional[list[str]], None), "meta": (Optional[list[str]], None)}
        annotation, default = kinds[self.kind]
        option = typer.Option(self.decl, help=self.help, metavar=self.metavar,
                              rich_help_panel=PANEL, show_default=False)
        return inspect.Parameter(self.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                 annotation=Annotated[annotation, option])

    def apply(self, query, value):
        method = getattr(query, self.method)
        if self.kind == "switch":
            return method() if value else query
        if self.kind == "value":
            return query if value is None else method(value)
        if self.kind == "many":
            names = [part for v in value or () for part in v.split(",") if part]
            return method(*names) if names else query
        from agentlog.store.filters import meta_value

        for item in value or ():  # meta: key=value compares, a bare key must be present
            key, sep, raw = item.partition("=")
            query = getattr(query, self.method)(key, meta_value(raw)) if sep \
                else query.has_meta(key)
        return query


FLAGS: tuple[Flag, ...] = (
    Flag("today", "--today", "switch", "today", "Executions of today (settings.timezone)."),
    Flag("yesterday", "--yesterday", "switch", "yesterday", "Executions of yesterday."),
    Flag("this_week", "--this-week", "switch", "this_week", "Since Monday 00:00."),
    Flag("this_month", "--this-month", "switch", "this_month", "Since the 1st of the month."),
    Flag("last_7_days", "--last-7-days", "switch", "last_7_days",
         "Today and the 6 days before."),
    Flag("last_30_days", "--last-30-days", "switch", "last_30_days",
         "Today and the 29 days before."),
    Flag("since", "--since", "value", "since",
         "From WHEN on (inclusive): 2026-11-01, 2026-11-01T10:30, or 90m/2h/7d/2w ago.",
         "WHEN"),
    Flag("until", "--until", "value", "until", "Before WHEN (exclusive); same forms as --since.",
         "WHEN"),
    Flag("status", "--status", "many", "status",
         "running, success, error or timeout. Repeatable, or comma-separated.", "STATUS"),
    Flag("failed", "--failed", "switch", "failed", "Errors and timeouts."),
    Flag("successful", "--successful", "switch", "successful", "Successes only."),
    Flag("running", "--running", "switch", "running", "Still running (or died running)."),
    Flag("timeout", "--timeout", "switch", "timeout", "Timed out."),
    Flag("agent", "--agent", "many", "by_agent", "Agent name. Repeatable.", "NAME"),
    Flag("model", "--model", "many", "by_model",
         "Chosen or configured model. Repeatable.", "MODEL"),
    Flag("tenant", "--tenant", "value", "by_tenant", "Tenant id.", "TENANT"),
    Flag("current_tenant", "--current-tenant", "switch", "current_tenant",
         "The tenant of --tenant, else $AGENTLOG_TENANT, else settings.tenant."),
    Flag("with_tenant", "--with-tenant", "switch", "with_tenant", "Has a tenant."),
    Flag("without_tenant", "--without-tenant", "switch", "without_tenant", "Has no tenant."),
    Flag("batch", "--batch", "value", "by_batch", "Batch id of one `run --input`.", "ID"),
    Flag("expensive", "--expensive", "value", "expensive", "Total cost >= USD.", "USD"),
    Flag("slow", "--slow", "value", "slow", "Duration >= MS milliseconds.", "MS"),
    Flag("high_tokens", "--high-tokens", "value", "high_token_usage", "Total tokens >= N.",
         "N"),
    Flag("streaming", "--streaming", "switch", "streaming", "Streamed."),
    Flag("non_streaming", "--non-streaming", "switch", "non_streaming", "Not streamed."),
    Flag("with_fallback", "--with-fallback", "switch", "with_fallback",
         "Fell back to another model."),
    Flag("without_fallback", "--without-fallback", "switch", "without_fallback",
         "Answered (or failed) on the configured model alone."),
    Flag("retryable", "--retryable", "switch", "retryable_errors",
         "The final error was retryable."),
    Flag("rate_limited", "--rate-limited", "switch", "rate_limited",
         "Some attempt hit a rate limit."),
    Flag("cached", "--cached", "switch", "cached", "Answered from the response cache."),
    Flag("cache_miss", "--cache-miss", "switch", "cache_miss", "Not answered from the cache."),
    Flag("with_tool_calls", "--with-tool-calls", "switch", "with_tool_calls", "Called tools."),
    Flag("without_tool_calls", "--without-tool-calls", "switch", "without_tool_calls",
         "Called no tool."),
    Flag("meta", "--meta", "meta", "where_meta",
         "key=value (dotted keys reach nested objects; numbers and true/false compare as "
         "JSON), or a bare key that must be present. Repeatable, ANDed.", "KEY[=VALUE]"),
    Flag("search", "--search", "value", "search",
         "Full-text search of prompts, response and error; ranked unless --sort.", "TEXT"),
)


def options(command: Callable) -> Callable:
    """Give a typer command every filter flag; it receives their values as `where`."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "where"]
    clash = {p.name for p in own} & {f.name for f in FLAGS}
    if "where" not in signature.parameters or clash:
        raise TypeError(f"{command.__name__} needs a `where` parameter and no parameter "
                        f"named like a filter ({', '.join(sorted(clash))})")

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        where = {f.name: kwargs.pop(f.name, None) for f in FLAGS}
        return command(*args, where=where, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*own, *_parameters()])
    return wrapper


@functools.cache
def _parameters() -> tuple[inspect.Parameter, ...]:
    """The filter options, built once for every command (typer copies them before use):
    building them costs ~8 ms a command, paid at start-up by every command."""
    return tuple(f.parameter() for f in FLAGS)


def to_query(where: Values, settings):
    """The store Query of the given flag values, with the settings' zone and tenant."""
    from agentlog.store.query import Query

    with as_flags():
        query = Query(zone=settings.timezone,
                      tenant=settings.current_tenant(where.get("tenant")))
        for flag in FLAGS:
            query = flag.apply(query, where.get(flag.name))
    return query


# Methods that no flag of FLAGS calls but whose errors a command can raise.
_OTHER_SPELLINGS = {"period": "--period", "has_meta": "--meta"}
_CALL = re.compile(r"\b([a-z_0-9]+)\(([^()]*)\)")


def flag_names(message: str) -> str:
    """A library error with its filters named as flags: `status('error', 'timeout')` becomes
    `--status error,timeout`; names that are not filters stay as they are."""
    spelled = {f.method: f.decl for f in FLAGS} | _OTHER_SPELLINGS

    def flag(call: re.Match) -> str:
        decl = spelled.get(call.group(1))
        if decl is None:
            return call.group(0)
        values = [v.strip().strip("'\"") for v in call.group(2).split(",") if v.strip()]
        return f"{decl} {','.join(values)}" if values else decl

    return _CALL.sub(flag, message)


@contextlib.contextmanager
def as_flags() -> Iterator[None]:
    """Re-raise a QueryError of the block with flag names."""
    from agentlog.errors import QueryError

    try:
        yield
    except QueryError as e:
        raise QueryError(flag_names(str(e))) from None


def given(where: Values) -> bool:
    """Whether any filter was given (for messages like "no executions match")."""
    return any(v not in (None, False, [], ()) for v in where.values())
