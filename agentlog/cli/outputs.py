"""Files a command writes beside the log (`export -o`, batch `-o`): never the log itself, and
written whole or not at all."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from agentlog.errors import AgentlogError, ConfigError


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:  # one of them does not exist
        return False


def refuse_log(output: str, log_where: str, what: str = "output") -> None:
    """Refuse an `output` that is the log or one of its -wal, -shm or -journal files
    (through symlinks, relative paths or hard links), before either is opened."""
    from agentlog import store

    out = Path(os.path.realpath(Path(output).expanduser()))
    for file in store.files_of(log_where):
        if _same(out, file):
            part = "" if str(file) == str(store.files_of(log_where)[0]) else \
                f"'s {str(file).rsplit('-', 1)[1]} file"
            raise ConfigError(f"{what} {output} is the log {log_where}{part}: writing it "
                              "would destroy the log; choose another file")


@contextlib.contextmanager
def atomic(path: Path, text: bool = False) -> Iterator[IO]:
    """A temporary owner-only file next to `path` that replaces it only when the block
    succeeds."""
    import tempfile

    if path.is_dir():
        raise AgentlogError(f"cannot write {path}: it is a directory")
    try:  # mkstemp: mode 0600 whatever the umask
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as e:
        raise AgentlogError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with (os.fdopen(fd, "w", encoding="utf-8") if text
              else os.fdopen(fd, "wb", buffering=1 << 20)) as out:
            yield out
        os.replace(temp, path)  # no fsync: atomic for a failed write, not a power cut
    except OSError as e:
        raise AgentlogError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
