"""How long to wait before retrying the same model."""

from __future__ import annotations

from collections.abc import Callable

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
