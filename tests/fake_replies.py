"""What the fake server answers: its behaviours, error bodies and canned replies
(tests/fakeserver.py describes them)."""

from __future__ import annotations

import re
from typing import Any

DEFAULT_CONTENT = "fake answer"
DEFAULT_USAGE = {"prompt_tokens": 12, "completion_tokens": 7}
DEFAULT_FINISH_REASON = "stop"
MODEL_SUFFIX = "-2024-08-06"
TRICKLE_PIECES = 20  # trickle-S sends its answer in this many pieces over S seconds

PATH_RE = re.compile(r"^/(?P<behaviour>[^/]+)/v1(?P<rest>/.*)?$")

# Static error behaviours: name -> (status, message, type, code, param)
ERRORS: dict[str, tuple[int, str, str, str | None, str | None]] = {
    "e400": (
        400,
        "Invalid value for 'temperature': expected a number between 0 and 2.",
        "invalid_request_error",
        "invalid_value",
        "temperature",
    ),
    "e401": (
        401,
        "Incorrect API key provided: x. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
        None,
    ),
    "e404": (
        404,
        "The model `{model}` does not exist or you do not have access to it.",
        "invalid_request_error",
        "model_not_found",
        None,
    ),
    "e429": (
        429,
        "Rate limit reached for {model} in organization org-fake on tokens per min "
        "(TPM): Limit 200000, Used 199990, Requested 50. Please try again in 15ms.",
        "tokens",
        "rate_limit_exceeded",
        None,
    ),
    "e500": (
        500,
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
        None,
    ),
    "e503": (
        503,
        "The engine is currently overloaded, please try again later.",
        "server_error",
        None,
        None,
    ),
    "context": (
        400,
        "This model's maximum context length is 128000 tokens. However, your "
        "messages resulted in 200000 tokens. Please reduce the length of the messages.",
        "invalid_request_error",
        "context_length_exceeded",
        "messages",
    ),
    "policy": (
        400,
        "Your request was rejected as a result of our safety system. Your prompt "
        "may contain text that is not allowed by our safety system.",
        "invalid_request_error",
        "content_policy_violation",
        None,
    ),
}

BEHAVIOURS = (
    "ok",
    *ERRORS,
    "retry-after-N",
    "retry-after-date-N",
    "retry-after-ms-N",
    "cost-X",
    "flaky-N",
    "flaky429-N",
    "slow-S",
    "ttft-S",
    "stream-delay-S",
    "trickle-S",
    "tools",
    "stream-break",
    "malformed",
)


def error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def parse_behaviour(segment: str) -> tuple[str, float | None] | None:
    """Return (kind, argument) for a path segment, or None when unknown."""
    if segment in ("ok", "tools", "stream-break", "malformed") or segment in ERRORS:
        return segment, None
    prefixes = ("retry-after-date-", "retry-after-ms-", "retry-after-", "cost-", "flaky429-",
                "flaky-", "slow-", "ttft-", "stream-delay-", "trickle-")
    for prefix in prefixes:
        if segment.startswith(prefix):
            try:
                value = float(segment[len(prefix) :])
            except ValueError:
                return None
            if value < 0:
                return None
            kind = prefix[:-1]
            if kind == "stream-delay":
                kind = "ttft"
            return kind, value
    return None


def message_text(content: Any) -> str:
    """Text of a message ``content`` that may be a string or a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict):
                parts.append(str(part.get("text", "")))
            else:
                parts.append(str(part))
        return "".join(parts)
    return str(content)


def fake_arguments(tool: dict) -> dict:
    """Arguments for a tool's required parameters: str->"x", int/number->1, bool->True."""
    params = (tool.get("function") or {}).get("parameters") or {}
    props = params.get("properties") or {}
    args: dict[str, Any] = {}
    for name in params.get("required") or []:
        schema = props.get(name) or {}
        if schema.get("enum"):
            args[name] = schema["enum"][0]
            continue
        typ = schema.get("type", "string")
        if isinstance(typ, list):
            typ = next((t for t in typ if t != "null"), "string")
        if typ in ("integer", "number"):
            args[name] = 1
        elif typ == "boolean":
            args[name] = True
        elif typ == "array":
            args[name] = []
        elif typ == "object":
            args[name] = {}
        else:
            args[name] = "x"
    return args
