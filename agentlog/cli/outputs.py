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


def log_file(output: str, log_where: str) -> str | None:
    """Which file of the log `output` is ("the log", "the log's -wal file"), through
    symlinks, relative paths or hard links; None when it is none of them."""
    from agentlog import store

    out = Path(os.path.realpath(Path(output).expanduser()))
    for number, file in enumerate(store.files_of(log_where)):
        if _same(out, file):
            return "the log" if number == 0 else \
                f"the log's -{str(file).rsplit('-', 1)[1]} file"
    return None


def refuse_log(output: str, log_where: str) -> None:
    """Refuse an output file that is one of the log's files, before either is opened."""
    which = log_file(output, log_where)
    if which is not None:
        raise ConfigError(f"output {output} is {which} ({log_where}): writing it would "
                          "destroy the log; choose another file")


@contextlib.contextmanager
def atomic(path: Path, text: bool = False) -> Iterator[IO]:
    """A temporary owner-only file next to `path` that replaces it only when the block
    succeeds. Through a symlink the file it points to is replaced; what is not a regular
    file (/dev/null, a FIFO, a terminal) is written as it is, never replaced."""
    import tempfile

    real = Path(os.path.realpath(path))
    if real.is_dir():
        raise AgentlogError(f"cannot write {path}: it is a directory")
    if real.exists() and not real.is_file():
        try:
            with open(real, "w", encoding="utf-8") if text else open(real, "wb") as out:
                yield out
        except OSError as e:
            raise AgentlogError(f"cannot write {path}: {e.strerror or e}") from None
        return
    try:  # mkstemp: mode 0600 whatever the umask
        fd, temp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".part")
    except OSError as e:
        raise AgentlogError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with (os.fdopen(fd, "w", encoding="utf-8") if text
              else os.fdopen(fd, "wb", buffering=1 << 20)) as out:
            yield out
        os.replace(temp, real)  # no fsync: atomic for a failed write, not a power cut
    except OSError as e:
        raise AgentlogError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
