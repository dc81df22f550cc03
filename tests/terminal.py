"""Run the agentlog CLI with stdout and stderr on one real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys


def on_terminal(args: list[str], cwd, env: dict[str, str]) -> str:
    """Everything the command wrote to the terminal, escape sequences included; asserts
    that it exited 0."""
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "agentlog", *args], stdin=subprocess.DEVNULL,
                            stdout=child, stderr=child, cwd=cwd, env={**os.environ, **env})
    os.close(child)
    chunks = []
    for _ in range(10_000):  # bounded: ends at EOF (EIO on Linux) when the process exits
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode(errors="replace")
