"""Shared fixtures: an isolated environment per test, agents files, the CLI, the fake server."""

from __future__ import annotations

import os
import sqlite3
import textwrap
from pathlib import Path

import pytest
from fakeserver import fake_server  # noqa: F401  (the fixture is used by name)
from pgserver import BACKENDS
from seeding import seeded_any, seeded_log  # noqa: F401  (the fixtures are used by name)
from typer.testing import CliRunner
from webapp import client  # noqa: F401  (the fixture is used by name)

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["LITELLM_LOG"] = "ERROR"

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Every test gets its own data dir and database; nothing leaks from the developer's env."""
    for var in ("AGENTLOG_DB", "AGENTLOG_CONFIG", "AGENTLOG_TENANT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "log.db"
    monkeypatch.setenv("AGENTLOG_DB", str(path))
    return path


@pytest.fixture
def empty_db(db_path) -> Path:
    """$AGENTLOG_DB: an SQLite log with no executions (reading commands refuse a missing one)."""
    from agentlog import store

    store.open(db_path).close()
    return db_path


@pytest.fixture(scope="session")
def pg_server():
    """The session's throwaway PostgreSQL server (tests/pgserver.py), started when a test
    first needs it; skipped without the binaries or psycopg (a failure under CI=true)."""
    import pgserver

    server = pgserver.server()
    if server is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql) or psycopg is "
                    'missing (pip install "agentlog[postgres]")')
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server, monkeypatch) -> str:
    """An empty PostgreSQL log as $AGENTLOG_DB."""
    url = pg_server.clean_database()
    monkeypatch.setenv("AGENTLOG_DB", url)
    return url


@pytest.fixture(params=BACKENDS)
def any_db(request, db_path) -> Path | str:
    """$AGENTLOG_DB on each backend: an SQLite path, or the URL of an empty PostgreSQL log."""
    return request.getfixturevalue("pg_url") if request.param == "postgresql" else db_path


@pytest.fixture(params=BACKENDS)
def log(request, db_path):
    """The test's log ($AGENTLOG_DB), opened through store.open: a test writes the rows it
    needs here, not through a driver, so that the suite runs against every backend."""
    from agentlog import store

    where = request.getfixturevalue("pg_url") if request.param == "postgresql" else db_path
    opened = store.open(where)
    yield opened
    opened.close()


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: runs against a PostgreSQL server")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a PostgreSQL or browser test that skips is a failure: CI installs the
    server and Chromium, so a skip there means that part went untested."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and os.environ.get("CI") == "true"):
        return
    if "postgres" in item.keywords:
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped under CI: {report.longrepr}"
    elif "browser" in item.keywords and call.excinfo is not None:
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under CI: {call.excinfo.value}"


@pytest.fixture
def write_agents(tmp_path):
    """Write an agents file from YAML text; returns its path."""

    def write(text: str, name: str = "agents.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


class Cli:
    def __init__(self):
        from agentlog.cli.app import app

        self.app = app
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        return self.runner.invoke(self.app, list(args), input=input, env=env,
                                  catch_exceptions=False)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def rows(path: Path | str, where: str = "1=1") -> list[dict]:
    """Every execution as stored, read past the Log: SQLite's values, or PostgreSQL's with
    flags as 0/1 and JSON as text, as SQLite holds them."""
    if str(path).startswith("postgresql://"):
        return _pg_rows(str(path), where)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM executions WHERE {where} "
                                              "ORDER BY id")]
    finally:
        conn.close()


def _pg_rows(url: str, where: str) -> list[dict]:
    from agentlog.store.postgres import connect
    from agentlog.store.postgres.select import ALL

    conn = connect.connect(url)
    try:
        cursor = conn.execute(f"SELECT {ALL} FROM executions WHERE {where} ORDER BY id")
        names = [d.name for d in cursor.description]
        return [{k: int(v) if isinstance(v, bool) else v for k, v in zip(names, r, strict=True)}
                for r in cursor]
    finally:
        conn.close()


@pytest.fixture
def read_rows():
    return rows


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """No real backoff: the attempt loop sleeps on a virtual clock (real time plus the waits)
    without jitter; returns the list of waits it asked for."""
    import functools
    import time

    from agentlog.runner import execute
    from agentlog.runner.attempts import Attempts

    slept: list[float] = []

    def clock() -> float:
        return time.monotonic() + sum(slept)

    monkeypatch.setattr(execute, "Attempts", functools.partial(
        Attempts, clock=clock, sleep=slept.append, rand=lambda: 0.0))
    return slept


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections to it are refused."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


MODELS = ("openai/gpt-4o-mini", "openai/gpt-4o", "openai/gpt-3.5-turbo")


def chain_agents(*bases: str, retries: str = "{max: 2, base: 0.5, max_delay: 8}",
                 extra: str = "", name: str = "a", prompt: str = "hi") -> str:
    """An agents file whose agent `name` calls MODELS[0] at bases[0], then falls back to
    MODELS[1], MODELS[2] at the following api_bases (fake-server URLs)."""
    fallbacks = ", ".join(f"{{model: {m}, api_base: '{b}', api_key: x}}"
                          for m, b in zip(MODELS[1:], bases[1:], strict=False))
    return f"""
        agents:
          {name}:
            model: {MODELS[0]}
            api_base: '{bases[0]}'
            api_key: x
            fallback_models: [{fallbacks}]
            prompt: '{prompt}'
            timeout: 5
            retries: {retries}
            {extra}
    """


