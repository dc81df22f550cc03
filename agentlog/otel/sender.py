"""The OTLP/HTTP exporter of the SDK, with its log messages kept for agentlog's own one-line
errors instead of printed (a collector that is down would print a warning per batch)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult


class _Last(logging.Handler):
    """The exporter's last message, and the error behind its retries (its first argument)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.message: str | None = None
        self.cause: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.message = record.getMessage()
        if record.msg.startswith("Transient error") and record.args:
            self.cause = str(record.args[0])


_last = _Last()
_logger = logging.getLogger("opentelemetry")
_logger.addHandler(_last)
_logger.propagate = False


class Sender:
    def __init__(self, url: str, headers: Mapping[str, str] | None, timeout: float):
        self.url = url
        self._exporter = OTLPSpanExporter(endpoint=url, headers=dict(headers or {}) or None,
                                          timeout=timeout)

    def send(self, spans: Sequence[ReadableSpan]) -> str | None:
        """Send one request; None when the collector took it, else why not (one line)."""
        _last.message = _last.cause = None
        try:
            result = self._exporter.export(spans)
        except Exception as e:  # the exporter reports most failures itself; any other too
            return f"{type(e).__name__}: {e}"
        if result is SpanExportResult.SUCCESS:
            return None
        if _last.cause:
            return f"no success after retrying: {_last.cause}"
        return _last.message or "the collector did not accept the spans"

    def close(self) -> None:
        self._exporter.shutdown()
