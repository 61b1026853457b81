"""Progress for a member or a whole team, in a constant number of queries.

Member progress: credentials (joined with the workspace's own requirement
sets), entries, and milestones only when a pathway is tracked: at most 3
queries whatever the ledger size. Team progress adds one query for the
members: at most 4. Entries are read as plain column tuples, not ORM objects.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cebot.domain.facts import EntryFacts
from cebot.domain.progress import Progress, Status, compute_progress
from cebot.domain.requirements import RequirementSet, SetKind
from cebot.models import CEEntry, Credential, Member, Milestone, Workspace, WorkspaceRequirementSet
from cebot.services.credentials import catalog_with_definitions, credential_facts

log = logging.getLogger(__name__)

STATUS_ORDER: dict[str, int] = {
    "overdue": 0, "at_risk": 1, "needs_info": 2, "on_track": 3, "complete": 4, "exempt": 5,
}
"""Team lists show the members who need help first."""


@dataclass(frozen=True)
class MemberProgress:
    """One member's progress on every credential they track."""

    member: Member
    progress: list[Progress]

    @property
    def worst(self) -> int:
        return min((STATUS_ORDER.get(_status(p), 9) for p in self.progress), default=99)


def _status(p: Progress) -> str:
    status: Any = p.status
    return str(getattr(status, "value", status))


# ---------------------------------------------------------------- queries


def _credential_rows(session: Session, *where: Any) -> list[tuple[Credential, str | None]]:
    """Credentials with the workspace's own definition of their set, if any (one query)."""
    stmt = (
        select(Credential, WorkspaceRequirementSet.definition)
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
    return [(c, d) for c, d in session.exec(stmt)]


_ENTRY_COLUMNS: tuple[Any, ...] = (
    col(CEEntry.member_id),
    col(CEEntry.id),
    col(CEEntry.title),
    col(CEEntry.completed_on),
    col(CEEntry.hours_q),
    col(CEEntry.delivery_format),
    sa.cast(col(CEEntry.subjects), sa.Text),
    col(CEEntry.provider),
    col(CEEntry.approval_number),
    sa.or_(col(CEEntry.certificate_ref).isnot(None), col(CEEntry.certificate_url).isnot(None)),
)


def _entry_rows(session: Session, *where: Any) -> dict[int, list[EntryFacts]]:
    """Live entries as EntryFacts grouped by member id (one query, plain tuples)."""
    stmt = sa.select(*_ENTRY_COLUMNS).where(col(CEEntry.deleted_at).is_(None), *where)
    subjects_cache: dict[str | None, tuple[str, ...]] = {}
    out: dict[int, list[EntryFacts]] = defaultdict(list)
    for member_id, eid, title, on, hours, fmt, subjects_text, provider, approval, has_cert in session.execute(stmt):
        subjects = subjects_cache.get(subjects_text)
        if subjects is None:
            subjects = tuple(json.loads(subjects_text)) if subjects_text else ()
            subjects_cache[subjects_text] = subjects
        out[member_id].append(
            EntryFacts(eid, title, on, hours, fmt, subjects, provider, approval, bool(has_cert))
        )
    return out


def _milestone_rows(session: Session, *where: Any) -> dict[int, dict[str, date]]:
    stmt = sa.select(col(Milestone.member_id), col(Milestone.step), col(Milestone.completed_on)).where(*where)
    out: dict[int, dict[str, date]] = defaultdict(dict)
    for member_id, step, on in session.execute(stmt):
        out[member_id][step] = on
    return out


def _needs_milestones(sets: Iterable[RequirementSet | None]) -> bool:
    return any(rs is not None and rs.kind is SetKind.PATHWAY for rs in sets)


def _resolve(rows: Sequence[tuple[Credential, str | None]]) -> list[tuple[Credential, RequirementSet | None]]:
    catalog = catalog_with_definitions(d for _, d in rows if d)
    resolved = []
    for credential, _ in rows:
        rs = catalog.get(credential.requirement_key)
        if rs is None:
            log.warning("credential %s tracks unknown requirement set %r", credential.id, credential.requirement_key)
        resolved.append((credential, rs))
    return resolved


def _progress_for(
    pairs: Sequence[tuple[Credential, RequirementSet | None]],
    entries: Sequence[EntryFacts],
    milestones: dict[str, date],
    today: date,
) -> list[Progress]:
    out = []
    for credential, rs in pairs:
        if rs is None:
            continue
        out.append(compute_progress(rs, credential_facts(credential, milestones), entries, today))
    return out


# ---------------------------------------------------------------- public


def member_progress(*, session: Session, member: Member, today: date) -> list[Progress]:
    """Progress on every credential the member tracks, as of ``today`` (at most 3 queries)."""
    pairs = _resolve(_credential_rows(
        session, Credential.workspace_id == member.workspace_id, Credential.member_id == member.id
    ))
    if not pairs:
        return []
    entries = _entry_rows(
        session, CEEntry.workspace_id == member.workspace_id, CEEntry.member_id == member.id
    ).get(member.id or 0, [])
    milestones: dict[str, date] = {}
    if _needs_milestones(rs for _, rs in pairs):
        milestones = _milestone_rows(
            session, Milestone.workspace_id == member.workspace_id, Milestone.member_id == member.id
        ).get(member.id or 0, {})
    return _progress_for(pairs, entries, milestones, today)


def team_progress(*, session: Session, workspace: Workspace, today: date) -> list[MemberProgress]:
    """Progress of every member of the workspace, those overdue or at risk first (at most 4 queries)."""
    members = list(session.exec(select(Member).where(Member.workspace_id == workspace.id)))
    if not members:
        return []
    pairs = _resolve(_credential_rows(session, Credential.workspace_id == workspace.id))
    by_member: dict[int, list[tuple[Credential, RequirementSet | None]]] = defaultdict(list)
    for credential, rs in pairs:
        by_member[credential.member_id].append((credential, rs))
    entries: dict[int, list[EntryFacts]] = {}
    if pairs:
        entries = _entry_rows(session, CEEntry.workspace_id == workspace.id)
    milestones: dict[int, dict[str, date]] = {}
    if _needs_milestones(rs for _, rs in pairs):
        milestones = _milestone_rows(session, Milestone.workspace_id == workspace.id)
    result = [
        MemberProgress(
            member=m,
            progress=_progress_for(by_member.get(m.id or 0, []), entries.get(m.id or 0, []),
                                   milestones.get(m.id or 0, {}), today),
        )
        for m in members
    ]
    result.sort(key=lambda mp: (mp.worst, (mp.member.display_name or mp.member.slack_user_id).lower()))
    return result


__all__ = ["STATUS_ORDER", "MemberProgress", "Status", "member_progress", "team_progress"]
