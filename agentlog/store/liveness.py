"""Whether a `running` row was abandoned: its process died before finalizing it.

On the host that wrote the row its pid decides: a live process is still working on it (however
long its answer takes), a dead one never will. A row of another host (a log shared through
PostgreSQL) cannot be judged by its pid here, so it falls back to its deadline.
"""

from __future__ import annotations

import os
import socket


def this_host() -> str:
    return socket.gethostname()


def pid_alive(pid: int | None) -> bool:
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def abandoned(pid: int | None, host: str | None, deadline: str | None,
              past_deadline: bool) -> str | None:
    """Why the row is to be marked Interrupted, or None while its process may finalize it."""
    if host is not None and host == this_host():
        if pid_alive(pid):
            return None
        return f"process {pid} on {host} ended without finalizing this execution"
    if not past_deadline:
        return None
    return (f"process {pid} ended without finalizing this execution "
            f"(its deadline {deadline} passed)")
