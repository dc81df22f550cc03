"""What long commands show on stderr, only when it is a terminal: a progress bar
(`export csv ━━━━━━━━━━ 12,345/100,000 rows 0:00:04`), and a spinner with the notice of a long
schema upgrade (the notice itself is printed on any stderr)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def bar(total: Callable[[], int], label: str,
        unit: str = "rows") -> Iterator[Callable[[int], None] | None]:
    """Yields a function that advances the bar by n, or None when stderr is not a terminal
    (then `total`, which may cost a query, is not called). `label` names what is running."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from agentlog.cli import render

    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn(f"{{task.completed:,.0f}}/{{task.total:,.0f}} {unit}"),
               TimeRemainingColumn())
    with Progress(*columns, transient=True, console=render.console(stderr=True)) as shown:
        task = shown.add_task(label, total=total())
        yield lambda n: shown.advance(task, n)


@contextlib.contextmanager
def upgrading(notice: str) -> Iterator[None]:
    """Says in one line that a long schema upgrade starts, then spins with the time it has
    taken until it ends, so that nobody takes it for a hang."""
    print(f"agentlog: {notice}", file=sys.stderr, flush=True)
    if not sys.stderr.isatty():
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from agentlog.cli import render

    columns = (SpinnerColumn(), TextColumn("upgrading"), TimeElapsedColumn())
    with Progress(*columns, transient=True, console=render.console(stderr=True)) as shown:
        shown.add_task("", total=None)
        yield
