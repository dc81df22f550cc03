"""`agentlog run AGENT --input FILE`: a batch run with a progress bar and a summary."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack

import typer

from agentlog.errors import ConfigError, StoreError, one_line


def _progress(stack: ExitStack, total: int):
    """A rich progress bar on stderr, or None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from agentlog.cli import render

    progress = stack.enter_context(Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("· [red]{task.fields[failed]} failed[/] · {task.fields[cost]} · "
                   "{task.fields[rate]}/s"),
        console=render.console(stderr=True), transient=False))
    task = progress.add_task("batch", total=total, failed=0, cost="$0.00", rate="0.0")
    return progress, task


def run_batch(cfg, request, source: str, jobs: int, output: str | None, *, as_json: bool,
              db: str | None) -> None:
    from agentlog.cli import context, render
    from agentlog.runner import batch

    if as_json:
        raise ConfigError("--json does not apply to --input: results are JSONL already "
                          "(--output FILE, or stdout)")
    cfg.agent(request.agent)  # an unknown agent is one error, not one per row
    rows = batch.read_rows(source)
    log = context.log(db, cfg.settings.db)
    held: list[str] = []  # results for a terminal that also shows the bar
    try:
        summary = _run_rows(cfg, request, rows, log, jobs, output, held)
    finally:
        sys.stdout.writelines(held)  # after the bar has ended, never on its line
    render.batch_summary(summary.to_dict())
    if summary.failure:
        raise StoreError(summary.failure)
    if summary.interrupted:
        raise typer.Exit(130)
    if summary.failed or summary.invalid:
        raise typer.Exit(1)


def _run_rows(cfg, request, rows, log, jobs: int, output: str | None, held: list[str]):
    """Run the rows under a progress bar; results go to --output, to stdout as they come, or
    into `held` when stdout is the terminal the bar is drawn on."""
    from agentlog.cli import render
    from agentlog.runner import batch

    with ExitStack() as stack:
        out = stack.enter_context(open(output, "w", encoding="utf-8")) if output else sys.stdout
        progress, task = _progress(stack, len(rows))
        say = progress.console.print if progress else render.console(stderr=True).print
        hold = output is None and progress is not None and sys.stdout.isatty()

        def write(result) -> None:
            line = json.dumps(result.to_json(), ensure_ascii=False, default=str) + "\n"
            if hold:
                held.append(line)
                return
            out.write(line)
            out.flush()

        def on_result(result, summary) -> None:
            if result.status == "invalid":
                say(f"agentlog: line {result.line}: invalid: {one_line(result.error)}",
                    markup=False)
            if progress is not None:
                progress.update(task, completed=summary.done, failed=summary.failed,
                                cost=render.money(summary.cost),
                                rate=f"{summary.rate:.1f}")

        return batch.run(cfg, request, rows, log, jobs=jobs, write=write, on_result=on_result)
