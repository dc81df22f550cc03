"""Background logging (`settings.async_logging: true`): finalizing writes leave the caller's path.

One writer thread per log (an SQLite file, a PostgreSQL URL) and process, with a Log of its
own, takes finalized rows from a queue and writes whatever has piled up in one transaction.
The `running` row is still inserted synchronously by the caller, so a crash can at worst
leave rows `running`; the queue is flushed at exit (atexit, and SIGTERM when nobody else
handles it).
"""

from __future__ import annotations

import atexit
import logging
import queue
import signal
import threading
from collections.abc import Callable
from typing import Any

MAX_ROWS_PER_TRANSACTION = 500
_log = logging.getLogger("agentlog")
_writers: dict[str, AsyncWriter] = {}
_lock = threading.Lock()
_hooked = False  # the exit hooks are installed with the first writer


class AsyncWriter:
    def __init__(self, opener: Callable[[], Any]):
        self._log = opener()  # here, so that a bad log fails the caller
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="agentlog-writer", daemon=True)
        self._thread.start()

    def finalize(self, execution_id: int, values: dict[str, Any]) -> None:
        """Queue the final values of a running row; returns at once."""
        self._queue.put((execution_id, values))

    def flush(self) -> None:
        """Wait until every queued row is written."""
        self._queue.join()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        try:
            while True:
                items = [self._queue.get()]
                while len(items) < MAX_ROWS_PER_TRANSACTION:
                    try:
                        items.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                rows = [i for i in items if i is not None]
                try:
                    if rows:
                        self._log.finalize_many(rows)
                except Exception as e:  # the thread must outlive a failed write
                    _log.error("agentlog: could not log executions %s: %s",
                               ", ".join(str(i) for i, _ in rows), e)
                finally:
                    for _ in items:
                        self._queue.task_done()
                if len(rows) < len(items):
                    return
        finally:
            self._log.close()


def _close_all() -> None:
    with _lock:
        for w in list(_writers.values()):
            w.close()
        _writers.clear()


def _on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds the program, so atexit flushes the writers


def for_log(key: str, opener: Callable[[], Any]) -> AsyncWriter:
    """The process's writer for the log named `key`; `opener()` opens its own Log."""
    global _hooked
    with _lock:
        if not _hooked:
            _hooked = True
            atexit.register(_close_all)
            if threading.current_thread() is threading.main_thread() and \
                    signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                signal.signal(signal.SIGTERM, _on_sigterm)
        if key not in _writers:
            _writers[key] = AsyncWriter(opener)
        return _writers[key]


def flush_all() -> None:
    with _lock:
        writers = list(_writers.values())
    for w in writers:
        w.flush()
