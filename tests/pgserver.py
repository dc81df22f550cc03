"""A throwaway PostgreSQL server for the test session: Debian's `postgresql` binaries, a
cluster in a temporary directory owned by a non-root user, listening on a free port of
127.0.0.1 only, with trust authentication for that user; stopped at the end.

`server()` returns None when no PostgreSQL binaries or no psycopg are installed (the tests
that need it are then skipped, which CI counts as a failure: see conftest.py).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

# Each way store.open() can hold a log: fixtures parametrised over them run on both.
BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class Server:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self.root = Path(tempfile.mkdtemp(prefix="agentlog-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._clean: str | None = None
        if os.geteuid() == 0:
            shutil.chown(self.root, self.user)

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}): "
                               f"{(done.stderr or done.stdout).strip()[-2000:]}")

    def start(self) -> Server:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def clean_database(self) -> str:
        """The URL of the session's migrated database, emptied: far cheaper than a new
        database per test (ids start at 1 again)."""
        import psycopg

        if self._clean is None:
            from agentlog import store

            self._clean = self.new_database()
            store.open(self._clean).close()
        with psycopg.connect(self._clean, autocommit=True) as conn:  # every table of the log
            tables = [r[0] for r in conn.execute(  # but its schema steps, its own id and
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "  # the bins
                "AND tablename NOT IN ('_migrations', 'log_meta', 'duration_bins') "
                "ORDER BY tablename")]
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        return self._clean

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def server() -> Server | None:
    bindir = _bindir()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None
    if bindir is None:
        return None
    return Server(bindir).start()


def totals_equal_rows(url: str) -> bool:
    """Whether the daily totals of the log at `url` sum exactly its rows."""
    from agentlog.store.postgres import connect

    conn = connect.connect(url)
    try:
        summed = conn.execute("SELECT bucket, sum(executions)::int, sum(total_cost_sum) "
                              "FROM execution_days GROUP BY bucket ORDER BY bucket").fetchall()
        rows = conn.execute("SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d, "
                            "count(*)::int, coalesce(sum(total_cost), 0) FROM executions "
                            "GROUP BY d ORDER BY d").fetchall()
        return [(b, n, round(c, 9)) for b, n, c in summed] == \
            [(b, n, round(c, 9)) for b, n, c in rows]
    finally:
        conn.close()
