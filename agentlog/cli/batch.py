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


def estimate(cfg, request, source: str, *, as_json: bool, db: str | None) -> None:
    """`--estimate`: the log is read for the agent's history when there is one, never
    created or written."""
    from agentlog import store
    from agentlog.cli import render
    from agentlog.runner import batch
    from agentlog.runner.estimate import estimate as compute

    cfg.agent(request.agent)
    rows = batch.read_rows(source)
    try:
        log = store.open(store.locate(db, cfg.settings.db), readonly=True)
    except StoreError:  # no log yet, or one this version must first upgrade: no history
        log = None
    try:
        found = compute(cfg, request, rows, log)
    finally:
        if log is not None:
            log.close()
    if as_json:
        render.print_json(found.to_dict())
    else:
        render.estimate_table(found.to_dict())


def run_batch(cfg, request, source: str, jobs: int, output: str | None, *, as_json: bool,
              db: str | None, max_cost: float | None = None) -> None:
    from agentlog import store
    from agentlog.cli import context, outputs, render
    from agentlog.runner import batch

    if as_json:
        raise ConfigError("--json does not apply to --input: results are JSONL already "
                          "(--output FILE, or stdout)")
    cfg.agent(request.agent)  # an unknown agent is one error, not one per row
    if output:
        outputs.refuse_log(output, store.locate(db, cfg.settings.db))
    rows = batch.read_rows(source)
    log = context.log(db, cfg.settings.db)
    held: list[str] = []  # results for a terminal that also shows the bar
    try:
        summary = _run_rows(cfg, request, rows, log, jobs, output, held, max_cost)
    finally:
        sys.stdout.writelines(held)  # after the bar has ended, never on its line
    render.batch_summary(summary.to_dict())
    if summary.failure:
        raise StoreError(summary.failure)
    if summary.interrupted:
        raise typer.Exit(130)
    if summary.failed or summary.invalid or summary.stopped:
        raise typer.Exit(1)


def _run_rows(cfg, request, rows, log, jobs: int, output: str | None, held: list[str],
              max_cost: float | None):
    """Run the rows under a progress bar; results go to --output (written whole), to stdout
    as they come, or into `held` when stdout is the terminal the bar is drawn on."""
    from pathlib import Path

    from agentlog.cli import outputs, render
    from agentlog.runner import batch

    with ExitStack() as stack:
        out = stack.enter_context(outputs.atomic(Path(output), text=True)) if output \
            else sys.stdout
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

        return batch.run(cfg, request, rows, log, jobs=jobs, write=write, on_result=on_result,
                         max_cost=max_cost)
