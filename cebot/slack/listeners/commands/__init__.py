"""The ``/ce`` router and its subcommands, one module each.

:data:`FEATURES` lists them: a new one is a module and one entry here.
"""

from __future__ import annotations

from types import ModuleType

from cebot.slack.listeners.commands import (
    admin,
    admin_summary,
    admin_target,
    amma,
    attach,
    check,
    delete,
    edit,
    export,
    help,
    list_entries,
    log,
    milestone,
    mydata,
    plan,
    progress,
    remind,
    requirements,
    router,
    team,
    track,
    undo,
    untrack,
)

FEATURES: tuple[ModuleType, ...] = (
    router,
    admin,
    admin_summary,
    admin_target,
    amma,
    attach,
    check,
    delete,
    edit,
    export,
    help,
    list_entries,
    log,
    milestone,
    mydata,
    plan,
    progress,
    remind,
    requirements,
    team,
    track,
    undo,
    untrack,
)
