"""What the guarantee tests check a command's outcome and the database file against."""

from __future__ import annotations

import hashlib


def fingerprint(path) -> str:
    """The bytes of the database and the names of its companion files (-wal, -shm)."""
    files = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    return hashlib.sha256(path.read_bytes()).hexdigest() + repr(files)


def no_crash(result) -> None:
    assert "Traceback" not in result.output + result.stderr
    assert "internal error" not in result.stderr, result.stderr


def one_line_error(result, code: int = 2) -> None:
    no_crash(result)
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("agentlog: error: "), result.stderr
