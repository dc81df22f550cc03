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


def log(db_opt: str | None, settings_db: str | None, *, create: bool = True) -> Log:
    """Open the log for the running command; it is closed when the command ends. Without
    `create`, a missing log is refused (commands that change an existing log: prune)."""
    from agentlog import store
    from agentlog.cli import progress

    opened = store.open(store.locate(db_opt, settings_db), create=create,
                        upgrading=progress.upgrading)
    _open.append(opened)
    return opened


def reading_log(db_opt: str | None, settings_db: str | None) -> Log:
    """The log of a command that only reads: refused when it does not exist."""
    from agentlog import store
    from agentlog.cli import progress

    opened = store.open_reader(store.locate(db_opt, settings_db), progress.upgrading)
    _open.append(opened)
    return opened


def readonly_log(db_opt: str | None, settings_db: str | None) -> Log:
    """The existing, current log through connections that cannot write (the dashboard)."""
    from agentlog import store

    opened = store.open(store.locate(db_opt, settings_db), readonly=True, create=False)
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
