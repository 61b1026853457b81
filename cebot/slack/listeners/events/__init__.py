"""Events API listeners, one module each.

:data:`FEATURES` lists them: a new one is a module and one entry here.
"""

from __future__ import annotations

from types import ModuleType

from cebot.slack.listeners.events import app_home, files, uninstall

FEATURES: tuple[ModuleType, ...] = (
    app_home,
    files,
    uninstall,
)
