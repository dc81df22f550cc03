"""`agentlog prune`: delete old executions and give their space back."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from agentlog.cli import filters
from agentlog.cli.options import ConfigOpt, DbOpt
from agentlog.errors import ConfigError


@filters.options(without=("running",))  # running rows are never pruned
def prune(
    where: filters.Values,
    older_than: Annotated[Optional[str], typer.Option(
        "--older-than", metavar="DURATION", show_default=False,
        help="Delete executions created more than DURATION ago (90m, 12h, 30d, 2w). "
             "Default: settings.retention (its `rows`, or `payloads` with --payloads).")]
        = None,
    payloads: Annotated[bool, typer.Option(
        "--payloads", help="Drop the text (prompts, response, parameters, tool-call "
                           "arguments and results, error messages, cached answers) and keep "
                           "the rows with every number.")] = False,
    any_age: Annotated[bool, typer.Option(
        "--any-age", help="No age bound: erase what the filters select, leaving its text "
                          "in no file of the log.")] = False,
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
    Deletes in batches, each in its own transaction (triggers keep the search index), and
    runs VACUUM afterwards. Reports over pruned periods change: the rows are gone. With
    --payloads only the text goes and reports stay exact; `show` says it was purged.
    --any-age with filters erases one user's or tenant's executions (or their text).

    Examples:

      agentlog prune --older-than 30d --dry-run

      agentlog prune --older-than 7d --agent noisy --status success --yes

      agentlog prune --payloads --yes

      agentlog prune --any-age --meta user_id=123 --yes
    """
    from agentlog.cli import context
    from agentlog.store.prune import selection
    from agentlog.store.query import Query
    from agentlog.timeutil import get_zone

    settings = context.settings(config)
    cutoff = _cutoff(older_than, any_age, payloads, settings)
    with filters.as_flags():
        asked = filters.to_query(where, settings)
        selected = selection(asked, cutoff, payloads)
    if any_age and asked == Query():
        raise ConfigError("--any-age needs a filter (such as --meta user_id=123 or --tenant "
                          "T): it would erase every execution")
    if any_age and no_vacuum:
        raise ConfigError("--any-age erases, which needs the space reclaimed: drop --no-vacuum")
    log = context.log(db, settings.db, create=False)
    plan = log.prune_plan(selected)
    zone = get_zone(settings.timezone)
    verb = "purge the text of " if payloads else "delete "
    if plan.count == 0:
        before = f" before {_local(cutoff, zone)}" if cutoff else ""
        typer.echo(f"Nothing to prune: no execution matches{before}.")
    else:
        typer.echo(("Would " if dry_run else "About to ") + verb + _describe(plan, zone))
    if dry_run:
        return
    if plan.count:
        if not yes:
            _confirm(plan.count, verb)
        _delete(log, selected, plan, not no_vacuum, payloads, any_age)
    _report_tidying(*log.tidy())


def _cutoff(older_than: str | None, any_age: bool, payloads: bool, settings):
    """The creation time before which executions are pruned (None: any age)."""
    from agentlog.timeutil import parse_duration, utcnow

    if any_age:
        if older_than:
            raise ConfigError("--any-age and --older-than contradict each other: pass one")
        return None
    tier = "payloads" if payloads else "rows"
    span = older_than or settings.retention_of(tier)
    if not span:
        example = "{payloads: 30d, rows: 365d}" if payloads else "30d"
        raise ConfigError(f"prune{' --payloads' if payloads else ''} needs an age: pass "
                          f"--older-than 30d, or set a default with `retention: {example}` "
                          "under `settings:` in the agents file")
    try:
        return utcnow() - parse_duration(span)
    except ValueError as e:
        raise ConfigError(f"--older-than: {e}") from None


def _delete(log, selected, plan, vacuum: bool, payloads: bool, erase: bool) -> None:
    from agentlog.cli import progress

    before = log.size()
    label = "prune --payloads" if payloads else "prune"
    with progress.bar(lambda: plan.count, label, "executions") as advance:
        done = log.prune(selected, plan.top_id, advance, payloads=payloads, erase=erase)
    if vacuum:
        typer.echo("Reclaiming space (VACUUM)…", err=True)
        log.reclaim()
    what = f"Purged the text of {_executions(done)}" if payloads else \
        f"Deleted {_executions(done)}"
    typer.echo(f"{what}; database {_size(before)} → {_size(log.size())}"
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


def _confirm(count: int, verb: str) -> None:
    if not _interactive():
        raise ConfigError(f"prune would {verb}{_executions(count)}: pass --yes to confirm "
                          "when not on a terminal")
    typer.confirm(f"{verb.capitalize()}{_executions(count)}?", abort=True)


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
