"""What the progress maths reads for one member, a team or a batch of members, in a constant number of queries.

Credentials (joined with the workspace's own requirement sets), entries, and milestones only when a pathway is
tracked: at most 3 queries whatever the ledger size (:func:`read_inputs`).

Speed (see docs/performance.md): credentials and entries are read as plain column tuples (no ORM objects),
with only the columns the progress maths uses, and entries only from the earliest date any tracked credential
looks at (:func:`entry_floor`): its current window (and a lapsed one, and the previous one for carry-over) plus
:data:`LOOKBACK_MONTHS` before, so a course that just missed the window is still listed as not counted. Older
courses are left out. Entries are sorted per member in Python (cheaper than an ORDER BY over the whole team),
oldest first.
"""

from __future__ import annotations

import bisect
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col

from cebot.domain.cycles import current_window, window_for_deadline
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.progress import Progress, compute_progress
from cebot.domain.requirements import RequirementSet, SetKind
from cebot.models import CEEntry, Credential, Milestone, WorkspaceRequirementSet
from cebot.services.credentials import catalog_with_definitions

log = logging.getLogger(__name__)

LOOKBACK_MONTHS = 6
"""Courses completed this long before a credential's window are still listed, as not counted."""


@dataclass(frozen=True)
class CredentialPlan:
    """One credential ready for the progress maths."""

    member_id: int
    requirement_set: RequirementSet
    facts: CredentialFacts
    floor: date | None
    """The earliest completion date that matters; None when the maths needs no entries at all."""

    def entries_from(self, entries: Sequence[EntryFacts]) -> Sequence[EntryFacts]:
        """The member's ``entries`` (oldest first) this credential looks at: those from its floor on."""
        if self.floor is None:
            return ()
        return entries[bisect.bisect_left(entries, self.floor, key=_completed_on):]


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
           today: date, lookback_months: int) -> list[CredentialPlan]:
    plans = []
    floors: dict[tuple[Any, ...], date | None] = {}  # a team shares a few deadlines: work each floor out once
    for row, rs in pairs:
        member_id = row[1]
        facts = _facts(row, milestones.get(member_id))
        key = (id(rs), facts.deadline, facts.issue_date, facts.birth_month, facts.birth_day, facts.birth_year,
               facts.first_cycle)
        if key not in floors:
            floors[key] = entry_floor(rs, facts, today, lookback_months)
        plans.append(CredentialPlan(member_id, rs, facts, floors[key]))
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
    raise ImportError("EntryFacts fields changed: update cebot.services.progress_inputs._entry_rows")


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


_completed_on = attrgetter("completed_on")
_date_then_id = attrgetter("completed_on", "id")


MAX_FLOOR_GROUPS = 8
"""Team members are grouped by the earliest date their credentials need; more groups than this share one."""


def _since(plans: Iterable[CredentialPlan]) -> Any:
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


# ---------------------------------------------------------------- reading


PlansByMember = dict[int, list[CredentialPlan]]
EntriesByMember = dict[int, list[EntryFacts]]


def read_inputs(session: Session, *, workspace_ids: Sequence[int], member_ids: Sequence[int] | None = None,
                today: date, lookback_months: int) -> tuple[PlansByMember, EntriesByMember]:
    """The credentials (by member, in key order) of some workspaces, or only of ``member_ids`` there, and the
    entries each member's credentials look at, oldest first (at most 3 queries)."""
    pairs = _resolve(_credential_rows(session, *_scope(Credential, workspace_ids, member_ids)))
    milestones: dict[int, dict[str, date]] = {}
    if _needs_milestones(pairs):
        milestones = _milestone_rows(session, *_scope(Milestone, workspace_ids, member_ids))
    plans = _plans(pairs, milestones, today, lookback_months)
    by_member: PlansByMember = defaultdict(list)
    for plan in plans:
        by_member[plan.member_id].append(plan)
    since = _since(plans)
    if since is None:
        return by_member, {}
    # Only the members with credentials: when ``member_ids`` names some, the others have nothing to read.
    members = None if member_ids is None else list(by_member)
    return by_member, _entry_rows(session, since, *_scope(CEEntry, workspace_ids, members))


def _scope(model: Any, workspace_ids: Sequence[int], member_ids: Sequence[int] | None) -> list[Any]:
    """``model``'s rows in these workspaces (and of these members, when given)."""
    where = [_among(col(model.workspace_id), workspace_ids)]
    if member_ids is not None:
        where.append(_among(col(model.member_id), member_ids))
    return where


def _among(column: Any, ids: Sequence[int]) -> Any:
    # One id reads as the plain equality /ce progress has always sent (the same query plan, the same cache key).
    return column == ids[0] if len(ids) == 1 else column.in_(list(ids))


def progress_for(plans: Sequence[CredentialPlan], entries: Sequence[EntryFacts], today: date) -> list[Progress]:
    """Each plan's progress from the member's ``entries`` (oldest first)."""
    return [compute_progress(p.requirement_set, p.facts, p.entries_from(entries), today) for p in plans]

