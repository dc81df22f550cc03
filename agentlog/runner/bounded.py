"""Model calls bounded as a whole, not byte by byte.

litellm's `timeout` bounds each read, so an answer that trickles in a few bytes at a time
would outlive any deadline. The call runs on a daemon thread and the caller waits only as
long as the attempt may last; an overdue call is left to end on its own, its result unused.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()  # what a stream's worker puts last


def _start(work: Callable[[], None]) -> None:
    threading.Thread(target=work, daemon=True, name="agentlog-call").start()


def call(work: Callable[[], T], bound: float, overdue: Callable[[], Exception]) -> T:
    """`work()`'s result, or `overdue()` raised once `bound` seconds have passed."""
    done, box = threading.Event(), {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as e:  # handed to the caller
            box["error"] = e
        finally:
            done.set()

    _start(run)
    if not done.wait(bound):
        raise overdue()
    if "error" in box:
        raise box["error"]
    return box["value"]


def items(produce: Callable[[], Iterable[T]], bound: float,
          overdue: Callable[[], Exception]) -> Iterator[T]:
    """The items of `produce()` as they arrive; `overdue()` raised once `bound` seconds have
    passed since the call began, however steadily items arrive until then."""
    deadline = time.monotonic() + bound
    arrived: queue.SimpleQueue = queue.SimpleQueue()
    abandoned = threading.Event()

    def run() -> None:
        try:
            for item in produce():
                if abandoned.is_set():
                    return
                arrived.put(item)
            arrived.put(_END)
        except BaseException as e:  # handed to the caller
            arrived.put(e)

    _start(run)
    try:
        while True:
            try:
                item = arrived.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise overdue() from None
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        abandoned.set()
