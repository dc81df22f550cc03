"""A reader of stdout that stops early (`agentlog list | head`) is not an error."""

from __future__ import annotations

import contextlib
import os
import sys


def reader_left() -> None:
    """Send what is still buffered for stdout to /dev/null, so that Python does not complain
    about the closed pipe again at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
