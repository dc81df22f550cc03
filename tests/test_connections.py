"""A Log used from threads that come and go (the dashboard's worker threads) holds one
connection per live thread: those of ended threads are closed, so a long-running `agentlog
ui` neither runs out of file handles (SQLite) nor of the server's connections (PostgreSQL:
"sorry, too many clients already")."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from agentlog import store


def connections(log, where) -> int:
    """What the system sees: the server's client sessions on the database, or this process's
    open handles on the SQLite file."""
    if str(where).startswith("postgresql"):
        return log.conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'").fetchone()[0]
    fds = Path("/proc/self/fd").iterdir()
    return sum(1 for fd in fds if os.path.realpath(fd) == os.path.realpath(where))


def test_threads_that_ended_leave_no_connection_open(any_db):
    log = store.open(any_db)
    try:
        log.latest()
        before = connections(log, any_db)
        for _ in range(30):  # each thread reads once and ends, as idle worker threads do
            worker = threading.Thread(target=log.latest)
            worker.start()
            worker.join()
        last = threading.Thread(target=log.latest)  # the next one to open closes the rest
        last.start()
        last.join()
        assert connections(log, any_db) <= before + 2
    finally:
        log.close()
