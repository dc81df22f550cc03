"""An agent name that is neither in the agents file nor in the log is a typo: say so, with the
nearest known name, instead of printing an empty result."""

from __future__ import annotations

import difflib


def check(log, config_opt: str | None, names) -> None:
    """Raise QueryError for the first of `names` that no row of the log and no agent of the
    agents file has. The agents file is read only when a name is missing from the log."""
    from agentlog.errors import QueryError
    from agentlog.store.query import Query

    for name in names:
        if not name or log.count_upto(Query().by_agent(name), 0)[0]:  # one row will do
            continue
        known = set(_declared(config_opt))
        if name in known:
            continue
        known |= {row["agent"] for row in log.cost_by(Query(), "agent").rows if row["agent"]}
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else \
            f" (known: {', '.join(sorted(known)[:10])})" if known else ""
        raise QueryError(f"unknown agent '{name}': neither in the agents file nor in the "
                         f"log{hint}")


def given(where: dict) -> list[str]:
    """The names of --agent (repeatable, comma-separated)."""
    return [part for value in where.get("agent") or () for part in value.split(",") if part]


def _declared(config_opt: str | None) -> list[str]:
    from agentlog import readsettings
    from agentlog.errors import ConfigError

    path = readsettings.config_path(config_opt)
    if config_opt is None and not path.exists():
        return []
    try:
        raw = readsettings.read_yaml(path)
    except ConfigError:
        return []
    agents = raw.get("agents") if isinstance(raw, dict) else None
    return [str(k) for k in agents] if isinstance(agents, dict) else []
