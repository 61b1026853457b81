"""Certificates: a Slack file attached to a logged course, kept as its file id and permalink.

Two ways in: the logging modal's file input (:func:`attach_certificate` straight
away), or ``/ce attach <id>`` (:func:`request_attach`), after which the next file
the member shares in the app's DM is attached (:func:`complete_pending_attach`).
The file stays in Slack; cebot keeps only the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cebot.models import CEEntry, EntryChange, Member, PendingAttachment, utcnow
from cebot.services.errors import InvalidRequest
from cebot.services.ledger import get_entry

ATTACH_WINDOW = timedelta(minutes=30)
"""How long ``/ce attach`` waits for the file."""
FILE_ID_MAX = 64
URL_MAX = 500


@dataclass(frozen=True)
class Attached:
    entry: CEEntry
    replaced: bool
    """The entry had a certificate before (now replaced)."""


def _member_id(member: Member) -> int:
    assert member.id is not None, "member must be flushed first"
    return member.id


def _clean_file(file_id: str, permalink: str | None) -> tuple[str, str | None]:
    file_id = (file_id or "").strip()
    if not file_id or len(file_id) > FILE_ID_MAX:
        raise InvalidRequest("That file can't be attached: share it again in our DM.")
    url = (permalink or "").strip() or None
    if url is not None and (len(url) > URL_MAX or not url.startswith("https://")):
        url = None
    return file_id, url


def attach_certificate(*, session: Session, member: Member, entry_id: int, file_id: str,
                       permalink: str | None) -> Attached:
    """Keep the Slack file ``file_id`` (and its permalink) as the certificate of the member's entry."""
    entry = get_entry(session=session, member=member, entry_id=entry_id)
    file_id, url = _clean_file(file_id, permalink)
    replaced = bool(entry.certificate_ref or entry.certificate_url) and entry.certificate_ref != file_id
    entry.certificate_ref = file_id
    entry.certificate_url = url
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    return Attached(entry=entry, replaced=replaced)


def request_attach(*, session: Session, member: Member, entry_id: int, now: datetime | None = None) -> CEEntry:
    """Wait (for :data:`ATTACH_WINDOW`) for the certificate of ``entry_id`` to be shared in the app's DM."""
    entry = get_entry(session=session, member=member, entry_id=entry_id)
    now = now or utcnow()
    pending = session.exec(select(PendingAttachment).where(
        PendingAttachment.workspace_id == member.workspace_id, PendingAttachment.member_id == _member_id(member),
    )).first()
    assert entry.id is not None
    if pending is None:
        pending = PendingAttachment(workspace_id=member.workspace_id, member_id=_member_id(member), entry_id=entry.id,
                                    expires_at=now + ATTACH_WINDOW)
    else:
        pending.entry_id = entry.id
        pending.expires_at = now + ATTACH_WINDOW
        pending.created_at = now
    session.add(pending)
    session.flush()
    return entry


def pending_entry(*, session: Session, member: Member, now: datetime | None = None) -> CEEntry | None:
    """The live entry the member's ``/ce attach`` is waiting a file for, or None (none, lapsed or deleted)."""
    now = now or utcnow()
    return session.exec(
        select(CEEntry)
        .join(PendingAttachment, col(PendingAttachment.entry_id) == col(CEEntry.id))
        .where(
            PendingAttachment.workspace_id == member.workspace_id,
            PendingAttachment.member_id == _member_id(member),
            col(PendingAttachment.expires_at) > now,
            CEEntry.member_id == _member_id(member),
            col(CEEntry.deleted_at).is_(None),
        )
    ).first()


def complete_pending_attach(*, session: Session, member: Member, file_id: str, permalink: str | None,
                            now: datetime | None = None) -> Attached | None:
    """Attach a file the member shared to the entry their ``/ce attach`` named; None when nothing is waiting."""
    entry = pending_entry(session=session, member=member, now=now)
    clear_pending(session=session, member=member)
    if entry is None or entry.id is None:
        return None
    return attach_certificate(session=session, member=member, entry_id=entry.id, file_id=file_id,
                              permalink=permalink)


def clear_pending(*, session: Session, member: Member) -> int:
    """Forget the member's waiting ``/ce attach`` (returns how many rows were removed)."""
    result = session.execute(sa.delete(PendingAttachment).where(
        col(PendingAttachment.workspace_id) == member.workspace_id,
        col(PendingAttachment.member_id) == _member_id(member),
    ))
    return int(getattr(result, "rowcount", 0) or 0)


def entries_without_certificate(*, session: Session, member: Member, entry_ids: list[int]) -> list[CEEntry]:
    """Those of ``entry_ids`` (the member's live entries) with no certificate, oldest first (one query)."""
    if not entry_ids:
        return []
    return list(session.exec(
        select(CEEntry).where(
            CEEntry.workspace_id == member.workspace_id,
            CEEntry.member_id == _member_id(member),
            col(CEEntry.id).in_(entry_ids),
            col(CEEntry.deleted_at).is_(None),
            col(CEEntry.certificate_ref).is_(None),
            col(CEEntry.certificate_url).is_(None),
        ).order_by(col(CEEntry.completed_on), col(CEEntry.id))
    ))


def form_file(values: dict[str, Any], block_id: str) -> tuple[str, str | None] | None:
    """``(file id, permalink)`` of the first file in a modal's ``file_input`` block, or None."""
    block = values.get(block_id) if isinstance(values, dict) else None
    for element in (block or {}).values() if isinstance(block, dict) else ():
        files = element.get("files") if isinstance(element, dict) else None
        if isinstance(files, list) and files and isinstance(files[0], dict) and files[0].get("id"):
            return str(files[0]["id"]), files[0].get("permalink")
    return None


def attach_from_form(*, session: Session, member: Member, values: dict[str, Any], block_id: str,
                     entry_id: int | None = None) -> Attached | None:
    """Attach the file given in the logging modal to ``entry_id`` (the entry just logged when None)."""
    found = form_file(values, block_id)
    if found is None:
        return None
    if entry_id is None:
        entry_id = session.exec(
            select(EntryChange.entry_id)
            .where(EntryChange.workspace_id == member.workspace_id, EntryChange.member_id == _member_id(member))
            .order_by(col(EntryChange.id).desc())
            .limit(1)
        ).first()
        if entry_id is None:
            return None
    return attach_certificate(session=session, member=member, entry_id=entry_id, file_id=found[0],
                              permalink=found[1])
