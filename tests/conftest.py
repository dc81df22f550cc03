"""Shared fixtures: an isolated environment per test, agents files, the CLI, the fake server."""

from __future__ import annotations

import os
import sqlite3
import textwrap
from pathlib import Path

import pytest
from fakeserver import fake_server  # noqa: F401  (the fixture is used by name)
from seeding import seeded_log  # noqa: F401  (the fixture is used by name)
from typer.testing import CliRunner

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


def rows(path: Path, where: str = "1=1") -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM executions WHERE {where} "
                                              "ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def read_rows():
    return rows
