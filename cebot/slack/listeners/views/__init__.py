"""Form (modal) submissions, one module per form.

:data:`FEATURES` lists them: a new one is a module and one entry here.
"""

from __future__ import annotations

from types import ModuleType

from cebot.slack.listeners.views import clinic_target, log_modal

FEATURES: tuple[ModuleType, ...] = (log_modal, clinic_target)
