"""The only module that imports litellm: model calls, prices, and error classification.

Importing it costs seconds, so only the run path loads this module.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOG", "ERROR")

import httpx  # noqa: E402
import litellm  # noqa: E402
import openai  # noqa: E402

from agentlog.runner.failure import Failure  # noqa: E402
from agentlog.runner.output import SchemaValidationError  # noqa: E402

litellm.suppress_debug_info = True
litellm.telemetry = False
for _name in ("LiteLLM", "LiteLLM Proxy", "LiteLLM Router", "litellm"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

LITELLM_VERSION = version("litellm")
MESSAGE_LIMIT = 500


@dataclass
class Reply:
    """What one successful model call returned."""

    content: str | None
    finish_reason: str | None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int | None = None
    cache_creation_tokens: int | None = None
    reasoning_tokens: int | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    response_model: str | None = None
    ttft_ms: int | None = None  # streamed calls: request start to the first content or tool call


def _usage_detail(usage: Any, group: str, name: str) -> int | None:
    details = getattr(usage, group, None)
    value = getattr(details, name, None) if details is not None else None
    return int(value) if value else None


def _reply(response: Any) -> Reply:
    choice = response.choices[0]
    message = choice.message
    usage = getattr(response, "usage", None)
    calls = [
        {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
        for c in (getattr(message, "tool_calls", None) or [])
    ]
    return Reply(
        content=message.content,
        finish_reason=choice.finish_reason,
        input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        cached_tokens=_usage_detail(usage, "prompt_tokens_details", "cached_tokens"),
        cache_creation_tokens=getattr(usage, "cache_creation_input_tokens", None) or None,
        reasoning_tokens=_usage_detail(usage, "completion_tokens_details", "reasoning_tokens"),
        tool_calls=calls,
        response_model=getattr(response, "model", None),
    )


def request_kwargs(model: str, messages: list[dict], *, api_base: str | None = None,
                   api_key: str | None = None, timeout: float, temperature: float | None = None,
                   max_tokens: int | None = None, mock_response: Any = None,
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The keyword arguments of one litellm call: its own retries off, a timeout always."""
    kwargs: dict[str, Any] = {**(extra or {}), "model": model, "messages": messages,
                              "timeout": timeout, "max_retries": 0}
    for key, value in (("api_base", api_base), ("api_key", api_key),
                       ("temperature", temperature), ("max_tokens", max_tokens),
                       ("mock_response", mock_response)):
        if value is not None:
            kwargs[key] = value
    if kwargs.get("tools"):
        kwargs["_skip_mcp_handler"] = True  # litellm's MCP hook needs the absent mcp package
    return kwargs


def complete(**kwargs: Any) -> Reply:
    """One blocking model call (see request_kwargs)."""
    return _reply(litellm.completion(**kwargs))


def complete_stream(on_text: Callable[[str | None], None] | None = None, **kwargs: Any) -> Reply:
    """One streamed model call: `on_text` gets each piece of text as it arrives.

    A stream that breaks midway raises (the attempt fails) after `on_text(None)`, which tells
    the reader to discard what it was shown.
    """
    start = time.monotonic()
    chunks, ttft_ms = [], None
    stream = litellm.completion(**kwargs, stream=True, stream_options={"include_usage": True})
    try:
        for chunk in stream:
            chunks.append(chunk)
            delta = chunk.choices[0].delta if chunk.choices else None
            if delta is None or not (delta.content or delta.tool_calls):
                continue
            if ttft_ms is None:
                ttft_ms = int((time.monotonic() - start) * 1000)
            if delta.content and on_text is not None:
                on_text(delta.content)
    except Exception:
        if ttft_ms is not None and on_text is not None:
            on_text(None)
        raise
    reply = _reply(litellm.stream_chunk_builder(chunks, messages=kwargs["messages"]))
    reply.ttft_ms = ttft_ms
    return reply


def price(model: str, input_tokens: int, output_tokens: int,
          cached_tokens: int | None = None) -> tuple[float, float, str] | None:
    """(input_cost, output_cost, cost_source) from litellm's price map, or None if unpriced.

    Priced by the model that was requested, never by the name the server echoes back.
    """
    kwargs: dict[str, Any] = {"model": model, "prompt_tokens": input_tokens,
                              "completion_tokens": output_tokens}
    if cached_tokens:
        kwargs["cache_read_input_tokens"] = cached_tokens
    try:
        input_cost, output_cost = litellm.cost_per_token(**kwargs)
    except Exception:  # litellm raises ModelNotMappedError or BadRequestError for unknown models
        return None
    return float(input_cost), float(output_cost), f"litellm-{LITELLM_VERSION}"


def provider(model: str) -> str | None:
    try:
        return litellm.get_llm_provider(model)[1]
    except Exception:  # unknown provider: the call itself reports the error
        return None


# Order matters: subclasses before their bases (ContextWindowExceededError is a BadRequestError,
# MidStreamFallbackError a ServiceUnavailableError, Timeout an openai connection error).
_KINDS: list[tuple[type, str, bool]] = [
    (litellm.ContextWindowExceededError, "context_window", False),
    (litellm.ContentPolicyViolationError, "content_policy", False),
    (litellm.RateLimitError, "rate_limit", True),
    (litellm.Timeout, "timeout", True),
    (litellm.AuthenticationError, "auth", False),
    (litellm.PermissionDeniedError, "auth", False),
    (litellm.NotFoundError, "not_found", False),
    (litellm.BadRequestError, "bad_request", False),
    (litellm.exceptions.MidStreamFallbackError, "server_error", True),
    (litellm.ServiceUnavailableError, "server_error", True),
    (litellm.APIConnectionError, "connection", True),
    (litellm.InternalServerError, "server_error", True),
    (litellm.APIError, "server_error", True),
]


def _headers(exc: BaseException) -> dict[str, str] | None:
    headers = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        return None
    return {str(k).lower(): str(v) for k, v in dict(headers).items()}


def _transport_kind(exc: BaseException) -> str | None:
    """timeout or connection when a transport error caused `exc`, else None.

    litellm reports a refused connection or a dropped/stalled stream as a 500 (or a
    MidStreamFallbackError) that received no response; the cause chain holds the real type.
    """
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, (httpx.TimeoutException, openai.APITimeoutError)):
            return "timeout"
        if isinstance(cause, (httpx.TransportError, openai.APIConnectionError)):
            return "connection"
        cause = cause.__cause__ or cause.__context__
    return None


def classify(exc: BaseException) -> Failure:
    """Turn an exception from a call into the fields of an attempt (never its debug info)."""
    message = str(getattr(exc, "message", None) or exc)[:MESSAGE_LIMIT]
    status = getattr(exc, "status_code", None)
    failure = Failure(error_class=type(exc).__name__, message=message,
                      http_status=status if isinstance(status, int) else None)
    if isinstance(exc, SchemaValidationError):  # another sample or model may answer well
        failure.kind, failure.retryable = "schema_validation", True
        return failure
    for cls, kind, retryable in _KINDS:
        if isinstance(exc, cls):
            failure.kind, failure.retryable = kind, retryable
            break
    headers = _headers(exc)
    if failure.kind in ("server_error", "timeout") and headers is None:
        # No response arrived: the status litellm reports (500, 408) was made up by the client.
        failure.http_status = None
        failure.kind = _transport_kind(exc) or failure.kind
    if failure.kind == "server_error" and failure.http_status is not None \
            and failure.http_status < 500:
        failure.retryable = False
    failure.rate_limited = failure.kind == "rate_limit"
    if headers and "retry-after" in headers:
        try:
            failure.retry_after = max(0.0, float(headers["retry-after"]))
        except ValueError:
            failure.retry_after = None
    return failure
