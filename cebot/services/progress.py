"""Progress for a member or a whole team, in a constant number of queries.

Member progress: credentials (joined with the workspace's own requirement sets), entries, and milestones only
when a pathway is tracked: at most 3 queries whatever the ledger size (:mod:`cebot.services.progress_inputs`
reads them). Team progress adds one query for the members: at most 4.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.progress import Progress, Status, compute_progress
from cebot.domain.requirements import RequirementSet
from cebot.models import Member, Workspace
from cebot.services.progress_inputs import LOOKBACK_MONTHS, entry_floor, progress_for, read_inputs

STATUS_ORDER: dict[str, int] = {
    "overdue": 0, "due_soon": 1, "behind_pace": 2, "needs_info": 3, "not_started": 4, "on_pace": 5, "complete": 6,
    "exempt": 7,
}
"""Team lists show the members who need help first."""


@dataclass(frozen=True)
class MemberProgress:
    """One member's progress on every credential they track."""

    member: Member
    progress: list[Progress]

    @property
    def worst(self) -> int:
        """The rank (see :data:`STATUS_ORDER`) of the member's most urgent status; 99 when tracking nothing."""
        return min((STATUS_ORDER.get(p.status.value, 9) for p in self.progress), default=99)


@dataclass(frozen=True)
class CredentialLedger:
    """One tracked credential with its set, its facts and the member's courses it looks at (oldest first)."""

    requirement_set: RequirementSet
    facts: CredentialFacts
    entries: Sequence[EntryFacts]
    floor: date | None = None
    """The earliest completion date read (see :func:`entry_floor`); None when no entries are needed."""

    def with_extra(self, extra: Sequence[EntryFacts]) -> Sequence[EntryFacts]:
        """The entries plus ``extra``, those the same read would have returned (from the floor on)."""
        if self.floor is None:
            return self.entries
        more = [e for e in extra if e.completed_on >= self.floor]
        return [*self.entries, *more] if more else self.entries


def member_ledgers(*, session: Session, member: Member, today: date,
                   lookback_months: int = LOOKBACK_MONTHS) -> list[CredentialLedger]:
    """What :func:`member_progress` computes from, per tracked credential (at most 3 queries)."""
    assert member.id is not None
    plans, entries = read_inputs(session, workspace_ids=[member.workspace_id], member_ids=[member.id], today=today,
                                 lookback_months=lookback_months)
    mine = entries.get(member.id, [])
    return [CredentialLedger(p.requirement_set, p.facts, p.entries_from(mine), p.floor)
            for p in plans.get(member.id, [])]


def member_progress(*, session: Session, member: Member, today: date,
                    lookback_months: int = LOOKBACK_MONTHS, extra: Sequence[EntryFacts] = ()) -> list[Progress]:
    """Progress on every credential the member tracks, as of ``today`` (at most 3 queries).

    Courses up to ``lookback_months`` before a window are listed as not counted; older ones are left out.
    ``extra``: courses to count as if logged (``/ce check`` asks "what if"); nothing is saved.
    """
    return [compute_progress(c.requirement_set, c.facts, c.with_extra(extra), today)
            for c in member_ledgers(session=session, member=member, today=today, lookback_months=lookback_months)]


def team_progress(*, session: Session, workspace: Workspace, today: date,
                  lookback_months: int = 0) -> list[MemberProgress]:
    """Progress of every member of the workspace, those overdue, due soon or behind pace first (at most 4 queries).

    Statuses and hours are the same as :func:`member_progress` gives; by default the "not counted" lists
    leave out courses from before each window (a manager's summary does not show them), which keeps a big
    team fast. Pass ``lookback_months=LOOKBACK_MONTHS`` to get exactly what each member sees.
    """
    assert workspace.id is not None
    members = list(session.exec(select(Member).where(Member.workspace_id == workspace.id)))
    if not members:
        return []
    plans, entries = read_inputs(session, workspace_ids=[workspace.id], today=today, lookback_months=lookback_months)
    result = [MemberProgress(member=m, progress=progress_for(plans.get(m.id or 0, []), entries.get(m.id or 0, []),
                                                             today))
              for m in members]
    result.sort(key=lambda mp: (mp.worst, (mp.member.display_name or mp.member.slack_user_id).lower()))
    return result


@dataclass(frozen=True)
class CredentialProgress:
    """One tracked credential's progress, with the set and facts it was computed from (the clock reads both)."""

    member_id: int
    requirement_set: RequirementSet
    facts: CredentialFacts
    progress: Progress


def members_progress(*, session: Session, workspace_ids: Sequence[int], member_ids: Sequence[int], today: date,
                     lookback_months: int = 0, leave_out: Collection[int] = ()) -> dict[int, list[CredentialProgress]]:
    """Progress of many members of some workspaces at once, by member id (at most 3 queries, as team progress).

    Statuses and hours are those :func:`member_progress` gives; like :func:`team_progress`, the "not counted"
    lists leave out courses from before each window by default. ``leave_out``: entry ids to count as not logged
    (the weekly summary asks what a cycle looked like without this week's courses).
    """
    if not member_ids:
        return {}
    plans, entries = read_inputs(session, workspace_ids=workspace_ids, member_ids=member_ids, today=today,
                                 lookback_months=lookback_months)
    out: dict[int, list[CredentialProgress]] = {}
    for member_id, mine in plans.items():
        logged = entries.get(member_id, [])
        if leave_out:
            logged = [e for e in logged if e.id not in leave_out]
        out[member_id] = [CredentialProgress(member_id, p.requirement_set, p.facts, pr)
                          for p, pr in zip(mine, progress_for(mine, logged, today), strict=True)]
    return out


__all__ = ["LOOKBACK_MONTHS", "STATUS_ORDER", "CredentialLedger", "CredentialProgress", "MemberProgress", "Status",
           "entry_floor",
           "member_ledgers", "member_progress", "members_progress", "team_progress"]
