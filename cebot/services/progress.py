"""Progress for a member or a whole team, in a constant number of queries.

Member progress: credentials (joined with the workspace's own requirement
sets), entries, and milestones only when a pathway is tracked: at most 3
queries whatever the ledger size. Team progress adds one query for the
members: at most 4.

Speed (see docs/performance.md): credentials and entries are read as plain
column tuples (no ORM objects), with only the columns the progress maths uses,
and entries only from the earliest date any tracked credential looks at
(:func:`entry_floor`): its current window (and a lapsed one, and the previous
one for carry-over) plus :data:`LOOKBACK_MONTHS` before, so a course that just
missed the window is still listed as not counted. Older courses are left out.
Entries are sorted per member in Python (cheaper than an ORDER BY over the
whole team), oldest first.
"""

from __future__ import annotations

import bisect
import json
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from cebot.domain.cycles import current_window, window_for_deadline
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.progress import Progress, Status, compute_progress
from cebot.domain.requirements import RequirementSet, SetKind
from cebot.models import CEEntry, Credential, Member, Milestone, Workspace, WorkspaceRequirementSet
from cebot.services.credentials import catalog_with_definitions

log = logging.getLogger(__name__)

LOOKBACK_MONTHS = 6
"""Courses completed this long before a credential's window are still listed, as not counted."""

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
class _Plan:
    """One credential ready for the progress maths."""

    member_id: int
    requirement_set: RequirementSet
    facts: CredentialFacts
    floor: date | None
    """The earliest completion date that matters; None when the maths needs no entries at all."""


# ---------------------------------------------------------------- planning


def entry_floor(rs: RequirementSet, facts: CredentialFacts, today: date,
                lookback_months: int = LOOKBACK_MONTHS) -> date | None:
    """The earliest completion date to give ``compute_progress`` for this credential.

    That is the start of the earliest window the maths looks at (current, lapsed, or the ones before for
    carry-over), less ``lookback_months`` so a course that just missed the window is listed as not counted.
    None when it needs no entries: CE not required, or the window cannot be worked out yet.
    """
    if not rs.tracks_hours:
        return None
    window = current_window(rs, facts, today)
    if window is None:
        return None
    windows = [window]
    if facts.deadline is not None and facts.deadline < today:
        lapsed = window_for_deadline(rs, facts, facts.deadline)
        if lapsed is not None:
            windows.append(lapsed)
    floor = min(w.start for w in windows)
    if facts.issue_date is not None:
        floor = min(floor, facts.issue_date)
    if rs.carry_over.max_hours:
        for w in list(windows):
            for _ in range(rs.carry_over.periods):  # carry-over reads this many cycles back (Nevada: 3)
                prev = window_for_deadline(rs, facts, w.start - timedelta(days=1))
                if prev is None:
                    break
                floor = min(floor, prev.start)
                w = prev
    return floor - relativedelta(months=lookback_months) if lookback_months else floor


_CredentialRow = tuple[Any, ...]
"""The columns of :data:`_CREDENTIAL_COLUMNS`, in that order."""


def _resolve(rows: Sequence[_CredentialRow]) -> list[tuple[_CredentialRow, RequirementSet]]:
    """Each credential with its requirement set (workspace sets first); unknown keys are logged and skipped."""
    catalog = catalog_with_definitions(row[-1] for row in rows if row[-1])
    out = []
    for row in rows:
        rs = catalog.get(row[2])
        if rs is None:
            log.warning("credential %s tracks unknown requirement set %r", row[0], row[2])
            continue
        out.append((row, rs))
    return out


def _facts(row: _CredentialRow, milestones: dict[str, date] | None) -> CredentialFacts:
    """What :func:`cebot.services.credentials.credential_facts` gives for the credential, from its columns."""
    (_, _, key, deadline, issue_date, birth_month, birth_day, birth_year, first_cycle, cpr_expires_on,
     licence_number, version_seen, _) = row
    return CredentialFacts(requirement_key=key, deadline=deadline, issue_date=issue_date, birth_month=birth_month,
                           birth_day=birth_day, birth_year=birth_year, first_cycle=first_cycle,
                           cpr_expires_on=cpr_expires_on, licence_number=licence_number,
                           milestones=dict(milestones or {}), rule_version_seen=version_seen or 1)


def _plans(pairs: Sequence[tuple[_CredentialRow, RequirementSet]], milestones: dict[int, dict[str, date]],
           today: date, lookback_months: int) -> list[_Plan]:
    plans = []
    floors: dict[tuple[Any, ...], date | None] = {}  # a team shares a few deadlines: work each floor out once
    for row, rs in pairs:
        member_id = row[1]
        facts = _facts(row, milestones.get(member_id))
        key = (id(rs), facts.deadline, facts.issue_date, facts.birth_month, facts.birth_day, facts.birth_year,
               facts.first_cycle)
        if key not in floors:
            floors[key] = entry_floor(rs, facts, today, lookback_months)
        plans.append(_Plan(member_id, rs, facts, floors[key]))
    return plans


def _needs_milestones(pairs: Iterable[tuple[_CredentialRow, RequirementSet]]) -> bool:
    return any(rs.kind is SetKind.PATHWAY for _, rs in pairs)


# ---------------------------------------------------------------- queries


_CREDENTIAL_COLUMNS: tuple[Any, ...] = (
    col(Credential.id), col(Credential.member_id), col(Credential.requirement_key), col(Credential.deadline),
    col(Credential.issue_date), col(Credential.birth_month), col(Credential.birth_day), col(Credential.birth_year),
    col(Credential.first_cycle), col(Credential.cpr_expires_on), col(Credential.licence_number),
    col(Credential.rule_version_seen), col(WorkspaceRequirementSet.definition),
)
"""What :func:`_facts` reads, plus the id (for logs), the member and the workspace's own set definition."""


def _credential_rows(session: Session, *where: Any) -> list[_CredentialRow]:
    """Credentials (as column tuples) with the workspace's own definition of their set, if any (one query)."""
    stmt = (
        sa.select(*_CREDENTIAL_COLUMNS)
        .join(
            WorkspaceRequirementSet,
            sa.and_(
                col(WorkspaceRequirementSet.workspace_id) == col(Credential.workspace_id),
                col(WorkspaceRequirementSet.key) == col(Credential.requirement_key),
            ),
            isouter=True,
        )
        .where(*where)
        .order_by(col(Credential.member_id), col(Credential.requirement_key))
    )
    return [tuple(row) for row in session.execute(stmt)]


_ENTRY_COLUMNS: tuple[Any, ...] = (
    col(CEEntry.member_id),
    col(CEEntry.id),
    col(CEEntry.title),
    # No per-row Date processing: SQLite hands back the ISO text (parsed once per distinct day below),
    # PostgreSQL's driver a date already.
    sa.type_coerce(col(CEEntry.completed_on), sa.String),
    col(CEEntry.hours_q),
    col(CEEntry.delivery_format),
    sa.cast(col(CEEntry.subjects), sa.Text),
    sa.type_coerce(sa.or_(col(CEEntry.certificate_ref).isnot(None), col(CEEntry.certificate_url).isnot(None)),
                   sa.Integer),
)
"""What the progress maths reads (provider and approval number are not needed, so not fetched)."""

_ENTRY_FIELDS = ("id", "title", "completed_on", "hours", "delivery_format", "subjects", "provider",
                 "approval_number", "has_certificate")
if tuple(f.name for f in fields(EntryFacts)) != _ENTRY_FIELDS:  # pragma: no cover - guards _entry_rows
    raise ImportError("EntryFacts fields changed: update cebot.services.progress._entry_rows")


def _entry_rows(session: Session, since: Any, *where: Any) -> dict[int, list[EntryFacts]]:
    """Live entries matching ``since`` (see :func:`_since`), oldest first, as EntryFacts by member id (one query).

    No ORDER BY: each member's few rows are sorted here (by date, then id), which costs less than sorting the
    whole team's rows in the database.
    """
    stmt = sa.select(*_ENTRY_COLUMNS).where(col(CEEntry.deleted_at).is_(None), since, *where)
    subjects_cache: dict[str | None, tuple[str, ...]] = {None: ()}
    dates: dict[Any, date] = {}
    out: dict[int, list[EntryFacts]] = defaultdict(list)
    new = object.__new__
    for member_id, eid, title, on, hours, fmt, subjects_text, has_cert in session.connection().execute(stmt).all():
        subjects = subjects_cache.get(subjects_text)
        if subjects is None:
            subjects = subjects_cache[subjects_text] = tuple(json.loads(subjects_text))
        day = dates.get(on)
        if day is None:
            day = dates[on] = on if isinstance(on, date) else date.fromisoformat(on)
        # EntryFacts is a frozen dataclass (no slots); filling its __dict__ directly skips nine
        # object.__setattr__ calls per row, a third of the cost for big ledgers. The import-time check
        # above keeps the field list honest.
        facts = new(EntryFacts)
        facts.__dict__.update(id=eid, title=title, completed_on=day, hours=hours, delivery_format=fmt,
                              subjects=subjects, provider=None, approval_number=None, has_certificate=bool(has_cert))
        out[member_id].append(facts)
    for rows in out.values():
        rows.sort(key=_date_then_id)
    return out


def _milestone_rows(session: Session, *where: Any) -> dict[int, dict[str, date]]:
    stmt = sa.select(col(Milestone.member_id), col(Milestone.step), col(Milestone.completed_on)).where(*where)
    out: dict[int, dict[str, date]] = defaultdict(dict)
    for member_id, step, on in session.execute(stmt):
        out[member_id][step] = on
    return out


def _progress_for(plans: Sequence[_Plan], entries: Sequence[EntryFacts], today: date) -> list[Progress]:
    """Each plan's progress; ``entries`` are oldest first, and each credential sees those from its floor on."""
    out = []
    for plan in plans:
        mine: Sequence[EntryFacts] = ()
        if plan.floor is not None:
            mine = entries[bisect.bisect_left(entries, plan.floor, key=_completed_on):]
        out.append(compute_progress(plan.requirement_set, plan.facts, mine, today))
    return out


_completed_on = attrgetter("completed_on")
_date_then_id = attrgetter("completed_on", "id")


MAX_FLOOR_GROUPS = 8
"""Team members are grouped by the earliest date their credentials need; more groups than this share one."""


def _since(plans: Iterable[_Plan]) -> Any:
    """The SQL condition for the entries these plans need, or None when they need none.

    One member: ``completed_on >= floor``. A team: members grouped by their floor, so a member who tracks
    only a recent cycle does not drag in years of courses because a colleague's cycle started earlier.
    """
    by_member: dict[int, date] = {}
    for p in plans:
        if p.floor is not None:
            current = by_member.get(p.member_id)
            by_member[p.member_id] = p.floor if current is None else min(current, p.floor)
    if not by_member:
        return None
    groups: dict[date, list[int]] = defaultdict(list)
    for member_id, floor in by_member.items():
        groups[floor].append(member_id)
    if len(groups) == 1:
        return col(CEEntry.completed_on) >= next(iter(groups))
    if len(groups) > MAX_FLOOR_GROUPS:
        return col(CEEntry.completed_on) >= min(groups)
    return sa.or_(*(
        sa.and_(col(CEEntry.member_id).in_(sorted(ids)), col(CEEntry.completed_on) >= floor)
        for floor, ids in sorted(groups.items())
    ))


# ---------------------------------------------------------------- public


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
    pairs = _resolve(_credential_rows(
        session, Credential.workspace_id == member.workspace_id, Credential.member_id == member.id))
    if not pairs:
        return []
    milestones: dict[int, dict[str, date]] = {}
    if _needs_milestones(pairs):
        milestones = _milestone_rows(
            session, Milestone.workspace_id == member.workspace_id, Milestone.member_id == member.id)
    plans = _plans(pairs, milestones, today, lookback_months)
    entries: list[EntryFacts] = []
    since = _since(plans)
    if since is not None:
        entries = _entry_rows(
            session, since, CEEntry.workspace_id == member.workspace_id, CEEntry.member_id == member.id
        ).get(member.id, [])
    out = []
    for plan in plans:
        mine: Sequence[EntryFacts] = ()
        if plan.floor is not None:
            mine = entries[bisect.bisect_left(entries, plan.floor, key=_completed_on):]
        out.append(CredentialLedger(plan.requirement_set, plan.facts, mine, plan.floor))
    return out


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
    members = list(session.exec(select(Member).where(Member.workspace_id == workspace.id)))
    if not members:
        return []
    pairs = _resolve(_credential_rows(session, Credential.workspace_id == workspace.id))
    milestones: dict[int, dict[str, date]] = {}
    if _needs_milestones(pairs):
        milestones = _milestone_rows(session, Milestone.workspace_id == workspace.id)
    plans = _plans(pairs, milestones, today, lookback_months)
    by_member: dict[int, list[_Plan]] = defaultdict(list)
    for plan in plans:
        by_member[plan.member_id].append(plan)
    entries: dict[int, list[EntryFacts]] = {}
    since = _since(plans)
    if since is not None:
        entries = _entry_rows(session, since, CEEntry.workspace_id == workspace.id)
    result = [
        MemberProgress(member=m, progress=_progress_for(by_member.get(m.id or 0, []), entries.get(m.id or 0, []),
                                                        today))
        for m in members
    ]
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
    scope = (col(Credential.workspace_id).in_(list(workspace_ids)), col(Credential.member_id).in_(list(member_ids)))
    pairs = _resolve(_credential_rows(session, *scope))
    milestones: dict[int, dict[str, date]] = {}
    if _needs_milestones(pairs):
        milestones = _milestone_rows(session, col(Milestone.workspace_id).in_(list(workspace_ids)),
                                     col(Milestone.member_id).in_(list(member_ids)))
    plans = _plans(pairs, milestones, today, lookback_months)
    by_member: dict[int, list[_Plan]] = defaultdict(list)
    for plan in plans:
        by_member[plan.member_id].append(plan)
    entries: dict[int, list[EntryFacts]] = {}
    since = _since(plans)
    if since is not None:
        entries = _entry_rows(session, since, col(CEEntry.workspace_id).in_(list(workspace_ids)),
                              col(CEEntry.member_id).in_(list(by_member)))
    out: dict[int, list[CredentialProgress]] = {}
    for member_id, mine in by_member.items():
        logged = entries.get(member_id, [])
        if leave_out:
            logged = [e for e in logged if e.id not in leave_out]
        progress = _progress_for(mine, logged, today)
        out[member_id] = [CredentialProgress(member_id, p.requirement_set, p.facts, pr)
                          for p, pr in zip(mine, progress, strict=True)]
    return out


__all__ = ["LOOKBACK_MONTHS", "STATUS_ORDER", "CredentialLedger", "CredentialProgress", "MemberProgress", "Status",
           "entry_floor",
           "member_ledgers", "member_progress", "members_progress", "team_progress"]
