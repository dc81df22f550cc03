"""`agentlog db copy FROM TO`: every execution (with its id), the response cache, the
circuit breakers and the log's own id of one log into another, whichever backends they are.

In batches of ids, so memory stays flat and an interruption loses at most the batches being
written: re-running copies only the ids the target lacks. An id the target holds already
must be the same execution (same creation time and agent), else the copy stops before
writing it: the target holds another log's rows. The next batch is read while the last ones
are written, by as many writers as the target takes (`Log.copy_writers`). Into an empty
target, indexes that are cheaper built once are set aside and built at the end (also by the
copy after an interrupted one). At the end the executions per UTC day and their cost sums
are compared on both sides (from the daily totals, which both backends keep equal to the
rows).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from agentlog.errors import StoreError
from agentlog.store.conditions import OneOf
from agentlog.store.log import Log
from agentlog.store.query import Query
from agentlog.timeutil import parse_iso, to_iso

BATCH = 2000
Days = dict[str, tuple[int, float]]


@dataclass
class Copied:
    executions: int  # written now
    present: int  # found in the target already (an earlier copy)
    cache: int
    breakers: int
    days: Days  # per UTC day of the source: executions, cost
    mismatched: list[str]  # days whose count or cost differs in the target


def batches(log: Log) -> Iterator[list[dict]]:
    """The log's executions as stored values, in id order, BATCH at a time."""
    last = 0
    while rows := log.copy_out(last, BATCH):
        yield rows
        last = rows[-1]["id"]


def _held(target: Log, ids: list[int]) -> dict[int, dict]:
    found = target.fetch(Query().where(OneOf(("id",), tuple(ids))))
    return {e.id: e.to_dict() for e in found}


def _iso(stored: str) -> str:
    return to_iso(parse_iso(stored))  # as to_dict() spells it


def _missing(source: Log, target: Log, rows: list[dict]) -> list[dict]:
    """The rows the target lacks; raises when it holds other executions under their ids."""
    held = _held(target, [row["id"] for row in rows])
    missing = []
    for row in rows:
        theirs = held.get(row["id"])
        if theirs is None:
            missing.append(row)
        elif (theirs["created_at"], theirs["agent_type"]) != (_iso(row["created_at"]),
                                                              row["agent_type"]):
            raise StoreError(
                f"{target.where} holds another execution #{row['id']} "
                f"({theirs['agent_type']}, {theirs['created_at']}) than {source.where} "
                f"({row['agent_type']}, {row['created_at']}): it is not a copy of this "
                "log; copy into an empty log")
    return missing


def copy(source: Log, target: Log, progress: Callable[[int], None] | None = None,
         note: Callable[[str], None] | None = None) -> Copied:
    """`note` hears what takes long besides the rows (building indexes)."""
    done = Copied(0, 0, 0, 0, {}, [])
    aside = target.set_indexes_aside(empty=target.count(Query()) == 0)
    writers = target.copy_writers
    with ThreadPoolExecutor(writers) as pool:
        pending: deque[tuple[Future | None, int]] = deque()

        def finish() -> None:
            written, read = pending.popleft()
            done.executions += written.result() if written else 0
            if progress:
                progress(read)

        for rows in batches(source):
            missing = _missing(source, target, rows)
            done.present += len(rows) - len(missing)
            pending.append((pool.submit(target.copy_in, missing) if missing else None,
                            len(rows)))
            while len(pending) > writers:
                finish()
        while pending:
            finish()
    if aside:
        if note:
            note(f"Building the indexes of {target.where} set aside for the copy…")
        target.build_indexes_aside()
    target.adopt_log_id(source.log_id())  # re-exported traces keep their ids
    for entry in source.cache_rows():
        target.cache_put(entry)
        done.cache += 1
    for row in source.breaker_rows():
        target.change_breaker(row["agent"], row["model"], lambda _, row=row: row)
        done.breakers += 1
    done.days, theirs = source.per_day(), target.per_day()
    done.mismatched = sorted(
        day for day in done.days.keys() | theirs.keys()
        if day not in theirs or day not in done.days or theirs[day][0] != done.days[day][0]
        or abs(theirs[day][1] - done.days[day][1]) > 1e-9 * max(1.0, abs(done.days[day][1])))
    return done
