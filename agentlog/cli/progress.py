"""What long commands show on stderr: a progress bar, and the notice of a long schema
upgrade with a spinner (bar and spinner only when stderr is a terminal)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def bar(total: Callable[[], int]) -> Iterator[Callable[[int], None] | None]:
    """Yields a function that advances the bar by n, or None when stderr is not a terminal
    (then `total`, which may cost a query, is not called)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from agentlog.cli import render

    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=render.console(stderr=True)) as shown:
        task = shown.add_task("", total=total())
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
