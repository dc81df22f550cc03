"""How long to wait before retrying the same model."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

JITTER = 0.25  # up to a quarter of the delay is taken off at random


def delay(policy, retry: int, retry_after: float | None, rand: Callable[[], float]) -> float:
    """Seconds to wait before retry number `retry` + 1 (0-based) under a RetryPolicy.

    A server's Retry-After wins over the computed backoff; both are capped by max_delay.
    Jitter only shortens a wait, so max_delay holds and clients that failed together spread.
    """
    if retry_after is not None:
        return min(retry_after, policy.max_delay)
    wait = policy.base * (2 ** retry if policy.backoff == "exponential" else 1)
    wait = min(wait, policy.max_delay)
    if policy.jitter:
        wait *= 1 - JITTER * rand()
    return wait


def retry_after(headers: Mapping[str, str],
                now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> float | None:
    """Seconds the server asks to wait, from lower-cased response headers, or None.

    `retry-after-ms` (milliseconds) is the finer of the two when both are sent; `retry-after`
    is either seconds or an HTTP date (RFC 9110), which counts from `now`.
    """
    if "retry-after-ms" in headers:
        seconds = _number(headers["retry-after-ms"])
        if seconds is not None:
            return round(seconds / 1000, 3)
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is None:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT
            when = when.replace(tzinfo=timezone.utc)
        seconds = max(0.0, (when - now()).total_seconds())
    return round(seconds, 3)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return max(0.0, number) if math.isfinite(number) else None
