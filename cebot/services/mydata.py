"""A member's own data: everything cebot keeps about them, as JSON, or erased.

:func:`export_member_data` returns a JSON-ready dict of the member's profile,
tracked credentials, every course (deleted ones too, marked), the change log
behind ``/ce undo``, pathway milestones, a waiting ``/ce attach`` and the
reminders sent to them. :func:`delete_member_data` removes all of that and the
member row itself, in one transaction, keeping no copy; rows of anyone else are
never touched (every statement is scoped to the workspace and the member).
Certificate files cebot stored are part of it: their rows go in the same transaction, and
:attr:`DeletionReport.released` names the stored objects to remove from the certificate store once it has
committed (:func:`cebot.services.certificate_retention.delete_files`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cebot.domain.hours import to_decimal
from cebot.models import (
    CEEntry,
    Certificate,
    Credential,
    Delivery,
    EntryChange,
    Job,
    Member,
    Milestone,
    PendingAttachment,
    Workspace,
)
from cebot.services.certificates import unreferenced

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Any, *, skip: tuple[str, ...] = ("workspace_id", "member_id")) -> dict[str, Any]:
    data = obj.model_dump()
    return {k: _plain(v) for k, v in data.items() if k not in skip}


def _member_id(member: Member) -> int:
    assert member.id is not None
    return member.id


def export_member_data(*, session: Session, member: Member, workspace: Workspace | None = None) -> dict[str, Any]:
    """Everything cebot keeps about ``member`` (a constant number of queries), ready for ``json.dumps``."""
    mid, wid = _member_id(member), member.workspace_id
    entries = session.exec(select(CEEntry).where(CEEntry.workspace_id == wid, CEEntry.member_id == mid)
                           .order_by(col(CEEntry.completed_on), col(CEEntry.id))).all()
    courses = []
    for e in entries:
        row = _row(e)
        row["hours"] = float(to_decimal(e.hours_q))
        courses.append(row)
    changes = session.exec(select(EntryChange).where(EntryChange.workspace_id == wid, EntryChange.member_id == mid)
                           .order_by(col(EntryChange.id))).all()
    credentials = session.exec(select(Credential).where(Credential.workspace_id == wid, Credential.member_id == mid)
                               .order_by(col(Credential.requirement_key))).all()
    milestones = session.exec(select(Milestone).where(Milestone.workspace_id == wid, Milestone.member_id == mid)
                              .order_by(col(Milestone.completed_on))).all()
    stored = session.exec(select(Certificate).where(Certificate.workspace_id == wid, Certificate.member_id == mid)
                          .order_by(col(Certificate.id))).all()
    pending = session.exec(select(PendingAttachment).where(PendingAttachment.workspace_id == wid,
                                                           PendingAttachment.member_id == mid)).all()
    deliveries = session.exec(select(Delivery).where(Delivery.workspace_id == wid,
                                                     Delivery.recipient == member.slack_user_id)
                              .order_by(col(Delivery.id))).all()
    profile = _row(member, skip=("workspace_id",))
    return {
        "format": "cebot-member-data",
        "version": FORMAT_VERSION,
        "workspace": {"team_id": workspace.team_id, "name": workspace.name} if workspace else {"id": wid},
        "member": profile,
        "credentials": [_row(c) for c in credentials],
        "entries": courses,
        "entry_changes": [_row(c) for c in changes],
        "milestones": [_row(m) for m in milestones],
        "certificates": [_row(c) for c in stored],
        "pending_attachments": [_row(p) for p in pending],
        "deliveries": [_row(d, skip=("workspace_id",)) for d in deliveries],
    }


@dataclass(frozen=True)
class DeletionReport:
    """How many rows of each kind were removed."""

    entries: int = 0
    entry_changes: int = 0
    credentials: int = 0
    milestones: int = 0
    certificates: int = 0
    """Certificates (stored files and Slack-only links) removed."""
    pending_attachments: int = 0
    deliveries: int = 0
    member: int = 0
    released: tuple[str, ...] = ()
    """Stored objects no row holds any more: delete them from the certificate store after commit."""

    @property
    def total(self) -> int:
        return (self.entries + self.entry_changes + self.credentials + self.milestones + self.pending_attachments
                + self.certificates
                + self.deliveries + self.member)


def data_counts(*, session: Session, member: Member) -> DeletionReport:
    """What :func:`delete_member_data` would remove, without removing it."""
    mid, wid = _member_id(member), member.workspace_id

    def count(model: Any, *where: Any) -> int:
        return int(session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one())

    return DeletionReport(
        entries=count(CEEntry, col(CEEntry.workspace_id) == wid, col(CEEntry.member_id) == mid),
        entry_changes=count(EntryChange, col(EntryChange.workspace_id) == wid, col(EntryChange.member_id) == mid),
        credentials=count(Credential, col(Credential.workspace_id) == wid, col(Credential.member_id) == mid),
        milestones=count(Milestone, col(Milestone.workspace_id) == wid, col(Milestone.member_id) == mid),
        certificates=count(Certificate, col(Certificate.workspace_id) == wid, col(Certificate.member_id) == mid),
        pending_attachments=count(PendingAttachment, col(PendingAttachment.workspace_id) == wid,
                                  col(PendingAttachment.member_id) == mid),
        deliveries=count(Delivery, col(Delivery.workspace_id) == wid, col(Delivery.recipient) == member.slack_user_id),
        member=1,
    )


def delete_member_data(*, session: Session, member: Member) -> DeletionReport:
    """Remove everything cebot keeps about ``member``, the member row last; returns what was removed."""
    mid, wid = _member_id(member), member.workspace_id

    def delete(model: Any, *where: Any) -> int:
        result = session.execute(sa.delete(model).where(*where))
        return int(getattr(result, "rowcount", 0) or 0)

    session.flush()
    hashes = [h for h in session.exec(select(Certificate.sha256).where(
        Certificate.workspace_id == wid, Certificate.member_id == mid)) if h]
    # Their jobs (exports asked for, done or not) go first: a job for a deleted member has nobody to send to.
    delete(Job, col(Job.workspace_id) == wid, col(Job.member_id) == mid)
    removed = DeletionReport(
        certificates=delete(Certificate, col(Certificate.workspace_id) == wid, col(Certificate.member_id) == mid),
        pending_attachments=delete(PendingAttachment, col(PendingAttachment.workspace_id) == wid,
                                   col(PendingAttachment.member_id) == mid),
        entry_changes=delete(EntryChange, col(EntryChange.workspace_id) == wid, col(EntryChange.member_id) == mid),
        entries=delete(CEEntry, col(CEEntry.workspace_id) == wid, col(CEEntry.member_id) == mid),
        credentials=delete(Credential, col(Credential.workspace_id) == wid, col(Credential.member_id) == mid),
        milestones=delete(Milestone, col(Milestone.workspace_id) == wid, col(Milestone.member_id) == mid),
        deliveries=delete(Delivery, col(Delivery.workspace_id) == wid, col(Delivery.recipient) == member.slack_user_id),
        member=delete(Member, col(Member.workspace_id) == wid, col(Member.id) == mid),
        released=tuple(unreferenced(session=session, hashes=hashes)),
    )
    session.expunge(member)
    return removed
