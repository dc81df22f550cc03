"""What the cause chain of a failed call says: the provider's error body, the transport
error beneath litellm's wrapping, the response headers litellm kept (none when no response
arrived). No litellm here: only the exceptions it wraps.
"""

from __future__ import annotations

from typing import Any

import httpx
import openai


def causes(exc: BaseException):
    """`exc` and the exceptions that caused it, outermost first."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__


def headers_of(exc: BaseException) -> dict[str, str] | None:
    headers = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        return None
    return {str(k).lower(): str(v) for k, v in dict(headers).items()}


def provider_error(exc: BaseException) -> dict[str, Any]:
    """The `error` object of the provider's answer (message, code, ...), or {}."""
    for cause in causes(exc):
        body = getattr(cause, "body", None)
        if isinstance(body, dict) and ("message" in body or "code" in body):
            return body
    return {}


def transport_error(exc: BaseException) -> tuple[str, str] | None:
    """('timeout' or 'connection', what the innermost transport error said) when a transport
    error caused `exc`."""
    kind, said = None, ""
    for cause in causes(exc):
        if isinstance(cause, (httpx.TimeoutException, openai.APITimeoutError)):
            kind = kind or "timeout"
        elif isinstance(cause, (httpx.TransportError, openai.APIConnectionError)):
            kind = kind or "connection"
        else:
            continue
        said = str(cause) or said
    return (kind, said) if kind else None
