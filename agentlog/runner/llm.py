"""The only module that imports litellm: model calls, prices, and error classification.

Importing it costs seconds, so only the run path loads this module.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
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

from agentlog.runner import backoff, bounded  # noqa: E402
from agentlog.runner.causes import headers_of, provider_error, transport_error  # noqa: E402
from agentlog.runner.failure import Failure  # noqa: E402
from agentlog.runner.output import SchemaValidationError  # noqa: E402

litellm.suppress_debug_info = True
litellm.telemetry = False
for _name in ("LiteLLM", "LiteLLM Proxy", "LiteLLM Router", "litellm"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

LITELLM_VERSION = version("litellm")


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
    response_id: str | None = None
    api_base: str | None = None  # where litellm sent the request
    ttft_ms: int | None = None  # streamed calls: request start to the first content or tool call
    reported_cost: float | None = None  # what an OpenAI-compatible proxy says the call cost


def _usage_detail(usage: Any, group: str, name: str) -> int | None:
    details = getattr(usage, group, None)
    value = getattr(details, name, None) if details is not None else None
    return int(value) if value else None


# A LiteLLM proxy states each answer's cost in this header; litellm hands the response headers
# on in its hidden params, prefixed as they came from a provider.
_COST_HEADER = "x-litellm-response-cost"


def _reported_cost(response: Any) -> float | None:
    hidden = getattr(response, "_hidden_params", None) or {}
    headers = {str(k).lower(): v for k, v in (hidden.get("additional_headers") or {}).items()}
    value = headers.get(f"llm_provider-{_COST_HEADER}", headers.get(_COST_HEADER))
    try:
        cost = float(value)
    except (TypeError, ValueError):
        return None
    return cost if math.isfinite(cost) and cost >= 0 else None


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
        response_id=getattr(response, "id", None),
        api_base=(getattr(response, "_hidden_params", None) or {}).get("api_base"),
        reported_cost=_reported_cost(response),
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


def _overdue(kwargs: dict[str, Any], bound: float) -> Exception:
    return litellm.Timeout(message=f"no complete answer within {bound:g} s (timeout)",
                           model=kwargs.get("model", ""), llm_provider="")


def complete(**kwargs: Any) -> Reply:
    """One blocking model call (see request_kwargs), bounded as a whole by its `timeout`."""
    bound = float(kwargs["timeout"])
    return bounded.call(lambda: _reply(litellm.completion(**kwargs)), bound,
                        lambda: _overdue(kwargs, bound))


def _chunks(kwargs: dict[str, Any], bound: float):
    """The chunks of one streamed call as they arrive, bounded as a whole by `bound`."""
    return bounded.items(lambda: litellm.completion(**kwargs, stream=True,
                                                    stream_options={"include_usage": True}),
                         bound, lambda: _overdue(kwargs, bound))


def complete_stream(on_text: Callable[[str | None], None] | None = None, **kwargs: Any) -> Reply:
    """One streamed model call: `on_text` gets each piece of text as it arrives.

    A stream that breaks midway, or is still going when its `timeout` has passed, raises (the
    attempt fails) after `on_text(None)`, which tells the reader to discard what it was shown.
    """
    start = time.monotonic()
    chunks, ttft_ms = [], None
    try:
        for chunk in _chunks(kwargs, float(kwargs["timeout"])):
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
    # the rebuilt response names the requested model; the chunks' hidden params the provider's
    hidden = [getattr(c, "_hidden_params", None) or {} for c in chunks]
    reply.response_model = next((h["provider_response_model"] for h in hidden
                                 if h.get("provider_response_model")), reply.response_model)
    reply.api_base = next((h["api_base"] for h in hidden if h.get("api_base")), reply.api_base)
    return reply


_WARM_UP_BASE = "http://warm-up.invalid/v1"
_warm_up_lock = threading.Lock()
_warmed_up = False


def _warm_up_answer(request: httpx.Request) -> httpx.Response:
    """A one-word answer, streamed or not, for the in-memory transport of warm_up()."""
    head = {"id": "warm-up", "created": 0, "model": "gpt-4o-mini"}
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    if not json.loads(request.content).get("stream"):
        return httpx.Response(200, json={**head, "object": "chat.completion", "usage": usage,
                                         "choices": [{"index": 0, "finish_reason": "stop",
                                                      "message": {"role": "assistant",
                                                                  "content": "ok"}}]})
    chunk = {**head, "object": "chat.completion.chunk"}
    events = [{**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "ok"},
                                     "finish_reason": None}]},
              {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
              {**chunk, "choices": [], "usage": usage}]
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return httpx.Response(200, text=text, headers={"content-type": "text/event-stream"})


def warm_up() -> None:
    """Pay litellm's one-time setup before any execution's clock starts; once per process.

    litellm imports much of itself on its first call (and its first stream), and httpx its
    transport on the first client, so the first execution of a process was charged for both.
    The calls go to an in-memory transport: nothing leaves the process.
    """
    global _warmed_up
    with _warm_up_lock:  # the rows of a batch wait here, before their clocks start
        if _warmed_up:
            return
        _warmed_up = True
        httpx.Client().close()  # imports httpcore and h11, as the first real client would
        http = httpx.Client(transport=httpx.MockTransport(_warm_up_answer))
        client = openai.OpenAI(api_key="warm-up", base_url=_WARM_UP_BASE, http_client=http,
                               max_retries=0)
        kwargs = request_kwargs("openai/gpt-4o-mini", [{"role": "user", "content": "hi"}],
                                api_base=_WARM_UP_BASE, api_key="warm-up", timeout=5,
                                extra={"client": client})
        try:
            complete(**kwargs)
            complete_stream(**kwargs)
        except Exception:  # a failed warm-up only leaves the setup to the first real call
            pass
        finally:
            http.close()
        price("openai/gpt-4o-mini", 1, 1)


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


# Tokenizers litellm's token counter would fetch from a model hub (it bundles the others).
HUB_TOKENIZERS = frozenset({"cohere", "llama2", "llama3"})
EXACT_PROVIDERS = frozenset({"openai", "azure", "text-completion-openai"})  # tiktoken is theirs


def count_tokens(model: str, messages: list[dict]) -> tuple[int, bool]:
    """Input tokens of `messages` by litellm's token counter for `model`, and whether the count
    is approximate: litellm counts with its bundled tiktoken encoding where the model's own
    tokenizer is not at hand (one from a model hub cannot be fetched offline)."""
    from litellm import utils

    kind = utils.huggingface_tokenizer_kind(model)
    previous = litellm.disable_hf_tokenizer_download
    litellm.disable_hf_tokenizer_download = kind in HUB_TOKENIZERS or previous
    try:
        count = litellm.token_counter(model=model, messages=messages)
    finally:
        litellm.disable_hf_tokenizer_download = previous
    approximate = kind in HUB_TOKENIZERS or (kind is None
                                             and provider(model) not in EXACT_PROVIDERS)
    return int(count), approximate


def prompt_tokens(model: str, messages: list[dict]) -> int | None:
    """How many input tokens `messages` are for `model` (litellm's counter), None if unknown."""
    try:
        return count_tokens(model, messages)[0]
    except Exception:  # a model litellm cannot tokenize
        return None


def max_output_tokens(model: str) -> int | None:
    """The most tokens `model` may answer with, from litellm's model map (None: unknown)."""
    try:
        found = litellm.get_model_info(model).get("max_output_tokens")
    except Exception:  # an unmapped model
        return None
    return int(found) if found else None


def server(model: str, api_base: str | None) -> tuple[str | None, int | None]:
    """Host and port of the endpoint a call to `model` goes to (`api_base`, else litellm's
    default for the provider); (None, None) when litellm knows none."""
    from urllib.parse import urlsplit

    try:
        base = api_base or litellm.get_api_base(model, {})
        parts = urlsplit(base or "")
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except Exception:  # an unknown provider or a malformed URL: the call reports it
        return None, None
    return (parts.hostname, port) if parts.hostname else (None, None)


def provider(model: str) -> str | None:
    try:
        return litellm.get_llm_provider(model)[1]
    except Exception:  # unknown provider: the call itself reports the error
        return None


# Order matters: subclasses before their bases (ContextWindowExceededError is a BadRequestError,
# Timeout an openai connection error).
_KINDS: list[tuple[type, str, bool]] = [
    (litellm.ContextWindowExceededError, "context_window", False),
    (litellm.ContentPolicyViolationError, "content_policy", False),
    (litellm.RateLimitError, "rate_limit", True),
    (litellm.Timeout, "timeout", True),
    (litellm.AuthenticationError, "auth", False),
    (litellm.PermissionDeniedError, "auth", False),
    (litellm.NotFoundError, "not_found", False),
    (litellm.BadRequestError, "bad_request", False),
    (litellm.ServiceUnavailableError, "server_error", True),
    (litellm.APIConnectionError, "connection", True),
    (litellm.InternalServerError, "server_error", True),
    (litellm.APIError, "server_error", True),
]

# A plain 400 is ambiguous: litellm versions differ in which subclass they pick for these
# provider error codes, so the code in the body decides (and names the class litellm exports).
_CODES: dict[str, tuple[type, str]] = {
    "content_policy_violation": (litellm.ContentPolicyViolationError, "content_policy"),
    "context_length_exceeded": (litellm.ContextWindowExceededError, "context_window"),
}

# When no response arrived, litellm reports a refused connection as a 500 and a stalled or
# broken stream as a 500, a 503 or a Timeout depending on its version: the transport error
# in the cause chain says what happened, and the class is named after it.
_TRANSPORT: dict[str, type] = {"timeout": litellm.Timeout, "connection": litellm.APIConnectionError}


def _subclass_names(cls: type) -> set[str]:
    return {cls.__name__}.union(*(_subclass_names(sub) for sub in cls.__subclasses__()))


# Names litellm puts before a message ("litellm.RateLimitError: RateLimitError: OpenAIException -
# ..."): its exception classes, the openai ones it wraps, and "<Provider>Exception".
_CLASS_NAMES = _subclass_names(openai.OpenAIError) | {
    name for name, value in list(vars(litellm.exceptions).items())
    if isinstance(value, type) and issubclass(value, BaseException)}
_PREFIX = re.compile(r"(?:litellm\.)?(\w+)(?::| -) ")


def _strip_prefixes(text: str) -> str:
    while (match := _PREFIX.match(text)) and (match.group(1) in _CLASS_NAMES
                                               or match.group(1).endswith("Exception")):
        text = text[match.end():]
    return text


def _message(exc: BaseException) -> str:
    """What the provider said, once: its own message if it sent one, else litellm's without the
    class names litellm puts before it."""
    text = provider_error(exc).get("message")
    if not isinstance(text, str) or not text:
        text = _strip_prefixes(str(getattr(exc, "message", None) or exc))
    return text  # whole: the runner scrubs secrets from it before it cuts it


def classify(exc: BaseException) -> Failure:
    """Turn an exception from a call into the fields of an attempt (never its debug info)."""
    status = getattr(exc, "status_code", None)
    failure = Failure(error_class=type(exc).__name__, message=_message(exc),
                      http_status=status if isinstance(status, int) else None)
    if isinstance(exc, SchemaValidationError):  # another sample or model may answer well
        failure.kind, failure.retryable = "schema_validation", True
        return failure
    for cls, kind, retryable in _KINDS:
        if isinstance(exc, cls):
            failure.kind, failure.retryable = kind, retryable
            break
    code = str(provider_error(exc).get("code"))
    if failure.kind == "bad_request" and code in _CODES:
        cls, failure.kind = _CODES[code]
        failure.error_class = cls.__name__
    headers = headers_of(exc)
    if headers is None and failure.kind in ("server_error", "timeout", "connection"):
        failure.http_status = None  # no response arrived: litellm made the status up
        transport = transport_error(exc)
        if transport is not None:
            kind, said = transport
            failure.kind, failure.retryable = kind, True
            failure.error_class = _TRANSPORT[kind].__name__
            failure.message = said or failure.message
    if failure.kind == "server_error" and failure.http_status is not None \
            and failure.http_status < 500:
        failure.retryable = False
    failure.rate_limited = failure.kind == "rate_limit"
    if headers:
        failure.retry_after = backoff.retry_after(headers)
    return failure
