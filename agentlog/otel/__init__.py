"""Executions as OpenTelemetry traces, over OTLP/HTTP: `agentlog export otlp` (export.py) and
the live export of `settings.otlp` (live.py). spans.py turns one execution into its spans.

The SDK and the exporter are the `otel` extra: nothing outside this package imports them, and
only the commands that send spans import this package's modules.
"""

from __future__ import annotations

from agentlog.errors import ConfigError

EXTRA = 'pip install "agentlog[otel]"'
DEFAULT_ENDPOINT = "http://127.0.0.1:4318"


def require() -> None:
    """Raise ConfigError naming the extra to install when the OpenTelemetry SDK is missing."""
    try:
        import opentelemetry.exporter.otlp.proto.http.trace_exporter  # noqa: F401
        import opentelemetry.sdk.trace  # noqa: F401
        import opentelemetry.semconv._incubating.attributes.gen_ai_attributes  # noqa: F401
    except ImportError:
        raise ConfigError(f"sending OpenTelemetry spans needs the otel extra: {EXTRA}") from None


def traces_url(endpoint: str | None) -> str:
    """The OTLP/HTTP traces URL of a collector's base URL (`/v1/traces` appended, as the
    OTLP exporter specification says for OTEL_EXPORTER_OTLP_ENDPOINT)."""
    import os

    base = (endpoint or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or DEFAULT_ENDPOINT)
    base = base.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"
