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
``trickle-S``      the answer spread over S seconds in 20 pieces: the body a few
                   bytes at a time, or one streamed token every S/20 seconds
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
import threading
from typing import Any

import pytest
from fake_handler import Handler, Server
from fake_replies import DEFAULT_CONTENT, DEFAULT_FINISH_REASON, DEFAULT_USAGE


class FakeServer:
    """OpenAI-compatible fake; see the module docstring for behaviours."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: Server | None = None
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
        httpd = Server(("127.0.0.1", 0), Handler)
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
