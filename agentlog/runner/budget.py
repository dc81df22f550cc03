"""Budgets (settings.budgets): whether an execution about to start may run.

Spend is summed from the log for the current day or month in the configured timezone
(store/status.py), so there is no counter to drift. `hard` refuses an execution once a budget
it falls under is spent, `soft` only warns, `none` checks nothing. Under `hard` each running
execution holds its worst-case cost (runner/cost.py) from its start to its finalization, so
that executions started at once see each other (store/status.py Hold).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from agentlog.store import status


def hold(settings, agent: str, tenant: str | None, now: datetime,
         cost: Callable[[], float | None]) -> status.Hold | None:
    """What Log.start checks and reserves under `hard` enforcement (None otherwise); `cost`
    gives the execution's worst-case cost."""
    budgets = settings.budgets
    if budgets is None or budgets.enforcement != "hard":
        return None
    return status.Hold(budgets, settings.timezone, now, agent, tenant, cost())


def check(log, settings, agent: str, tenant: str | None,
          now: datetime) -> tuple[str | None, list[str]]:
    """(refusal, warnings) for an execution about to start: a refusal message under `hard`
    enforcement, warnings under `soft`."""
    budgets = settings.budgets
    if budgets is None or budgets.enforcement == "none":
        return None, []
    spent_out = [b for b in status.measure(log, budgets, settings.timezone, now, agent, tenant)
                 if b.exceeded]
    if not spent_out:
        return None, []
    if budgets.enforcement == "hard":
        return "; ".join(b.message() for b in spent_out), []
    return None, [f"warning: {b.message()}; running anyway (enforcement: soft)"
                  for b in spent_out]
