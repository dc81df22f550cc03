"""The attempt loop as the tool loop and streaming use it: injected calls, several rounds."""

from __future__ import annotations

import pytest

from agentlog.runner import llm
from agentlog.runner.attempts import AllAttemptsFailed, Attempts, Target

MESSAGES = [{"role": "user", "content": "hi"}]


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_total_timeout_spans_every_round_of_one_execution():
    clock = Clock()

    def slow_answer(**kwargs):
        clock.now += 6  # each round takes 6 s
        return llm.Reply(content="ok", finish_reason="stop")

    loop = Attempts([Target("gpt-4o-mini")], timeout=30, total_timeout=10, clock=clock,
                    call=slow_answer)
    assert loop.complete(MESSAGES, llm).content == "ok"
    assert loop.complete(MESSAGES, llm).content == "ok"  # started at 6 s, within the 10 s
    with pytest.raises(AllAttemptsFailed) as failed:
        loop.complete(MESSAGES, llm)  # 12 s have passed: no call starts
    assert failed.value.failure.error_class == "Timeout" and failed.value.failure.is_timeout
    assert len(loop.records) == 2


def test_each_attempt_gets_at_most_the_time_that_is_left():
    clock, timeouts = Clock(), []

    def answer(**kwargs):
        timeouts.append(kwargs["timeout"])
        clock.now += 7
        return llm.Reply(content="ok", finish_reason="stop")

    loop = Attempts([Target("gpt-4o-mini")], timeout=5, total_timeout=10, clock=clock,
                    call=answer)
    loop.complete(MESSAGES, llm)
    loop.complete(MESSAGES, llm)
    assert timeouts == [5, 3]


def test_a_failure_that_is_not_the_models_stops_the_chain():
    def broken(**kwargs):
        raise ValueError("a bug in the caller")

    loop = Attempts([Target("gpt-4o-mini"), Target("gpt-4o")], timeout=5, call=broken)
    with pytest.raises(AllAttemptsFailed) as failed:
        loop.complete(MESSAGES, llm)
    assert failed.value.failure.error_class == "ValueError"
    assert loop.chain == ["gpt-4o-mini"] and loop.fallback_reason is None
    assert len(loop.records) == 1
