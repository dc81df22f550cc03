"""What a failed model call was, in the vocabulary of the `attempts` column.

Kept apart from runner/llm.py so that the attempt loop can describe failures it makes up itself
(an open circuit, a passed total_timeout) without importing litellm.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Failure:
    error_class: str
    message: str
    kind: str | None = None  # the fallback_reason vocabulary of DESIGN.md section 4
    http_status: int | None = None
    retryable: bool = False
    rate_limited: bool = False
    retry_after: float | None = None

    @property
    def is_timeout(self) -> bool:
        return self.kind == "timeout"

    @property
    def is_outage(self) -> bool:
        """The provider failed (what a circuit breaker counts), not the request or answer."""
        return self.retryable and self.kind in ("rate_limit", "timeout", "connection",
                                                "server_error")
