"""Where a command finds its settings and its log (imports stay lazy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentlog.store.log import Log

_open: list[Log] = []


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


def log(db_opt: str | None, settings_db: str | None) -> Log:
    """Open the log for the running command; it is closed when the command ends."""
    from agentlog import store

    opened = store.open(store.locate(db_opt, settings_db))
    _open.append(opened)
    return opened


def reading_log(db_opt: str | None, settings_db: str | None) -> Log:
    """The log through connections that cannot write (an empty log is created first when
    there is none, so that a fresh install shows an empty dashboard)."""
    from pathlib import Path

    from agentlog import store

    where = store.locate(db_opt, settings_db)
    if not Path(where).expanduser().exists():
        store.open(where).close()
    opened = store.open(where, readonly=True)
    _open.append(opened)
    return opened


def writing_log(db_opt: str | None, settings_db: str | None) -> Log:
    """The log of a command that writes executions, past its preflight (writable, stale
    `running` rows marked Interrupted), before anything is run."""
    opened = log(db_opt, settings_db)
    opened.preflight()
    return opened


def close_all() -> None:
    while _open:
        _open.pop().close()
