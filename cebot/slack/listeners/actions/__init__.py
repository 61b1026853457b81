"""Buttons and menus, one module per message or view they sit on.

:data:`FEATURES` lists them: a new one is a module and one entry here.
"""

from __future__ import annotations

from types import ModuleType

from cebot.slack.listeners.actions import (
    certificate_actions,
    check_actions,
    home_actions,
    ledger_actions,
    mydata_actions,
    paging,
)

FEATURES: tuple[ModuleType, ...] = (
    certificate_actions,
    check_actions,
    home_actions,
    ledger_actions,
    mydata_actions,
    paging,
)
