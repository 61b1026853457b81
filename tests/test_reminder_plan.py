"""Every change to what the reminder rules read voids the member's stored quiet date (cebot.services.reminder_plan)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from _services_helpers import AMMA_TARGET_TOML, workspace_with
from sqlmodel import Session

from cebot.domain.facts import LogRequest
from cebot.domain.parsing import TrackRequest
from cebot.models import Member, Workspace
from cebot.services import credentials, ledger, workspaces
from cebot.services.reminder_plan import clear_all

TODAY = date(2026, 3, 2)
QUIET = date(2026, 4, 20)


def _log(session: Session, member: Member) -> None:
    ledger.log_entry(session=session, member=member, request=LogRequest(title="Ethics", hours=8,
                                                                        completed_on=TODAY, subjects=("ethics",)))


def _entry_id(session: Session, member: Member) -> int:
    return ledger.list_entries(session=session, member=member)[0].id or 0


CHANGES: dict[str, Callable[[Session, Member, Member], object]] = {
    "log": lambda s, m, boss: _log(s, m),
    "edit": lambda s, m, boss: ledger.edit_entry(session=s, member=m, entry_id=_entry_id(s, m), changes={"hours": 2}),
    "delete": lambda s, m, boss: ledger.delete_entry(session=s, member=m, entry_id=_entry_id(s, m)),
    "undo": lambda s, m, boss: ledger.undo_last(session=s, member=m),
    "track": lambda s, m, boss: credentials.track(session=s, member=m, request=TrackRequest(key="NCBTMB"),
                                                  today=TODAY),
    "untrack": lambda s, m, boss: credentials.untrack(session=s, member=m, key="FL"),
    "define a workspace set": lambda s, m, boss: credentials.define_workspace_set(
        session=s, workspace=s.get_one(Workspace, m.workspace_id), acting=boss,
        toml_text=AMMA_TARGET_TOML, today=TODAY),
    "new timezone": lambda s, m, boss: workspaces.update_profile(session=s, member=m, timezone="Europe/London"),
}


def _with_quiet_date(session: Session) -> tuple[Member, Member]:
    _, (ana, boss) = workspace_with(session, "T1", ["UANA", "UBOSS"])
    boss.is_slack_admin = True
    credentials.track(session=session, member=ana, request=TrackRequest(key="FL"), today=TODAY)
    _log(session, ana)
    ana.reminder_quiet_until, ana.reminder_plan_version = QUIET, 7
    session.add_all([ana, boss])
    session.flush()
    return ana, boss


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_change_voids_the_quiet_date(session: Session, change: str) -> None:
    """The change clears the stored date and moves the version on, so the clock looks at the member again."""
    ana, boss = _with_quiet_date(session)
    CHANGES[change](session, ana, boss)
    session.flush()
    session.expire_all()
    fresh = session.get_one(Member, ana.id)
    assert fresh.reminder_quiet_until is None
    assert fresh.reminder_plan_version == 8


def test_a_profile_refresh_without_a_new_timezone_keeps_it(session: Session) -> None:
    """Refreshing a name (same timezone) changes nothing the reminders read: the date stays."""
    ana, _ = _with_quiet_date(session)
    workspaces.update_profile(session=session, member=ana, display_name="Ana B", timezone=ana.timezone)
    session.flush()
    session.expire_all()
    assert session.get_one(Member, ana.id).reminder_quiet_until == QUIET


def test_a_starting_clock_clears_every_date(session: Session) -> None:
    """clear_all (run when a clock starts) forgets every stored date."""
    ana, _ = _with_quiet_date(session)
    assert clear_all(session=session) == 1
    session.expire_all()
    assert session.get_one(Member, ana.id).reminder_quiet_until is None
