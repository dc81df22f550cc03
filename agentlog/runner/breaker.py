"""The circuit breaker of one agent: which models to skip, and what a call's outcome changes.

`errors` retryable failures of a model within `within` seconds open its circuit for
`cooldown` seconds; while open the model is skipped. After the cooldown one process claims a
single trial call (half-open): its success closes the circuit, a retryable failure reopens it.
The state is in the database, so it holds across processes; times are wall-clock UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agentlog.store.log import Log
from agentlog.timeutil import parse_iso, to_iso, utcnow


@dataclass
class Breaker:
    log: Log
    agent: str
    policy: Any  # config.BreakerPolicy
    now: Callable[[], datetime] = utcnow
    trials: set[str] = field(default_factory=set)  # models whose trial call this process holds

    def blocked(self, model: str) -> datetime | None:
        """When the circuit of `model` reopens if it must be skipped now, else None."""
        row = self.log.breaker(self.agent, model)
        if row is None or row["state"] == "closed":
            return None
        now = self.now()
        if parse_iso(row["reopen_at"]) > now:
            return parse_iso(row["reopen_at"])
        outcome: dict[str, Any] = {}

        def claim(current):
            if current is None or current["state"] == "closed":
                return current  # closed meanwhile: a normal call
            if parse_iso(current["reopen_at"]) > now:
                outcome["reopen"] = parse_iso(current["reopen_at"])  # another process's trial
                return current
            outcome["trial"] = True
            return {**current, "state": "half_open", "updated_at": to_iso(now),
                    "reopen_at": to_iso(now + timedelta(seconds=self.policy.cooldown))}

        self.log.change_breaker(self.agent, model, claim)
        if outcome.get("trial"):
            self.trials.add(model)
        return outcome.get("reopen")

    def record(self, model: str, healthy: bool) -> bool:
        """Note a call's outcome; True when the circuit of `model` is open afterwards.

        `healthy` is False only for retryable failures: a 401 or a context-window error says
        nothing about the provider being down.
        """
        now = self.now()
        if model in self.trials:
            self.trials.discard(model)
            if healthy:
                self.log.change_breaker(self.agent, model, lambda _: None)
                return False
            self.log.change_breaker(self.agent, model, lambda _: self._opened(now))
            return True
        if healthy:
            return False
        new = self.log.change_breaker(self.agent, model,
                              lambda current: self._failed(current, now))
        return new["state"] != "closed"

    def _failed(self, current: dict | None, now: datetime) -> dict:
        if current is not None and current["state"] != "closed":
            return current  # opened meanwhile by another process
        since = now - timedelta(seconds=self.policy.within)
        recent = [t for t in (current or {}).get("failures", []) if parse_iso(t) > since]
        failures = [*recent, to_iso(now)]
        if len(failures) >= self.policy.errors:
            return self._opened(now)
        return {"state": "closed", "failures": failures, "updated_at": to_iso(now)}

    def _opened(self, now: datetime) -> dict:
        return {"state": "open", "failures": [], "opened_at": to_iso(now),
                "updated_at": to_iso(now),
                "reopen_at": to_iso(now + timedelta(seconds=self.policy.cooldown))}
