"""One execution as OpenTelemetry spans, named by the GenAI semantic conventions.

A trace per execution: an `invoke_agent {agent}` span for the whole execution, a `chat {model}`
child per attempt (timed by the attempt) and an `execute_tool {name}` child per tool call.
Trace and span ids are hashes of the log's own id and the execution id, so the same execution
exported twice has the same ids (a backend can deduplicate) and two logs never collide.
Prompts, responses and tool arguments are not sent: the conventions make content opt-in.

The attribute names come from the `opentelemetry-semantic-conventions` package (some exist
only in its incubating module, hence the pinned version); agentlog's own live under
`agentlog.`.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes import (
    error_attributes,
    http_attributes,
    server_attributes,
)
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from agentlog import __version__
from agentlog.timeutil import parse_iso

# The columns spans are made of (what `export otlp` reads of each execution).
COLUMNS = (
    "id", "agent_type", "agent_version", "model_id", "chosen_model_id", "provider", "status",
    "created_at", "started_at", "completed_at", "duration_ms", "time_to_first_token_ms",
    "input_tokens", "output_tokens", "cached_tokens", "cache_creation_tokens",
    "reasoning_tokens", "input_cost", "output_cost", "total_cost", "cost_source", "streaming",
    "temperature", "finish_reason", "error_class", "error_message", "metadata", "tool_calls",
    "attempts", "fallback_reason", "cache_hit", "tenant_id", "batch_id", "response_model",
    "response_id", "server_address", "server_port", "max_tokens",
)
OPERATION = gen_ai.GenAiOperationNameValues
SCOPE = InstrumentationScope("agentlog", __version__)
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_MESSAGE_LIMIT = 500  # characters of an error message in a span's status


def resource() -> Resource:
    """service.name agentlog, unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say else."""
    return Resource.create({"service.name": "agentlog", "service.version": __version__})


def _id(bits: int, *parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=bits // 8).digest()
    return int.from_bytes(digest, "big") or 1  # an all-zero id is invalid


def _ns(iso: str | None) -> int | None:
    if not iso:
        return None
    moment = parse_iso(iso)
    return calendar.timegm(moment.utctimetuple()) * 10**9 + moment.microsecond * 1000


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None and v != []}


def _status(error_class: str | None, message: str | None, failed: bool) -> Status:
    if not failed:
        return Status(StatusCode.UNSET)
    text = f"{error_class or 'error'}: {message or ''}".rstrip(": ")[:_MESSAGE_LIMIT]
    return Status(StatusCode.ERROR, text)


def _execution_attributes(e: dict[str, Any]) -> dict[str, Any]:
    attributes = {
        gen_ai.GEN_AI_OPERATION_NAME: OPERATION.INVOKE_AGENT.value,
        gen_ai.GEN_AI_AGENT_NAME: e["agent_type"],
        gen_ai.GEN_AI_AGENT_VERSION: e.get("agent_version"),
        gen_ai.GEN_AI_REQUEST_MODEL: e.get("model_id"),
        gen_ai.GEN_AI_RESPONSE_MODEL: e.get("response_model"),
        gen_ai.GEN_AI_PROVIDER_NAME: e.get("provider"),
        gen_ai.GEN_AI_RESPONSE_ID: e.get("response_id"),
        gen_ai.GEN_AI_REQUEST_TEMPERATURE: e.get("temperature"),
        gen_ai.GEN_AI_REQUEST_MAX_TOKENS: e.get("max_tokens"),
        gen_ai.GEN_AI_REQUEST_STREAM: bool(e.get("streaming")),
        gen_ai.GEN_AI_USAGE_INPUT_TOKENS: e.get("input_tokens"),
        gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS: e.get("output_tokens"),
        gen_ai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: e.get("cached_tokens"),
        gen_ai.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: e.get("cache_creation_tokens"),
        gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: e.get("reasoning_tokens"),
        gen_ai.GEN_AI_RESPONSE_FINISH_REASONS: [e["finish_reason"]]
        if e.get("finish_reason") else None,
        server_attributes.SERVER_ADDRESS: e.get("server_address"),
        server_attributes.SERVER_PORT: e.get("server_port"),
        error_attributes.ERROR_TYPE: e.get("error_class") if e["status"] != "success" else None,
        "agentlog.execution.id": e["id"],
        "agentlog.status": e["status"],
        "agentlog.cost.input_usd": e.get("input_cost"),
        "agentlog.cost.output_usd": e.get("output_cost"),
        "agentlog.cost.total_usd": e.get("total_cost"),
        "agentlog.cost.source": e.get("cost_source"),
        "agentlog.tenant": e.get("tenant_id"),
        "agentlog.batch": e.get("batch_id"),
        "agentlog.cache_hit": bool(e.get("cache_hit")),
        "agentlog.fallback_reason": e.get("fallback_reason"),
    }
    if e.get("time_to_first_token_ms") is not None:
        attributes[gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = \
            e["time_to_first_token_ms"] / 1000
    for key, value in (e.get("metadata") or {}).items():
        if isinstance(value, (str, bool, int, float)):
            attributes[f"agentlog.metadata.{key}"] = value
        elif value is not None:
            attributes[f"agentlog.metadata.{key}"] = json.dumps(value, ensure_ascii=False)
    return _clean(attributes)


def _attempt_attributes(e: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
    model = a.get("model")
    return _clean({
        gen_ai.GEN_AI_OPERATION_NAME: OPERATION.CHAT.value,
        gen_ai.GEN_AI_REQUEST_MODEL: model,
        gen_ai.GEN_AI_RESPONSE_MODEL: a.get("response_model"),
        gen_ai.GEN_AI_RESPONSE_ID: a.get("response_id"),
        gen_ai.GEN_AI_PROVIDER_NAME: e.get("provider")
        if model == e.get("chosen_model_id") else None,
        gen_ai.GEN_AI_REQUEST_TEMPERATURE: e.get("temperature"),
        gen_ai.GEN_AI_REQUEST_MAX_TOKENS: e.get("max_tokens"),
        gen_ai.GEN_AI_USAGE_INPUT_TOKENS: a.get("input_tokens"),
        gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS: a.get("output_tokens"),
        server_attributes.SERVER_ADDRESS: a.get("server_address"),
        server_attributes.SERVER_PORT: a.get("server_port"),
        http_attributes.HTTP_RESPONSE_STATUS_CODE: a.get("http_status"),
        error_attributes.ERROR_TYPE: a.get("error_class") if a.get("status") != "success"
        else None,
        "agentlog.attempt": a.get("attempt"),
        "agentlog.cost.total_usd": a.get("cost"),
        "agentlog.retryable": a.get("retryable") if a.get("status") != "success" else None,
        "agentlog.rate_limited": a.get("rate_limited") or None,
        "agentlog.retry_after": a.get("retry_after"),
    })


def _tool_attributes(call: dict[str, Any]) -> dict[str, Any]:
    return _clean({
        gen_ai.GEN_AI_OPERATION_NAME: OPERATION.EXECUTE_TOOL.value,
        gen_ai.GEN_AI_TOOL_NAME: call.get("name"),
        gen_ai.GEN_AI_TOOL_CALL_ID: call.get("id"),
        gen_ai.GEN_AI_TOOL_TYPE: "function",
        error_attributes.ERROR_TYPE: "ToolError" if call.get("error") else None,
    })


def execution_spans(log_id: str, e: dict[str, Any], res: Resource) -> list[ReadableSpan]:
    """The spans of one finalized execution (`Execution.to_dict()` or an exported JSON line:
    times as UTC ISO strings, JSON columns as values)."""
    trace_id = _id(128, log_id, e["id"])
    root = SpanContext(trace_id, _id(64, log_id, e["id"], "execution"), False, _SAMPLED)
    start = _ns(e.get("started_at")) or _ns(e["created_at"])
    end = _ns(e.get("completed_at")) or start + (e.get("duration_ms") or 0) * 1_000_000
    failed = e["status"] != "success"
    out = [ReadableSpan(
        f"{OPERATION.INVOKE_AGENT.value} {e['agent_type']}", root, None, res,
        _execution_attributes(e), kind=SpanKind.INTERNAL, instrumentation_scope=SCOPE,
        status=_status(e.get("error_class"), e.get("error_message"), failed),
        start_time=start, end_time=max(end, start))]
    for a in e.get("attempts") or ():
        begin = _ns(a.get("started_at")) or start
        context = SpanContext(trace_id, _id(64, log_id, e["id"], "attempt", a.get("attempt")),
                              False, _SAMPLED)
        out.append(ReadableSpan(
            f"{OPERATION.CHAT.value} {a.get('model')}", context, root, res,
            _attempt_attributes(e, a), kind=SpanKind.CLIENT, instrumentation_scope=SCOPE,
            status=_status(a.get("error_class"), a.get("error_message"),
                           a.get("status") != "success"),
            start_time=begin, end_time=begin + (a.get("duration_ms") or 0) * 1_000_000))
    for n, call in enumerate(e.get("tool_calls") or (), 1):
        begin = _ns(call.get("started_at")) or start
        context = SpanContext(trace_id, _id(64, log_id, e["id"], "tool", n), False, _SAMPLED)
        out.append(ReadableSpan(
            f"{OPERATION.EXECUTE_TOOL.value} {call.get('name')}", context, root, res,
            _tool_attributes(call), kind=SpanKind.INTERNAL, instrumentation_scope=SCOPE,
            status=_status("ToolError", call.get("error"), bool(call.get("error"))),
            start_time=begin, end_time=begin + (call.get("duration_ms") or 0) * 1_000_000))
    return out
