"""`agentlog export otlp`: the selected executions as spans, in requests of BATCH spans.

The rows come through the log's own export streaming (JSON Lines, in blocks, flat memory),
read line by line as it writes them; running executions are left out (their trace is not
complete yet).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from agentlog.errors import AgentlogError
from agentlog.otel import spans
from agentlog.otel.sender import Sender
from agentlog.store.conditions import OneOf
from agentlog.store.log import Log
from agentlog.store.query import Query

BATCH = 1000  # spans per request, unless --batch-size says else
TIMEOUT = 10.0  # seconds per request, retries included, unless --timeout says else
FINAL = ("success", "error", "timeout")


@dataclass
class Sent:
    executions: int = 0
    spans: int = 0


class _Lines:
    """A binary stream that `Log.export` writes JSON Lines into: each complete line becomes
    spans, sent in requests of `batch` as soon as that many are pending."""

    def __init__(self, log_id: str, sender: Sender, sent: Sent, batch: int):
        self.log_id, self.sender, self.sent, self.batch = log_id, sender, sent, batch
        self.resource = spans.resource()
        self.pending: list = []
        self.rest = b""

    def write(self, data: bytes) -> int:
        *lines, self.rest = (self.rest + data).split(b"\n")
        for line in lines:
            if line.strip():
                self.pending += spans.execution_spans(self.log_id, json.loads(line),
                                                      self.resource)
                self.sent.executions += 1
        while len(self.pending) >= self.batch:
            self._send()
        return len(data)

    def flush(self) -> None:
        """Send what is pending, the last request possibly smaller than a batch."""
        while self.pending:
            self._send()

    def _send(self) -> None:
        batch, self.pending = self.pending[:self.batch], self.pending[self.batch:]
        problem = self.sender.send(batch)
        if problem is not None:
            raise AgentlogError(f"cannot send spans to {self.sender.url}: {problem} "
                                f"({self.sent.spans:,} spans were sent before)")
        self.sent.spans += len(batch)


def selection(query: Query) -> Query:
    """The finalized executions of `query`."""
    return query.where(OneOf(("status",), FINAL))


def export(log: Log, query: Query, url: str, headers: Mapping[str, str] | None = None,
           progress: Callable[[int], None] | None = None, batch: int | None = None,
           timeout: float | None = None) -> Sent:
    sent = Sent()
    sender = Sender(url, headers, timeout or TIMEOUT)
    try:
        lines = _Lines(log.log_id(), sender, sent, batch or BATCH)
        log.export(selection(query), "jsonl", lines, list(spans.COLUMNS), progress=progress)
        lines.write(b"\n")
        lines.flush()
    finally:
        sender.close()
    return sent
