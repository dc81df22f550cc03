"""What every filter means: the methods of Query, named like the CLI flags.

Each method returns a new Query with a typed condition (store/conditions.py); conditions AND
together, and the columns they read are written here. Contradictions (`today().yesterday()`,
`failed().successful()`, an empty time range) and malformed values raise QueryError with one
line naming the filters; cli/filters.py spells them as flags.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from agentlog import timeutil
from agentlog.errors import QueryError
from agentlog.store.conditions import AtLeast, Blank, Flag, OneOf, Present

STATUSES = ("running", "success", "error", "timeout")
FAILED = ("error", "timeout")  # what --failed, reports and batch summaries count as failed


class Spelled(float):
    """A number typed as text that is not an integer (`1.10`, `1e3`): a `--meta` test matches
    the number and also the text exactly as typed, which is how `run --meta` stores it."""

    text: str

    def __new__(cls, number: float, text: str):
        self = super().__new__(cls, number)
        self.text = text
        return self


def meta_stored(text: str) -> Any:
    """A `run --meta key=VALUE` as recorded: an exact integer, true, false or null as that
    JSON value, anything else as the text typed (`1.10` stays "1.10")."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return text
    return parsed if parsed is None or isinstance(parsed, (bool, int)) else text


def meta_value(text: str) -> Any:
    """A `--meta key=VALUE` filter value: as `meta_stored` reads it, except that other numbers
    are Spelled, so that they match both the stored text and the stored number."""
    stored = meta_stored(text)
    if isinstance(stored, str):
        try:
            number = float(json.loads(text))
        except (json.JSONDecodeError, TypeError, ValueError):
            return stored
        return Spelled(number, text) if number == number and abs(number) != float("inf") \
            else stored
    return stored


class Filters:
    """Mixed into Query; relies on its `where`, `claim`, `narrow`, `local_zone`, `_search` and
    `tenant`. Errors name the filter as it is called here (`today()`); cli/filters.py
    spells them as flags."""

    # --- time: calendar periods in the query's zone, converted to UTC bounds -------------
    def today(self):
        return self._period("today")

    def yesterday(self):
        return self._period("yesterday")

    def this_week(self):
        """Since Monday 00:00 local time."""
        return self._period("this-week")

    def this_month(self):
        return self._period("this-month")

    def last_7_days(self):
        """Today and the six calendar days before it."""
        return self._period("last-7-days")

    def last_30_days(self):
        return self._period("last-30-days")

    def period(self, name: str):
        """A named period (report --period): today, yesterday, this-week, this-month,
        last-7-days, last-30-days, or all (no bound, but still one period)."""
        key = name.strip().lower() if isinstance(name, str) else ""
        if key not in timeutil.PERIODS:
            raise QueryError(f"unknown period '{name}' "
                             f"(choose from: {', '.join(timeutil.PERIODS)})")
        return self._period(key, f"period({key!r})")

    def since(self, when: str | datetime | date):
        """Inclusive: a date, a datetime (local unless it has an offset) or a duration (2h)."""
        return self.narrow(self._point(when, "since()"), None, "since()")

    def until(self, when: str | datetime | date):
        """Exclusive, with the same forms as since()."""
        return self.narrow(None, self._point(when, "until()"), "until()")

    def between(self, start: str | datetime | date, end: str | datetime | date):
        return self.since(start).until(end)

    # --- status ----------------------------------------------------------------------------
    def status(self, *names: str):
        """Any of the named statuses (running, success, error, timeout)."""
        for name in names or ("",):
            if name not in STATUSES:
                raise QueryError(f"unknown status '{name}' (choose from: {', '.join(STATUSES)})")
        return self._statuses(names, f"status({', '.join(map(repr, names))})")

    def failed(self):
        """Errors and timeouts."""
        return self._statuses(FAILED, "failed()")

    def successful(self):
        return self._statuses(("success",), "successful()")

    def running(self):
        return self._statuses(("running",), "running()")

    def timeout(self):
        return self._statuses(("timeout",), "timeout()")

    def _statuses(self, names: tuple[str, ...], flag: str):
        return self.claim("status", names, flag).where(OneOf(("status",), tuple(names)))

    # --- who and what ----------------------------------------------------------------------
    def by_agent(self, *names: str):
        return self.where(OneOf(("agent_type",), names))

    def by_model(self, *names: str):
        """The chosen model or the configured one."""
        return self.where(OneOf(("chosen_model_id", "model_id"), names))

    def by_tenant(self, tenant: str):
        return self.claim("tenant", (True,), "by_tenant()").where(OneOf(("tenant_id",),
                                                                        (tenant,)))

    def current_tenant(self):
        """The tenant `run` would record: --tenant, AGENTLOG_TENANT, settings.tenant."""
        if not self.tenant:
            raise QueryError("current_tenant(): no tenant is set (use by_tenant(), "
                             "AGENTLOG_TENANT or settings.tenant)")
        return self.by_tenant(self.tenant)

    def with_tenant(self, yes: bool = True):
        flag = "with_tenant()" if yes else "without_tenant()"
        return self.claim("tenant", (yes,), flag).where(Blank("tenant_id", not yes))

    def without_tenant(self):
        return self.with_tenant(False)

    def by_batch(self, batch_id: str):
        return self.where(OneOf(("batch_id",), (batch_id,)))

    # --- thresholds, all inclusive ---------------------------------------------------------
    def expensive(self, usd: float | str):
        return self.where(AtLeast("total_cost", _threshold(usd, "expensive()")))

    def slow(self, ms: int | str):
        return self.where(AtLeast("duration_ms", _threshold(ms, "slow()")))

    def high_token_usage(self, tokens: int | str):
        return self.where(AtLeast("total_tokens", _threshold(tokens, "high_token_usage()")))

    # --- behaviour ---------------------------------------------------------------------------
    def streaming(self, yes: bool = True):
        return self._flag("streaming", yes, Flag("streaming", yes),
                          "streaming()", "non_streaming()")

    def non_streaming(self):
        return self.streaming(False)

    def with_fallback(self, yes: bool = True):
        return self._flag("fallback", yes, Present("fallback_reason", yes),
                          "with_fallback()", "without_fallback()")

    def without_fallback(self):
        return self.with_fallback(False)

    def cached(self, yes: bool = True):
        return self._flag("cache", yes, Flag("cache_hit", yes), "cached()", "cache_miss()")

    def cache_miss(self):
        return self.cached(False)

    def with_tool_calls(self, yes: bool = True):
        called = AtLeast("tool_calls_count", 1) if yes else OneOf(("tool_calls_count",), (0,))
        return self._flag("tools", yes, called, "with_tool_calls()", "without_tool_calls()")

    def without_tool_calls(self):
        return self.with_tool_calls(False)

    def retryable_errors(self):
        """The final error was retryable (rate limit, timeout, connection, 5xx)."""
        return self.where(Flag("retryable"))

    def rate_limited(self):
        """Any attempt hit a rate limit."""
        return self.where(Flag("rate_limited"))

    def _flag(self, dimension: str, yes: bool, condition, flag_on: str, flag_off: str):
        return self.claim(dimension, (yes,), flag_on if yes else flag_off).where(condition)

    # --- metadata and text -------------------------------------------------------------------
    def where_meta(self, key: str, value: Any):
        """metadata[key] == value; a dotted key `a.b` matches the literal key "a.b" or the
        nested path a → b."""
        _meta_key(key, "where_meta()")
        if value is not None and not isinstance(value, (str, bool, int, float)):
            raise QueryError("where_meta() values are strings, numbers, booleans or null, "
                             f"got {value!r}")
        return replace(self, metas=(*self.metas, (key, value, True)))

    def has_meta(self, key: str):
        _meta_key(key, "has_meta()")
        return replace(self, metas=(*self.metas, (key, None, False)))

    def search(self, text: str):
        """Full-text over prompts, response and error message; words are ANDed, a trailing
        * makes a word a prefix."""
        if not text.split():
            raise QueryError("search() needs some text")
        return self._search(text)

    # --- helpers of the time filters ---------------------------------------------------------
    def _period(self, name: str, flag: str | None = None):
        flag = flag or name.replace("-", "_") + "()"
        start, end = timeutil.period_bounds(name, self.local_zone())
        return self.claim("period", (name,), flag).narrow(start, end, flag)

    def _point(self, when: str | datetime | date, flag: str) -> datetime:
        zone = self.local_zone()
        if isinstance(when, datetime):
            return when.astimezone(timeutil.UTC) if when.tzinfo else when.replace(tzinfo=zone)
        if isinstance(when, date):
            return timeutil.day_bounds(when, zone)[0]
        try:
            return timeutil.parse_point(str(when), zone)
        except ValueError as e:
            raise QueryError(f"{flag}: {e}") from None


def _meta_key(key: str, name: str) -> None:
    """A metadata key: labels joined by dots (`a.b` reaches into nested objects)."""
    if not key or any(not label for label in key.split(".")):
        raise QueryError(f"{name} needs a key like team or labels.env, got '{key}'")
    if '"' in key:
        raise QueryError(f"{name} keys cannot contain '\"', got '{key}'")


def _threshold(value: float | str, flag: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise QueryError(f"{flag} expects a number, got '{value}'") from None
    if number < 0 or number != number:
        raise QueryError(f"{flag} must be zero or more, got {value}")
    return number
