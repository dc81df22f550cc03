"""`agentlog export otlp`: the matching executions as OpenTelemetry GenAI spans, sent to a
collector over OTLP/HTTP (agentlog/otel/)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from agentlog.cli import filters
from agentlog.cli.options import ConfigOpt, DbOpt
from agentlog.errors import ConfigError


def _headers(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None  # the exporter reads OTEL_EXPORTER_OTLP_HEADERS
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--headers expects KEY=VALUE, got '{pair}'")
        out[key.strip()] = value
    return out


@filters.options
def otlp(
    where: filters.Values,
    endpoint: Annotated[Optional[str], typer.Option(
        "--endpoint", metavar="URL", show_default=False,
        help="The collector's OTLP/HTTP base URL (/v1/traces is appended). Default: "
             "$OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318.")] = None,
    headers: Annotated[Optional[list[str]], typer.Option(
        "--headers", metavar="KEY=VALUE", show_default=False,
        help="A header of every request (repeatable), e.g. an API key. Default: "
             "$OTEL_EXPORTER_OTLP_HEADERS.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(
        "--batch-size", min=1, metavar="N", show_default=False,
        help="Spans per request. Default: 1000; smaller for a backend that is slow to take "
             "a request.")] = None,
    request_timeout: Annotated[Optional[float], typer.Option(
        "--request-timeout", min=0.1, metavar="SECONDS", show_default=False,
        help="How long one request may take, the exporter's retries included. "
             "Default: 10.")] = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=0, metavar="N", show_default=False,
        help="At most N executions (the newest). Default: every match.")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Send the matching executions to an OpenTelemetry collector as GenAI spans.

    One trace per execution: an invoke_agent span, a chat span per attempt, an
    execute_tool span per tool call. Re-sending gives the same trace and span ids.
    Needs the otel extra: pip install "agentlog[otel]". Running executions are skipped.

    Examples:

      agentlog export otlp --today

      agentlog export otlp --endpoint http://collector:4318 --headers "x-api-key=…" --failed
    """
    from agentlog import otel

    otel.require()
    from agentlog.cli import context, progress
    from agentlog.otel import export as otlp_export

    settings = context.settings(config)
    query = filters.to_query(where, settings).limit(limit)
    url = otel.traces_url(endpoint)
    sent_headers = _headers(headers)
    log = context.log(db, settings.db)
    with progress.bar(lambda: _total(log, otlp_export.selection(query)),
                      "export otlp", "executions") as advance:
        sent = otlp_export.export(log, query, url, sent_headers, advance, batch_size,
                                  request_timeout)
    typer.echo(f"sent {sent.executions:,} execution{'' if sent.executions == 1 else 's'} "
               f"({sent.spans:,} spans) to {url}", err=True)


def _total(log, query) -> int:
    count = log.count(query)
    return count if query.max_rows is None else min(count, query.max_rows)
