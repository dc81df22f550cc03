"""The fake server's HTTP side: one handler per request, answering as its behaviour says
(tests/fakeserver.py describes them)."""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from fake_replies import (
    DEFAULT_USAGE,
    ERRORS,
    MODEL_SUFFIX,
    PATH_RE,
    TRICKLE_PIECES,
    error_body,
    fake_arguments,
    message_text,
    parse_behaviour,
)

if TYPE_CHECKING:
    from fakeserver import FakeServer


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    fake: FakeServer

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # Clients hanging up (timeouts, stream-break) are expected: stay quiet.
        pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "FakeOpenAI/1.0"
    sys_version = ""
    server: Server

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
        status, message, type_, code, param = ERRORS[name]
        self._send_json(
            status, error_body(message.format(model=model), type_, code, param), headers=headers
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
        m = PATH_RE.match(path)
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
        parsed = parse_behaviour(segment) if segment else None
        if parsed is None:
            self._send_json(
                404,
                error_body(
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
                error_body(
                    f"Invalid URL ({method} {path})", "invalid_request_error", "unknown_url"
                ),
            )
            return
        if not isinstance(body, dict):
            self._send_json(
                400,
                error_body(
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

        if kind in ERRORS:
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
                gap=(arg or 0.0) / TRICKLE_PIECES if kind == "trickle" else 0.0,
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
        if kind == "trickle":
            self._trickle(json.dumps(payload).encode(), (arg or 0.0) / TRICKLE_PIECES)
            return
        self._send_json(200, payload, headers=extra)

    def _trickle(self, data: bytes, gap: float) -> None:
        """A 200 whose body arrives in TRICKLE_PIECES pieces, `gap` seconds apart."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        size = -(-len(data) // TRICKLE_PIECES)
        for start in range(0, len(data), size):
            if not self.server.fake._sleep(gap):
                self._abort()
                return
            self.wfile.write(data[start:start + size])
            self.wfile.flush()

    def _tools_turn(self, body: dict) -> tuple[str | None, str, list[dict] | None]:
        messages = body.get("messages") or []
        tool_msgs = [m for m in messages if isinstance(m, dict) and m.get("role") == "tool"]
        if tool_msgs:
            return f"done: {message_text(tool_msgs[-1].get('content'))}", "stop", None
        tools = body.get("tools") or []
        if not tools:
            return "no tools were offered", "stop", None
        tool = tools[0]
        name = (tool.get("function") or {}).get("name") or "tool"
        call = {
            "id": f"call_fake{uuid.uuid4().hex[:16]}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(fake_arguments(tool))},
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
        gap: float = 0.0,
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
            if gap and not fake._sleep(gap):
                self._abort()
                return
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
