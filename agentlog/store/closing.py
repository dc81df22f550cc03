"""Finalizing a running row, the same on every backend (each spells the UPDATE): the row
must still be running, or, when `reopen`, closed as Interrupted by another process while its
own was still working; the real outcome then replaces that guess."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentlog.errors import StoreError

FINAL_STATUSES = frozenset({"success", "error", "timeout"})
_INTERRUPTED = "status = 'error' AND error_class = 'Interrupted'"

# set_row(execution_id, values, where): whether the UPDATE … WHERE id AND `where` hit the row
SetRow = Callable[[int, dict[str, Any], str], bool]


def update(set_row: SetRow, execution_id: int, values: dict[str, Any],
           reopen: bool = False) -> bool:
    if values.get("status") not in FINAL_STATUSES:
        raise ValueError(f"cannot finalize with status {values.get('status')!r}")
    if set_row(execution_id, values, "status = 'running'"):
        return True
    return reopen and set_row(execution_id, {"error_class": None, "error_message": None,
                                             **values}, _INTERRUPTED)


def not_recorded(execution_id: int, found_status: str | None, outcome: str) -> StoreError:
    """The one line of a finalize that found its row closed (or gone) for good."""
    return StoreError(f"execution {execution_id} was "
                      + (f"already closed as {found_status}" if found_status else "deleted")
                      + f" by another process: its outcome ({outcome}) is not recorded")
