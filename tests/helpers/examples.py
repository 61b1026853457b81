"""How many examples a property test runs: a quarter by default (the README's run stays short), all of them in CI.

``.ci/run`` sets ``CEBOT_FULL_EXAMPLES=1`` for its PostgreSQL pass, so every property still runs at its full count
there; hypothesis is derandomized (tests/conftest.py), so both counts are deterministic.
"""

import os

FULL = os.environ.get("CEBOT_FULL_EXAMPLES") == "1"


def examples(full: int) -> int:
    """``full`` under CEBOT_FULL_EXAMPLES=1, else a quarter of it (at least 25)."""
    return full if FULL else max(full // 4, 25)
