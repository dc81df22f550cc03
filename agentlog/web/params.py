"""A request's query string as a store Query: the CLI's filter flags, spelled without `--`
(`failed=1&agent=summarize&meta=team=docs&since=2h`), so that a link reproduces the view.
Errors are the CLI's one-line messages (QueryError, shown on a 400 page)."""

from __future__ import annotations

from datetime import timedelta

from agentlog.errors import QueryError
from agentlog.store import flags

FLAGS = {f.decl[2:]: f for f in flags.FLAGS}
ON, OFF = {"1", "true", "on", "yes"}, {"", "0", "false", "off", "no"}
PERIODS = {"today": 1, "7d": 7, "30d": 30, "90d": 90}


def where(params, allowed: tuple[str, ...] = ()) -> flags.Values:
    """The flag values of a query string; a name that is neither a filter nor in `allowed`
    is an error, as an unknown flag is."""
    values: flags.Values = {}
    for name in params:
        if name in allowed:
            continue
        flag = FLAGS.get(name)
        if flag is None:
            raise QueryError(f"no such filter: '{name}' (the filters are the flags of "
                             "`agentlog list`, without the dashes)")
        given = params.getlist(name)
        if flag.kind == "switch":
            text = given[-1].strip().lower()
            if text not in ON | OFF:
                raise QueryError(f"{flag.decl} is a switch: give it 1 or 0, got '{text}'")
            values[flag.name] = text in ON
        elif flag.kind in ("many", "meta"):
            values[flag.name] = [v for v in given if v]
        else:
            values[flag.name] = given[-1] or None
    return values


def query(params, settings, allowed: tuple[str, ...] = ()):
    return flags.to_query(where(params, allowed), settings)


def positive(params, name: str, default: int, most: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= most:
        raise QueryError(f"{name} must be a whole number from 1 to {most}, got '{text}'")
    return int(text)


def period(params, settings):
    """The overview's period and the one before it, as (name, query, previous query, days):
    today, 7d, 30d, 90d (calendar days up to today, in settings.timezone) or custom
    (`since` and `until`, the filters' own forms)."""
    from agentlog.store.query import Query
    from agentlog.timeutil import day_bounds, get_zone, parse_iso, to_iso, utcnow

    name = params.get("period") or "7d"
    base = Query(zone=settings.timezone, tenant=settings.current_tenant())
    if name == "custom":
        with flags.as_flags():
            chosen = base.since(params.get("since") or "7d")
            if params.get("until"):
                chosen = chosen.until(params["until"])
        start = chosen.after
        end = chosen.before or to_iso(utcnow())
    elif name in PERIODS:
        zone = get_zone(settings.timezone)
        today = utcnow().astimezone(zone).date()
        first = day_bounds(today - timedelta(days=PERIODS[name] - 1), zone)[0]
        start, end = to_iso(first), to_iso(day_bounds(today, zone)[1])
    else:
        raise QueryError(f"unknown period '{name}' (choose from: "
                         f"{', '.join((*PERIODS, 'custom'))})")
    length = parse_iso(end) - parse_iso(start)
    before = to_iso(parse_iso(start) - length)
    days = max(1, -(-length // timedelta(days=1)))
    return name, base.narrow(start, end), base.narrow(before, start), days
