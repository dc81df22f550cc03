"""The attempt loop: which model is called, how often, and what each attempt did.

`Attempts.complete()` is one logical model call (one round of a conversation). It tries the
agent's models in order and records every attempt in the shape of the `attempts` column.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentlog.timeutil import now_iso


class AllAttemptsFailed(Exception):
    def __init__(self, failure):
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
    clock: Callable[[], float] = time.monotonic
    records: list[dict[str, Any]] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    fallback_reason: str | None = None
    chosen: Target | None = None
    last_failure: Any = None

    def complete(self, messages: list[dict], llm, **options: Any) -> Any:
        """Return the first successful Reply; raise AllAttemptsFailed when none answered.

        `options` are extra litellm arguments of this call (tools, response_format, ...).
        """
        for index, target in enumerate(self.targets):
            if target.model not in self.chain:
                self.chain.append(target.model)
            self.chosen = target
            reply = self._attempt(target, messages, llm, options)
            if reply is not None:
                return reply
            if index + 1 < len(self.targets):
                self.fallback_reason = self.last_failure.kind
        raise AllAttemptsFailed(self.last_failure)

    def _attempt(self, target: Target, messages: list[dict], llm, options: dict[str, Any]):
        record: dict[str, Any] = {"model": target.model, "attempt": len(self.records) + 1,
                                  "started_at": now_iso()}
        start = self.clock()
        kwargs = llm.request_kwargs(
            target.model, messages, api_base=target.api_base, api_key=target.api_key,
            timeout=self.timeout, temperature=self.temperature, max_tokens=self.max_tokens,
            mock_response=target.mock_response, extra={**target.litellm_params, **options})
        try:
            reply = (self.call or llm.complete)(**kwargs)
        except Exception as exc:  # every failure of a call is recorded, then classified
            failure = llm.classify(exc)
            self.last_failure = failure
            record.update(status="error", error_class=failure.error_class,
                          error_message=failure.message, http_status=failure.http_status,
                          retryable=failure.retryable, rate_limited=failure.rate_limited,
                          retry_after=failure.retry_after)
            if getattr(exc, "reply", None) is not None:  # answered, billed, then rejected
                self._bill(record, target, exc.reply)
            reply = None
        else:
            record["status"] = "success"
            self._bill(record, target, reply)
        record["duration_ms"] = int((self.clock() - start) * 1000)
        self.records.append(record)
        return reply

    def _bill(self, record: dict[str, Any], target: Target, reply) -> None:
        record.update(input_tokens=reply.input_tokens, output_tokens=reply.output_tokens)
        if reply.ttft_ms is not None:
            record["ttft_ms"] = reply.ttft_ms
        if self.pricer is not None:
            record["cost"] = self.pricer(target.model, reply).get("total_cost")
