"""`agentlog export csv|json|jsonl`: the matching executions, streamed to a file or stdout."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, BinaryIO, Optional

import typer

from agentlog.cli import filters
from agentlog.cli.options import ConfigOpt, DbOpt
from agentlog.cli.pipes import reader_left
from agentlog.store import EXPORT_FORMATS

Format = Enum("Format", {name: name for name in EXPORT_FORMATS}, type=str)


@filters.options
def export(
    where: filters.Values,
    fmt: Annotated[Format, typer.Argument(metavar="FORMAT", show_default=False,
                                          help="csv, json (one array) or jsonl.")],
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", show_default=False,
        help="Write to FILE (replaced only once the export is complete). Default: stdout.")]
        = None,
    columns: Annotated[Optional[str], typer.Option(
        "--columns", metavar="A,B,…", show_default=False,
        help="Columns in this order: id, time, agent, model, status, tokens, cost, duration, "
             "tenant, batch, version, error (the names of list --columns and --sort), or any "
             "column of the log by its name. Default: every column.")] = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=0, metavar="N", show_default=False,
        help="At most N executions (the newest). Default: every match.")] = None,
    raw: Annotated[bool, typer.Option(
        "--raw", help="CSV: keep cells beginning with = + - @ tab or CR as they are, instead "
                      "of prefixing a single quote that stops spreadsheets running them.")]
        = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Export the matching executions, newest first, as CSV, a JSON array or JSON Lines.

    Takes every filter of `list`. Rows are streamed, so any size of log exports in flat
    memory. A file is written atomically: a failed export leaves no file behind.

    Examples:

      agentlog export csv -o runs.csv --this-month

      agentlog export jsonl --failed --since 7d | jq .error_message

      agentlog export json --agent summarize --columns id,created_at,total_cost -o cost.json
    """
    from agentlog import store
    from agentlog.cli import agentnames, context, outputs, progress

    settings = context.settings(config)
    query = filters.to_query(where, settings).limit(limit)
    if output not in (None, "-"):
        outputs.refuse_log(output, store.locate(db, settings.db))
    if output in (None, "-"):
        log = context.reading_log(db, settings.db)
        agentnames.check(log, config, agentnames.given(where))
        names = log.columns(columns)
        with _stdout() as out:
            log.export(query, fmt.value, out, names, raw)
        return
    with outputs.atomic(Path(output)) as out:
        log = context.reading_log(db, settings.db)
        agentnames.check(log, config, agentnames.given(where))
        names = log.columns(columns)
        with progress.bar(lambda: _total(log, query), f"export {fmt.value}") as advance:
            count = log.export(query, fmt.value, out, names, raw, advance)
    typer.echo(f"exported {count:,} execution{'' if count == 1 else 's'} to {output}", err=True)


@contextlib.contextmanager
def _stdout() -> Iterator[BinaryIO]:
    """stdout as bytes; a reader that stops early (`| head`) ends the export quietly."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    try:
        yield out
        out.flush()
    except BrokenPipeError:
        reader_left()
        raise typer.Exit(0) from None


def _total(log, query) -> int:
    count = log.count(query)
    return count if query.max_rows is None else min(count, query.max_rows)
