"""Button values for actions that must happen once per message, however often the button is clicked.

Every click has its own ``trigger_id``, so the request claim alone lets a fast double click on *Log it anyway*
or *Log it* log the course twice. Those buttons carry a token made when their message was drawn; the click's
transaction claims it (``once:<token>`` in ``processed_event``), so the second click finds it taken.
"""

from __future__ import annotations

import re
import secrets

from cebot.slack.blocks import BUTTON_VALUE_MAX

_ONCE = re.compile(r"once:([0-9a-f]{12}):(.*)", re.DOTALL)


def once_value(text: str) -> str | None:
    """``text`` with a fresh token, as a button value; None when it cannot fit."""
    value = f"once:{secrets.token_hex(6)}:{text}"
    return value if len(value) <= BUTTON_VALUE_MAX else None


def split_once(value: str) -> tuple[str | None, str]:
    """The claim key and the text of a button value (no key for a value drawn before tokens existed)."""
    match = _ONCE.fullmatch(value)
    if match is None:
        return None, value
    return f"once:{match.group(1)}", match.group(2)
