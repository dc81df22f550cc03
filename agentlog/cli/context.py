"""Where a command finds its settings and its database (imports stay lazy)."""

from __future__ import annotations

import sqlite3

_open: list[sqlite3.Connection] = []
_paths: list[str] = []  # of the databases this command opened, for error messages


def settings(config_opt: str | None):
    """What reading commands need of the agents file (db, timezone, tenant), cheaply."""
    from agentlog import readsettings

    return readsettings.load(config_opt)


def full_settings(config_opt: str | None):
    """Every setting, validated (pydantic): for commands that need budgets and the like."""
    from agentlog import config

    if config_opt is None and not config.config_path().exists():
        return config.Settings()
    return config.load(config_opt).settings


def connect(db_opt: str | None, settings_db: str | None) -> sqlite3.Connection:
    """Open the log for the running command; it is closed when the command ends."""
    from agentlog.store import db

    path = db.resolve_path(db_opt, settings_db)
    conn = db.connect(path)
    _open.append(conn)
    _paths.append(str(path))
    return conn


def database_error(e: sqlite3.Error) -> str:
    """An SQLite failure while reading, as a message naming the database."""
    return f"{_paths[-1] if _paths else 'the log'}: {e}"


def close_all() -> None:
    _paths.clear()
    while _open:
        _open.pop().close()
