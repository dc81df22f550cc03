"""One connection per thread, which the Logs of both backends hold: opened on a thread's
first use; when another opens, those of threads that have ended are closed (a server's
worker threads come and go, and each would leave a connection behind); all by close()."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class PerThread:
    def __init__(self, connect: Callable[[], Any]):
        self._connect = connect
        self._local = threading.local()
        self._opened: list[tuple[threading.Thread, Any]] = []
        self._lock = threading.Lock()

    def get(self) -> Any:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._lock:
                ended = [c for t, c in self._opened if not t.is_alive()]
                self._opened = [(t, c) for t, c in self._opened if t.is_alive()]
                self._opened.append((threading.current_thread(), conn))
            for old in ended:
                old.close()
        return conn

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
            self._local = threading.local()
        for _, conn in opened:
            conn.close()
