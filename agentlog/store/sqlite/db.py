"""Opening the database: location, permissions, pragmas, and migrations when needed.

Reading uses the standard library's sqlite3; sqlite-utils is imported only when the schema has
to be created or upgraded (checked cheaply with PRAGMA user_version).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from agentlog.errors import NoLogError, StoreError

if TYPE_CHECKING:
    from agentlog.store.log import Upgrading

BUSY_TIMEOUT_S = 30.0
_WRITE_LOCK = threading.Lock()  # threads of one process queue here, not in SQLite's busy sleeps


def make_dirs(directory: Path) -> None:
    """Create `directory` and its missing parents owner-only (0700), whatever the umask."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    for each in reversed(missing):
        try:
            os.mkdir(each, 0o700)
        except FileExistsError:  # another process made it first
            continue
        os.chmod(each, 0o700)  # a umask such as 0o200 takes bits off mkdir's mode


def _create_file(path: Path) -> None:
    try:
        make_dirs(path.parent)
        if not path.parent.is_dir():
            raise NotADirectoryError
    except (FileExistsError, NotADirectoryError):  # a parent is a file
        raise StoreError(f"cannot create database {path}: {path.parent} is not a directory") \
            from None
    except OSError as e:
        raise StoreError(f"cannot create database {path}: {e.strerror}") from None
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another process created it first
        return
    except OSError as e:
        raise StoreError(f"cannot create database {path}: {e.strerror}") from None
    os.fchmod(fd, 0o600)
    os.close(fd)


def _existing(path: Path, create: bool) -> Path:
    """The file behind `path` (symlinks followed), refused unless it is a regular file;
    created when missing and `create`, else a NoLogError naming it."""
    import stat

    real = Path(os.path.realpath(path))
    try:
        mode = real.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        if not create:
            raise NoLogError(f"no log at {path} (a writing command such as `agentlog run` "
                             "creates one; check --db and $AGENTLOG_DB)") from None
        _create_file(real)
        return real
    except OSError as e:
        raise StoreError(f"cannot open database {path}: {e.strerror}") from None
    if stat.S_ISDIR(mode):
        raise StoreError(f"database path is a directory: {path}")
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path} is not a regular file: a log is an SQLite file")
    return real


def _unreadable(path: Path, e: Exception) -> StoreError:
    """What SQLite's refusal to open `path` means for the user."""
    if isinstance(e, UnicodeDecodeError):  # SQLite quoted bytes of a damaged schema
        return StoreError(f"{path} is damaged: its schema cannot be read")
    message = str(e)
    if "file is not a database" in message:
        return StoreError(f"{path} is not an agentlog database (not an SQLite file)")
    if "malformed" in message:
        return StoreError(f"{path} is damaged ({message}): truncated or overwritten")
    return StoreError(f"cannot open database {path}: {message}")


def connect(path: Path, readonly: bool = False, create: bool = True,
            upgrading: Upgrading | None = None) -> sqlite3.Connection:
    """Open (creating it owner-only if needed and `create`) and bring the schema up to date
    (`upgrading`: see upgrade.upgrade); `readonly` opens an existing, current log that this
    connection can never write."""
    if readonly:
        return _connect_readonly(path)
    real = path if str(path) == ":memory:" else _existing(path, create)
    conn = None
    try:
        # Autocommit at the driver level: every write states its own transaction.
        conn = sqlite3.connect(real, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA synchronous=NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:
        if conn is not None:
            conn.close()
        raise _unreadable(path, e) from None
    from agentlog.store.sqlite import migrations, upgrade

    if version != migrations.SCHEMA_VERSION:
        try:
            upgrade.upgrade(conn, path, version, upgrading)
        except BaseException:
            conn.close()  # a refused or failed upgrade leaves no -wal/-shm files behind
            raise
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    from urllib.parse import quote

    from agentlog.store.sqlite import migrations

    real = _existing(path, create=False)
    try:
        conn = sqlite3.connect(f"file:{quote(str(real))}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:
        raise _unreadable(path, e) from None
    if version != migrations.SCHEMA_VERSION:
        conn.close()
        raise StoreError(f"{path} has schema {version}, this agentlog reads "
                         f"{migrations.SCHEMA_VERSION}: open it once with a command that may "
                         "upgrade it (`agentlog db upgrade`)")
    return conn


@contextlib.contextmanager
def pragmas(conn: sqlite3.Connection, **values) -> Iterator[None]:
    """Set PRAGMAs of this connection for the block, then restore their previous values."""
    previous = {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in values}
    for name, value in values.items():
        conn.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        for name, value in previous.items():
            conn.execute(f"PRAGMA {name}={value}")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """The one write transaction: it takes SQLite's write lock at once (BEGIN IMMEDIATE), so
    that concurrent writers (threads of a batch, other processes) wait for each other (busy
    timeout) instead of failing on a stale read snapshot with 'database is locked'; any
    exception rolls it back."""
    with _WRITE_LOCK:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


@contextlib.contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Run several reads in one read transaction, so that they all see one state of the log
    (a report's totals and percentiles, an export's ids and rows); writers go on meanwhile
    (WAL). Inside a transaction already, that one is the snapshot."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def path_of(conn: sqlite3.Connection) -> str | None:
    """The file behind a connection (None for an in-memory database)."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or None
    return None
