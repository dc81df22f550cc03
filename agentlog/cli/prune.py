"""`agentlog prune`: delete old executions and give their space back."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from agentlog.cli import filters
from agentlog.cli.options import ConfigOpt, DbOpt
from agentlog.errors import ConfigError


@filters.options
def prune(
    where: filters.Values,
    older_than: Annotated[Optional[str], typer.Option(
        "--older-than", metavar="DURATION", show_default=False,
        help="Delete executions created more than DURATION ago (90m, 12h, 30d, 2w). "
             "Default: settings.retention.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be deleted; delete nothing.")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Do not ask for confirmation (needed without a terminal).")]
        = False,
    no_vacuum: Annotated[bool, typer.Option(
        "--no-vacuum", help="Skip VACUUM: faster, but the file does not shrink.")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Delete executions older than --older-than (default: settings.retention).

    Takes every filter of `list` to narrow what goes. Running executions are never deleted.
    Deletes in batches, each in its own transaction, keeps the full-text index in sync and
    runs VACUUM afterwards. Reports over pruned periods change: the rows are gone.

    Examples:

      agentlog prune --older-than 30d --dry-run

      agentlog prune --older-than 7d --agent noisy --status success --yes
    """
    from agentlog.cli import context
    from agentlog.store.prune import selection
    from agentlog.timeutil import get_zone, parse_duration, utcnow

    settings = context.settings(config)
    span = older_than or settings.retention
    if not span:
        raise ConfigError("prune needs an age: pass --older-than 30d, or set a default with "
                          "`retention: 30d` under `settings:` in the agents file")
    try:
        cutoff = utcnow() - parse_duration(span)
    except ValueError as e:
        raise ConfigError(f"--older-than: {e}") from None
    with filters.as_flags():
        selected = selection(filters.to_query(where, settings), cutoff)
    log = context.log(db, settings.db)
    plan = log.prune_plan(selected)
    zone = get_zone(settings.timezone)
    if plan.count == 0:
        typer.echo(f"Nothing to prune: no execution matches before {_local(cutoff, zone)}.")
    else:
        typer.echo(("Would delete " if dry_run else "About to delete ") + _describe(plan, zone))
    if dry_run:
        return
    if plan.count:
        if not yes:
            _confirm(plan.count)
        _delete(log, selected, plan, vacuum=not no_vacuum)
    _report_tidying(*log.tidy())


def _delete(log, selected, plan, vacuum: bool) -> None:
    from agentlog.cli import progress

    before = log.size()
    with progress.bar(lambda: plan.count) as advance:
        deleted = log.prune(selected, plan.top_id, advance)
    if vacuum:
        typer.echo("Reclaiming space (VACUUM)…", err=True)
        log.reclaim()
    typer.echo(f"Deleted {_executions(deleted)}; database {_size(before)} → "
               f"{_size(log.size())}"
               + ("" if vacuum else " (run without --no-vacuum to shrink it)") + ".")


def _report_tidying(interrupted: int, expired: int) -> None:
    done = []
    if interrupted:
        done.append(f"marked {interrupted:,} running execution{'' if interrupted == 1 else 's'}"
                    " of dead processes Interrupted")
    if expired:
        done.append(f"removed {expired:,} expired cache entr{'y' if expired == 1 else 'ies'}")
    if done:
        text = "; ".join(done)
        typer.echo(text[0].upper() + text[1:] + ".")


def _confirm(count: int) -> None:
    if not _interactive():
        raise ConfigError(f"prune would delete {_executions(count)}: pass --yes to confirm "
                          "when not on a terminal")
    typer.confirm(f"Delete {_executions(count)}?", abort=True)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _describe(plan, zone) -> str:
    from agentlog.cli.render import money
    from agentlog.timeutil import parse_iso

    first, last = (_local(parse_iso(t), zone) for t in (plan.first, plan.last))
    lines = [f"{_executions(plan.count)} from {first} to {last}, {money(plan.cost)}:"]
    width = max(len(a.agent) for a in plan.agents)
    lines += [f"  {a.agent:<{width}}  {a.count:>9,}  {money(a.cost):>10}" for a in plan.agents]
    return "\n".join(lines)


def _executions(n: int) -> str:
    return f"{n:,} execution{'' if n == 1 else 's'}"


def _local(when, zone) -> str:
    from agentlog.timeutil import format_local

    return format_local(when, zone, "%Y-%m-%d %H:%M")


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1000:
            return f"{n:.0f} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:,.2f} GB"
