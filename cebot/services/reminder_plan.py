"""The clock's per-member "nothing due before" date, and voiding it when a member's data changes.

The clock writes ``member.reminder_quiet_until`` (see :mod:`cebot.jobs.quiet`) so later ticks skip, in SQL,
members who cannot have a reminder due yet. Every service that changes what the reminder rules read (courses,
tracked credentials, a workspace's own requirement sets, the member's timezone) calls :func:`void_reminder_plan`
in its transaction: the date is cleared and ``reminder_plan_version`` goes up, so a date the clock worked out
from the old data is not written over the change (the clock writes only where the version is still the one it
read).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

_M: Any = SQLModel.metadata.tables["member"]


def void_reminder_plan(*, session: Session, member_id: int | None = None, workspace_id: int | None = None) -> None:
    """Make the clock look at a member (or every member of a workspace) again on its next tick."""
    if member_id is None and workspace_id is None:
        raise ValueError("name a member or a workspace")
    stmt = sa.update(_M).values(reminder_quiet_until=None, reminder_plan_version=_M.c.reminder_plan_version + 1)
    stmt = stmt.where(_M.c.id == member_id) if member_id is not None else stmt.where(_M.c.workspace_id == workspace_id)
    session.execute(stmt)


def clear_all(*, session: Session) -> int:
    """Forget every member's date (the clock does this when it starts: rules may have changed with a deploy)."""
    result: Any = session.execute(
        sa.update(_M).where(_M.c.reminder_quiet_until.is_not(None)).values(reminder_quiet_until=None))
    return int(result.rowcount or 0)
