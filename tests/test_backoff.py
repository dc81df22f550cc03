"""The wait before a retry: exponential or constant, capped, jittered, Retry-After first."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agentlog.config import RetryPolicy
from agentlog.runner.backoff import delay, retry_after


def waits(policy: RetryPolicy, rand: float = 0.0, retries: int = 6) -> list[float]:
    return [delay(policy, n, None, lambda: rand) for n in range(retries)]


def test_exponential_backoff_doubles_up_to_max_delay():
    assert waits(RetryPolicy(base=0.5, max_delay=8)) == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_constant_backoff_waits_the_same_every_time():
    assert waits(RetryPolicy(backoff="constant", base=2, max_delay=8), retries=3) == [2, 2, 2]


@pytest.mark.parametrize("rand", [0.0, 0.5, 0.999])
def test_jitter_only_shortens_a_wait_by_up_to_a_quarter(rand):
    for wait, plain in zip(waits(RetryPolicy(base=1, max_delay=8), rand),
                           waits(RetryPolicy(base=1, max_delay=8, jitter=False)), strict=True):
        assert 0.75 * plain <= wait <= plain
        assert wait == pytest.approx(plain * (1 - 0.25 * rand))


def test_retry_after_replaces_the_backoff_but_not_max_delay():
    policy = RetryPolicy(base=0.5, max_delay=8)
    assert delay(policy, 0, 3.0, lambda: 0.9) == 3.0
    assert delay(policy, 0, 30.0, lambda: 0.9) == 8.0


NOW = datetime(2026, 12, 2, 10, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"retry-after": "7"}, 7.0),
    ({"retry-after": "1.5"}, 1.5),
    ({"retry-after": "Wed, 02 Dec 2026 10:00:03 GMT"}, 3.0),
    ({"retry-after": "Wed, 02 Dec 2026 09:59:00 GMT"}, 0.0),  # already passed: retry now
    ({"retry-after-ms": "250"}, 0.25),
    ({"retry-after-ms": "250", "retry-after": "1"}, 0.25),  # the finer of the two
    ({"retry-after": "soon"}, None),
    ({}, None),
])
def test_retry_after_reads_seconds_an_http_date_or_milliseconds(headers, seconds):
    assert retry_after(headers, now=lambda: NOW) == seconds
