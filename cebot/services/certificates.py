"""Certificates: the files members share, kept in cebot's own store, and what links them to courses.

Three ways in, all ending in a job that downloads the file, stores it and reads it
(:mod:`cebot.jobs.certificate_jobs`): the logging modal's file input (the course is known),
``/ce attach <id>`` (:func:`request_attach`) then a file shared in the app's DM (the course is
known: :func:`take_pending_attach`), or any file shared in the DM (a proposal: the member's
*Save* logs the course as read, :func:`save_proposal`, at most once).

A :class:`~cebot.models.Certificate` row keeps the hash, type, size and name of the stored
bytes; ``CEEntry.certificate_ref``/``certificate_url`` are kept in step here (and only here),
so progress and transcripts see "has a certificate" as before. Rows from before cebot kept
files are "Slack only, not stored" (``stored`` False).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cebot.domain.facts import LogRequest
from cebot.models import CEEntry, Certificate, EntryChange, Member, PendingAttachment, utcnow
from cebot.services import ledger
from cebot.services.errors import InvalidRequest, NotFound
from cebot.services.ledger import get_entry

ATTACH_WINDOW = timedelta(minutes=30)
"""How long ``/ce attach`` waits for the file."""
FILE_ID_MAX = 64
URL_MAX = 500


NAME_MAX = 200


@dataclass(frozen=True)
class Attached:
    entry: CEEntry
    replaced: bool
    """The entry had a certificate before (now replaced)."""


@dataclass(frozen=True)
class Saved:
    entry: CEEntry
    created: bool
    """False when the proposal had been saved already (a replayed or double click): nothing was logged."""


class AlreadySaved(InvalidRequest):
    """Another click saved this proposal first; this transaction must roll back."""


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


def take_pending_attach(*, session: Session, member: Member, now: datetime | None = None) -> int | None:
    """The entry id the member's ``/ce attach`` waits a file for (and forget the wait), or None."""
    entry = pending_entry(session=session, member=member, now=now)
    clear_pending(session=session, member=member)
    return entry.id if entry is not None else None


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


def latest_entry_id(*, session: Session, member: Member) -> int | None:
    """The entry the member changed last (the one the logging form just saved)."""
    return session.exec(
        select(EntryChange.entry_id)
        .where(EntryChange.workspace_id == member.workspace_id, EntryChange.member_id == _member_id(member))
        .order_by(col(EntryChange.id).desc())
        .limit(1)
    ).first()


# -- certificate rows ----------------------------------------------------------------------------


def record_file(*, session: Session, member: Member, sha256: str, media_type: str, size: int,
                original_name: str | None, shared_by: str | None, slack_file_id: str | None,
                permalink: str | None, reading: dict[str, Any] | None) -> tuple[Certificate, bool]:
    """The member's certificate row for stored bytes ``sha256`` (created, or the existing one: the same file
    shared twice is one row); returns ``(row, created)``."""
    existing = session.exec(select(Certificate).where(
        Certificate.workspace_id == member.workspace_id, Certificate.member_id == _member_id(member),
        Certificate.sha256 == sha256)).first()
    if existing is not None:
        return existing, False
    _, url = _clean_file(slack_file_id or "local", permalink)
    row = Certificate(workspace_id=member.workspace_id, member_id=_member_id(member), sha256=sha256,
                      media_type=media_type[:64], size=size, original_name=(original_name or "")[:NAME_MAX] or None,
                      shared_by=shared_by, slack_file_id=(slack_file_id or None), permalink=url, stored=True,
                      reading=reading)
    session.add(row)
    session.flush()
    return row, True


def get_certificate(*, session: Session, member: Member, certificate_id: int) -> Certificate:
    row = session.exec(select(Certificate).where(
        Certificate.workspace_id == member.workspace_id, Certificate.member_id == _member_id(member),
        Certificate.id == certificate_id)).first()
    if row is None:
        raise NotFound("I can't find that certificate any more: share the file with me again.")
    return row


def certificate_of(*, session: Session, member: Member, entry_id: int) -> Certificate | None:
    return session.exec(select(Certificate).where(
        Certificate.workspace_id == member.workspace_id, Certificate.member_id == _member_id(member),
        Certificate.entry_id == entry_id)).first()


def _claim(session: Session, certificate: Certificate, entry_id: int) -> bool:
    """Link ``certificate`` to ``entry_id`` if it is linked to nothing yet (one conditional UPDATE: of two
    concurrent claims exactly one wins, on SQLite and PostgreSQL)."""
    result = session.execute(sa.update(Certificate).where(
        col(Certificate.id) == certificate.id, col(Certificate.entry_id).is_(None)).values(entry_id=entry_id))
    session.refresh(certificate)
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _mirror(entry: CEEntry, certificate: Certificate | None) -> None:
    """Keep the entry's certificate columns in step (read by progress and transcripts)."""
    if certificate is None:
        entry.certificate_ref, entry.certificate_url = None, None
    else:
        entry.certificate_ref = certificate.slack_file_id or f"cebot:{certificate.id}"
        entry.certificate_url = certificate.permalink
    entry.updated_at = utcnow()


def link(*, session: Session, member: Member, certificate: Certificate, entry_id: int) -> Attached:
    """Make ``certificate`` the certificate of the member's entry ``entry_id`` (replacing one it had)."""
    entry = get_entry(session=session, member=member, entry_id=entry_id)
    assert entry.id is not None
    assert certificate.id is not None
    if certificate.entry_id == entry.id:
        return Attached(entry=entry, replaced=False)
    if certificate.entry_id is not None:
        raise InvalidRequest(f"That file is already the certificate of course #{certificate.entry_id}.")
    old = certificate_of(session=session, member=member, entry_id=entry.id)
    if old is not None:
        # A stored one is unlinked, not deleted: like an unsaved proposal, the next retention purge removes it
        # (cebot.services.certificate_retention); a Slack-only link has nothing to keep.
        if old.stored:
            old.entry_id = None
            session.add(old)
        else:
            session.delete(old)
        session.flush()
    if not _claim(session, certificate, entry.id):
        raise AlreadySaved("That file was just attached to another course.")
    _mirror(entry, certificate)
    session.add(entry)
    session.flush()
    return Attached(entry=entry, replaced=old is not None)


def proposal_request(certificate: Certificate) -> LogRequest | None:
    """The course a certificate's reading proposes (None when title, hours or date were not read)."""
    fields = (certificate.reading or {}).get("fields") or {}
    try:
        hours = int(fields["hours_q"])
        title = str(fields["title"]).strip()
        day = date.fromisoformat(str(fields["completed_on"]))
    except (KeyError, TypeError, ValueError):
        return None
    if not title or hours <= 0:
        return None
    fmt = fields.get("delivery_format")
    return LogRequest(hours=hours, title=title[:200], completed_on=day,
                      provider=(str(fields["provider"])[:200] if fields.get("provider") else None),
                      approval_number=(str(fields["approval_number"])[:64] if fields.get("approval_number") else None),
                      delivery_format=fmt if fmt in ("in_person", "live_online", "home_study") else "in_person")


def save_proposal(*, session: Session, member: Member, certificate_id: int,
                  request: LogRequest | None = None) -> Saved:
    """Log the course a certificate proposes (``request``: as the member edited it) and link the file, once.

    Saved already: the entry it made, ``created`` False, nothing written. Two concurrent clicks: one logs,
    the other raises :class:`AlreadySaved` (its caller rolls back, so nothing is half-saved).
    """
    certificate = get_certificate(session=session, member=member, certificate_id=certificate_id)
    if certificate.entry_id is not None:
        entry = session.get(CEEntry, certificate.entry_id)
        if entry is not None and entry.deleted_at is None:
            return Saved(entry=entry, created=False)
        raise InvalidRequest("That certificate's course was deleted; /ce undo brings it back.")
    request = request or proposal_request(certificate)
    if request is None:
        raise InvalidRequest("I couldn't read the title, hours and date from that certificate: press Edit.")
    entry = ledger.log_entry(session=session, member=member, request=request)
    assert entry.id is not None
    if not _claim(session, certificate, entry.id):
        raise AlreadySaved("That certificate was just saved.")
    _mirror(entry, certificate)
    session.add(entry)
    session.flush()
    return Saved(entry=entry, created=True)


def certificates_by_entry(*, session: Session, member: Member, entry_ids: list[int]) -> dict[int, Certificate]:
    """The certificate row of each of ``entry_ids`` that has one (one query)."""
    if not entry_ids:
        return {}
    rows = session.exec(select(Certificate).where(
        Certificate.workspace_id == member.workspace_id, Certificate.member_id == _member_id(member),
        col(Certificate.entry_id).in_(entry_ids)))
    return {r.entry_id: r for r in rows if r.entry_id is not None}


def unreferenced(*, session: Session, hashes: list[str]) -> list[str]:
    """Those of ``hashes`` no certificate row (of any workspace: the store is shared) still holds."""
    wanted = sorted({h for h in hashes if h})
    if not wanted:
        return []
    held = set(session.exec(select(Certificate.sha256).where(
        col(Certificate.sha256).in_(wanted), col(Certificate.stored).is_(True))))
    return [h for h in wanted if h not in held]
