"""Looking at SQLite's write turn from outside, without ever waiting for it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def turn_is_free(path: Path) -> bool:
    """Whether another open file description could take the turn at ``path`` right now (never blocks)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
