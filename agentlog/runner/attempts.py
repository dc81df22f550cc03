"""The attempt loop: which model is called, how often, and what each attempt did.

`Attempts.complete()` is one logical model call (one round of a conversation). It walks the
agent's models in order: a model whose circuit is open is skipped; a retryable failure is
retried on the same model after a backoff (up to `retries.max` times); a failure that is not
retryable moves on to the next model at once. `total_timeout` bounds the whole execution, all
rounds included: it caps each attempt's timeout and every wait. Every call is recorded in the
shape of the `attempts` column.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentlog.runner import backoff
from agentlog.runner.failure import Failure
from agentlog.timeutil import now_iso, to_iso


class AllAttemptsFailed(Exception):
    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.failure = failure


@dataclass
class Target:
    """One model of the chain with its resolved endpoint (secrets already interpolated)."""

    model: str
    api_base: str | None = None
    api_key: str | None = None
    litellm_params: dict[str, Any] = field(default_factory=dict)
    mock_response: Any = None


@dataclass
class Attempts:
    targets: list[Target]
    timeout: float
    temperature: float | None = None
    max_tokens: int | None = None
    pricer: Callable[[str, Any], dict[str, Any]] | None = None
    call: Callable[..., Any] | None = None  # how one request is made; default llm.complete
    retries: Any = None  # config.RetryPolicy; None: no retries
    total_timeout: float = 300.0
    breaker: Any = None  # runner.breaker.Breaker, or None without circuit_breaker
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    records: list[dict[str, Any]] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    fallback_reason: str | None = None
    chosen: Target | None = None
    last_failure: Failure | None = None
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.total_timeout

    def complete(self, messages: list[dict], llm, **options: Any) -> Any:
        """Return the first successful Reply; raise AllAttemptsFailed when none answered.

        `options` are extra litellm arguments of this call (tools, response_format, ...).
        """
        self.last_failure = None
        skipped: list[tuple[str, str]] = []
        for index, target in enumerate(self.targets):
            if target.model not in self.chain:
                self.chain.append(target.model)
            has_next = index + 1 < len(self.targets)
            reopens = self.breaker.blocked(target.model) if self.breaker else None
            if reopens is not None:
                skipped.append((target.model, to_iso(reopens)))
                if has_next:
                    self.fallback_reason = "circuit_open"
                continue
            self.chosen = target
            reply = self._on_model(target, messages, llm, options)
            if reply is not None:
                return reply
            if self._remaining() <= 0 or self.last_failure.kind is None:
                break  # out of time, or a failure that no other model can mend
            if has_next:
                self.fallback_reason = self.last_failure.kind
        raise AllAttemptsFailed(self._final_failure(skipped))

    def _remaining(self) -> float:
        return self.deadline - self.clock()

    def _on_model(self, target: Target, messages: list[dict], llm, options: dict[str, Any]):
        """Call one model, retrying retryable failures; None when it gave no answer."""
        max_retries = self.retries.max if self.retries is not None else 0
        for retry in range(max_retries + 1):
            remaining = self._remaining()
            if remaining <= 0:
                return None
            reply = self._attempt(target, messages, llm, options, min(self.timeout, remaining))
            failure = None if reply is not None else self.last_failure
            healthy = failure is None or not failure.is_outage
            if self.breaker is not None and self.breaker.record(target.model, healthy):
                return reply  # this failure opened the circuit: no more calls to the model
            if failure is None or not failure.retryable or retry == max_retries:
                return reply
            wait = backoff.delay(self.retries, retry, failure.retry_after, self.rand)
            if wait >= self._remaining():
                return None  # the retry could not start before total_timeout: move on
            self.sleep(wait)
        return None

    def _attempt(self, target: Target, messages: list[dict], llm, options: dict[str, Any],
                 timeout: float):
        record: dict[str, Any] = {"model": target.model, "attempt": len(self.records) + 1,
                                  "started_at": now_iso()}
        start = self.clock()
        kwargs = llm.request_kwargs(
            target.model, messages, api_base=target.api_base, api_key=target.api_key,
            timeout=timeout, temperature=self.temperature, max_tokens=self.max_tokens,
            mock_response=target.mock_response, extra={**target.litellm_params, **options})
        try:
            reply = (self.call or llm.complete)(**kwargs)
        except Exception as exc:  # every failure of a call is recorded, then classified
            failure = llm.classify(exc)
            self.last_failure = failure
            record.update(status="error", error_class=failure.error_class,
                          error_message=failure.message, http_status=failure.http_status,
                          retryable=failure.retryable, rate_limited=failure.rate_limited,
                          retry_after=failure.retry_after, input_tokens=None,
                          output_tokens=None, cost=None)
            if getattr(exc, "reply", None) is not None:  # answered, billed, then rejected
                self._bill(record, target, exc.reply)
            reply = None
        else:
            record.update(status="success", error_class=None, error_message=None,
                          http_status=None, retryable=False, rate_limited=False,
                          retry_after=None)
            self._bill(record, target, reply)
        record["duration_ms"] = int((self.clock() - start) * 1000)
        record["server_address"], record["server_port"] = llm.server(
            target.model, getattr(reply, "api_base", None) or target.api_base)
        self.records.append(record)
        return reply

    def _final_failure(self, skipped: list[tuple[str, str]]) -> Failure:
        """The failure the execution ends with: the last call's, unless time ran out first or
        no model could be called at all."""
        last = self.last_failure
        if self._remaining() <= 0 and (last is None or not last.is_timeout):
            after = f"; last error: {last.error_class}" if last else ""
            return Failure("Timeout", f"total_timeout of {self.total_timeout:g} s passed "
                           f"after {len(self.records)} attempt(s){after}",
                           kind="timeout", retryable=True)
        if last is None:
            models = ", ".join(f"{model} (reopens {at})" for model, at in skipped)
            return Failure("CircuitOpen", f"circuit open for every model: {models}",
                           kind="circuit_open", retryable=True)
        return last

    def _bill(self, record: dict[str, Any], target: Target, reply) -> None:
        record.update(input_tokens=reply.input_tokens, output_tokens=reply.output_tokens,
                      response_model=reply.response_model, response_id=reply.response_id)
        if reply.ttft_ms is not None:
            record["ttft_ms"] = reply.ttft_ms
        if self.pricer is not None:
            record["cost"] = self.pricer(target.model, reply).get("total_cost")
