"""A small OpenAI-compatible fake server for tests.

The first path segment before ``/v1`` selects a *behaviour*::

    server = FakeServer().start()
    litellm.completion(model="openai/gpt-4o-mini", api_base=server.base("e429"), ...)

litellm then POSTs to ``/e429/v1/chat/completions``.  Behaviours may carry an
argument in the segment (``flaky-2``, ``slow-0.5``, ``retry-after-3``).

Behaviours (see ``BEHAVIOURS`` below for the full list):

=================  ===========================================================
``ok``             200 chat.completion (content/usage from ``set_reply``)
``e400``           400 invalid_request_error         -> BadRequestError
``e401``           401 invalid_api_key               -> AuthenticationError
``e404``           404 model_not_found               -> NotFoundError
``e429``           429 rate_limit_exceeded           -> RateLimitError
``e500``           500 server_error                  -> InternalServerError
``e503``           503 server overloaded             -> ServiceUnavailableError
``context``        400 context_length_exceeded       -> ContextWindowExceededError
``policy``         400 content_policy_violation      -> ContentPolicyViolationError
``retry-after-N``  429 with ``Retry-After: N``       -> RateLimitError
``retry-after-date-N``  429, ``Retry-After`` an HTTP date N seconds ahead
``retry-after-ms-N``    429 with ``retry-after-ms: N`` (milliseconds)
``cost-X``         ok, with the proxy header ``x-litellm-response-cost: X``
``flaky-N``        first N requests 500, then ok
``flaky429-N``     first N requests 429, then ok
``slow-S``         sleep S seconds, then ok
``ttft-S``         (alias ``stream-delay-S``) headers at once, first chunk
                   after S seconds when streaming; like slow-S otherwise
``tools``          tool_call for tools[0] until a ``tool`` message is present,
                   then "done: <last tool message content>"
``stream-break``   a couple of chunks, then the connection is dropped
``malformed``      200 with a body that is not JSON
anything else      404 JSON error
=================  ===========================================================

Any success behaviour honours ``"stream": true`` (SSE, chunk per word, final
usage chunk when ``stream_options.include_usage`` is true, then ``[DONE]``).
"""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DEFAULT_CONTENT = "fake answer"
DEFAULT_USAGE = {"prompt_tokens": 12, "completion_tokens": 7}
DEFAULT_FINISH_REASON = "stop"
MODEL_SUFFIX = "-2024-08-06"

_PATH_RE = re.compile(r"^/(?P<behaviour>[^/]+)/v1(?P<rest>/.*)?$")

# Static error behaviours: name -> (status, message, type, code, param)
_ERRORS: dict[str, tuple[int, str, str, str | None, str | None]] = {
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
    *_ERRORS,
    "retry-after-N",
    "retry-after-date-N",
    "retry-after-ms-N",
    "cost-X",
    "flaky-N",
    "flaky429-N",
    "slow-S",
    "ttft-S",
    "stream-delay-S",
    "tools",
    "stream-break",
    "malformed",
)


def _error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _parse_behaviour(segment: str) -> tuple[str, float | None] | None:
    """Return (kind, argument) for a path segment, or None when unknown."""
    if segment in ("ok", "tools", "stream-break", "malformed") or segment in _ERRORS:
        return segment, None
    prefixes = ("retry-after-date-", "retry-after-ms-", "retry-after-", "cost-", "flaky429-",
                "flaky-", "slow-", "ttft-", "stream-delay-")
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


def _message_text(content: Any) -> str:
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


def _fake_arguments(tool: dict) -> dict:
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    fake: FakeServer

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # Clients hanging up (timeouts, stream-break) are expected: stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "FakeOpenAI/1.0"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    # ------------------------------------------------------------------ utils
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send_bytes(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(obj).encode(), headers=headers)

    def _send_error(self, name: str, model: str, headers: dict[str, str] | None = None) -> None:
        status, message, type_, code, param = _ERRORS[name]
        self._send_json(
            status, _error_body(message.format(model=model), type_, code, param), headers=headers
        )

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    # --------------------------------------------------------------- routing
    def do_GET(self) -> None:  # noqa: N802
        body = self._read_body()
        self._dispatch("GET", body)

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        self._dispatch("POST", body)

    def _dispatch(self, method: str, raw: bytes) -> None:
        fake = self.server.fake
        path = self.path.split("?", 1)[0]
        m = _PATH_RE.match(path)
        segment = m.group("behaviour") if m else None
        rest = (m.group("rest") or "") if m else ""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        attempt = fake._record(
            {
                "method": method,
                "path": path,
                "behaviour": segment,
                "json": body,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
        )
        parsed = _parse_behaviour(segment) if segment else None
        if parsed is None:
            self._send_json(
                404,
                _error_body(
                    f"Unknown fake behaviour {segment!r} (path {path!r})",
                    "not_found_error",
                    "unknown_behaviour",
                ),
            )
            return
        if method == "GET" and rest == "/models":
            self._send_json(
                200, {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]}
            )
            return
        if method != "POST" or rest != "/chat/completions":
            self._send_json(
                404,
                _error_body(
                    f"Invalid URL ({method} {path})", "invalid_request_error", "unknown_url"
                ),
            )
            return
        if not isinstance(body, dict):
            self._send_json(
                400,
                _error_body(
                    "We could not parse the JSON body of your request.",
                    "invalid_request_error",
                    None,
                ),
            )
            return
        self._chat(parsed[0], parsed[1], attempt, body)

    # ------------------------------------------------------------ behaviours
    def _chat(self, kind: str, arg: float | None, attempt: int, body: dict) -> None:
        fake = self.server.fake
        model = str(body.get("model") or "gpt-4o-mini")

        if kind in _ERRORS:
            self._send_error(kind, model)
            return
        if kind == "retry-after":
            self._send_error("e429", model, headers={"Retry-After": f"{arg:g}"})
            return
        if kind == "retry-after-date":
            when = formatdate(time.time() + (arg or 0), usegmt=True)
            self._send_error("e429", model, headers={"Retry-After": when})
            return
        if kind == "retry-after-ms":
            self._send_error("e429", model, headers={"retry-after-ms": f"{arg:g}"})
            return
        if kind == "flaky" and attempt <= (arg or 0):
            self._send_error("e500", model)
            return
        if kind == "flaky429" and attempt <= (arg or 0):
            self._send_error("e429", model)
            return
        if kind == "malformed":
            self._send_bytes(200, b"<html>this is not JSON {", content_type="application/json")
            return
        if kind == "slow" and arg and not fake._sleep(arg):
            return

        reply = fake._reply_snapshot()
        content: str | None = reply["content"]
        finish_reason: str = reply["finish_reason"]
        tool_calls: list[dict] | None = None
        if kind == "tools":
            content, finish_reason, tool_calls = self._tools_turn(body)

        usage = dict(reply["usage"])
        usage.setdefault("prompt_tokens", DEFAULT_USAGE["prompt_tokens"])
        usage.setdefault("completion_tokens", DEFAULT_USAGE["completion_tokens"])
        usage.setdefault("total_tokens", usage["prompt_tokens"] + usage["completion_tokens"])

        common = {
            "id": f"chatcmpl-fake{uuid.uuid4().hex[:20]}",
            "created": int(time.time()),
            "model": model + MODEL_SUFFIX,
            "system_fingerprint": "fp_fake",
        }

        extra = {"x-litellm-response-cost": f"{arg:g}"} if kind == "cost" else {}
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            delay = arg if kind == "ttft" else 0.0
            self._stream(
                common,
                content,
                finish_reason,
                tool_calls,
                usage if include_usage else None,
                delay=delay or 0.0,
                brk=kind == "stream-break",
                headers=extra,
            )
            return

        if kind == "ttft" and arg and not fake._sleep(arg):
            return
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        if tool_calls:
            message["tool_calls"] = tool_calls
        payload = {
            **common,
            "object": "chat.completion",
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
            ],
            "usage": usage,
        }
        if kind == "stream-break":
            # Promise more than we send, then hang up.
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self._abort()
            return
        self._send_json(200, payload, headers=extra)

    def _tools_turn(self, body: dict) -> tuple[str | None, str, list[dict] | None]:
        messages = body.get("messages") or []
        tool_msgs = [m for m in messages if isinstance(m, dict) and m.get("role") == "tool"]
        if tool_msgs:
            return f"done: {_message_text(tool_msgs[-1].get('content'))}", "stop", None
        tools = body.get("tools") or []
        if not tools:
            return "no tools were offered", "stop", None
        tool = tools[0]
        name = (tool.get("function") or {}).get("name") or "tool"
        call = {
            "id": f"call_fake{uuid.uuid4().hex[:16]}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(_fake_arguments(tool))},
        }
        return None, "tool_calls", [call]

    def _stream(
        self,
        common: dict,
        content: str | None,
        finish_reason: str,
        tool_calls: list[dict] | None,
        usage: dict | None,
        *,
        delay: float,
        brk: bool,
        headers: dict[str, str],
    ) -> None:
        fake = self.server.fake
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.flush()

        def event(delta: dict | None, finish: str | None = None, use: dict | None = None) -> None:
            chunk: dict[str, Any] = {**common, "object": "chat.completion.chunk"}
            chunk["choices"] = (
                []
                if delta is None
                else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
            )
            if usage is not None:
                chunk["usage"] = use
            self._write_chunk(b"data: " + json.dumps(chunk).encode() + b"\n\n")

        if delay and not fake._sleep(delay):
            self._abort()
            return

        event({"role": "assistant", "content": "", "refusal": None})
        pieces: list[str] = re.findall(r"\S+\s*|\s+", content) if content else []
        if brk:
            for piece in pieces[:2] or ["partial"]:
                event({"content": piece})
            self._abort()
            return
        for piece in pieces:
            event({"content": piece})
        if tool_calls:
            for i, call in enumerate(tool_calls):
                event(
                    {
                        "tool_calls": [
                            {
                                "index": i,
                                "id": call["id"],
                                "type": "function",
                                "function": {"name": call["function"]["name"], "arguments": ""},
                            }
                        ]
                    }
                )
                event(
                    {
                        "tool_calls": [
                            {"index": i, "function": {"arguments": call["function"]["arguments"]}}
                        ]
                    }
                )
        event({}, finish_reason)
        if usage is not None:
            event(None, use=usage)
        self._write_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _abort(self) -> None:
        """Drop the connection without finishing the response."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class FakeServer:
    """OpenAI-compatible fake; see the module docstring for behaviours."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._requests: list[dict] = []
        self._attempts: dict[str | None, int] = {}
        self._reply: dict[str, Any] = {}
        self.set_reply()

    # ------------------------------------------------------------- lifecycle
    def start(self) -> FakeServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ urls
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeServer is not running")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base(self, behaviour: str = "ok") -> str:
        """api_base for litellm selecting ``behaviour``, e.g. ``.../ok/v1``."""
        return f"{self.url}/{behaviour}/v1"

    # ---------------------------------------------------------- configuration
    def set_reply(
        self,
        content: str | None = None,
        usage: dict[str, int] | None = None,
        finish_reason: str | None = None,
    ) -> None:
        """Override the success reply; arguments left as None get the defaults.

        ``usage`` may give prompt_tokens / completion_tokens (total_tokens is
        computed unless given).
        """
        with self._lock:
            self._reply = {
                "content": DEFAULT_CONTENT if content is None else content,
                "usage": dict(DEFAULT_USAGE if usage is None else usage),
                "finish_reason": finish_reason or DEFAULT_FINISH_REASON,
            }

    # ----------------------------------------------------------- inspection
    @property
    def requests(self) -> list[dict]:
        """Snapshot of requests: dicts with method, path, behaviour, json, headers.

        Header names are lower-cased: HTTP does not distinguish their case, clients do.
        """
        with self._lock:
            return copy.deepcopy(self._requests)

    def count(self, behaviour: str | None = None) -> int:
        """Number of requests received, optionally only for one behaviour segment."""
        with self._lock:
            if behaviour is None:
                return len(self._requests)
            return sum(1 for r in self._requests if r["behaviour"] == behaviour)

    def reset(self) -> None:
        """Clear the request log and the per-behaviour counters (flaky-N etc.)."""
        with self._lock:
            self._requests.clear()
            self._attempts.clear()

    # -------------------------------------------------------------- internal
    def _record(self, entry: dict) -> int:
        with self._lock:
            self._requests.append(entry)
            n = self._attempts.get(entry["behaviour"], 0) + 1
            self._attempts[entry["behaviour"]] = n
            return n

    def _reply_snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._reply)

    def _sleep(self, seconds: float) -> bool:
        """Sleep in small steps; False if the server is stopping."""
        return not self._stopping.wait(seconds)


@pytest.fixture
def fake_server():
    """A started FakeServer, stopped after the test."""
    server = FakeServer().start()
    try:
        yield server
    finally:
        server.stop()
