"""Live export (`settings.otlp`): each execution's spans, sent from a background thread as
soon as it finalizes.

A collector that is down or slow never slows or fails a run: executions wait in a bounded
queue (QUEUE) for the one sending thread, each request gives up after TIMEOUT seconds
(retries included), and what cannot be sent is dropped and counted. At exit the queue gets
EXIT_WAIT seconds to drain; then one warning line says how many spans were dropped.
"""

from __future__ import annotations

import atexit
import queue
import sys
import threading
import time
from typing import Any

from agentlog.errors import AgentlogError

QUEUE = 1000  # executions waiting to be sent
TIMEOUT = 2.0  # seconds per request
EXIT_WAIT = 1.0  # seconds the queue gets to drain at exit

_exports: dict[str, LiveExport] = {}
_log_ids: dict[str, str] = {}
_lock = threading.Lock()


def _span_count(row: dict[str, Any]) -> int:
    return 1 + len(row.get("attempts") or ()) + len(row.get("tool_calls") or ())


class LiveExport:
    def __init__(self, url: str, headers: dict[str, str] | None):
        from agentlog.otel import spans
        from agentlog.otel.sender import Sender

        self.url = url
        self.sender = Sender(url, headers, TIMEOUT)
        self.resource = spans.resource()
        self.queue: queue.Queue = queue.Queue(QUEUE)
        self.dropped = 0
        self.problem: str | None = None
        self.current = 0  # spans of the request being sent
        self._counts = threading.Lock()
        threading.Thread(target=self._work, name="otlp-live", daemon=True).start()

    def offer(self, log_id: str, row: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait((log_id, row))
        except queue.Full:
            self._drop(_span_count(row), "the queue of spans to send was full")

    def _drop(self, count: int, problem: str) -> None:
        with self._counts:
            self.dropped += count
            self.problem = problem

    def _work(self) -> None:
        from agentlog.otel.spans import execution_spans

        while True:
            log_id, row = self.queue.get()
            try:
                batch = execution_spans(log_id, row, self.resource)
                self.current = len(batch)
                problem = self.sender.send(batch)
            except Exception as e:  # a bad row must not stop the thread
                problem = f"{type(e).__name__}: {e}"
            if problem is not None:
                self._drop(self.current or _span_count(row), problem)
            self.current = 0
            self.queue.task_done()

    def finish(self, wait: float = EXIT_WAIT) -> int:
        """Wait up to `wait` seconds for what is queued; count the rest as dropped."""
        deadline = time.monotonic() + wait
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        left = self.current
        while True:
            try:
                left += _span_count(self.queue.get_nowait()[1])
            except queue.Empty:
                break
        if left:
            self._drop(left, f"the collector did not answer within {wait:g} s of the end")
        return self.dropped


def _finish_all() -> None:
    for export in list(_exports.values()):
        dropped = export.finish()
        if dropped:
            print(f"agentlog: warning: OpenTelemetry export to {export.url} dropped "
                  f"{dropped:,} span{'' if dropped == 1 else 's'} ({export.problem})",
                  file=sys.stderr)


def send(otlp, log, execution) -> None:
    """Queue the spans of a finalized execution for `otlp` (settings.otlp); never raises."""
    from agentlog import otel

    try:
        otel.require()
        url = otel.traces_url(otlp.endpoint)
        with _lock:
            if url not in _exports:
                if not _exports:
                    atexit.register(_finish_all)
                _exports[url] = LiveExport(url, dict(otlp.headers) or None)
            if log.where not in _log_ids:
                _log_ids[log.where] = log.log_id()
        _exports[url].offer(_log_ids[log.where], execution.to_dict())
    except AgentlogError as e:
        _warn_once(str(e))
    except Exception as e:  # the run succeeded; its export is only an observer
        _warn_once(f"OpenTelemetry export failed: {type(e).__name__}: {e}")


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        print(f"agentlog: warning: {message}; executions are not exported", file=sys.stderr)
