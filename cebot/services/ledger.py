"""The CE ledger: log, edit, delete, undo and list a member's courses.

Every change writes an :class:`~cebot.models.EntryChange` so ``/ce undo`` can
reverse the member's last change. Entries are soft-deleted (``deleted_at``).
An entry id that belongs to someone else, or to another workspace, is treated
exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cebot.domain.facts import EntryFacts, LogRequest
from cebot.domain.hours import format_hours
from cebot.domain.limits import EARLIEST_DATE, MAX_APPROVAL, MAX_HOURS, MAX_NOTES, MAX_PROVIDER, MAX_TITLE, MIN_HOURS
from cebot.domain.requirements import DELIVERY_FORMATS
from cebot.domain.subjects import canonical, suggest
from cebot.models import CEEntry, EntryChange, Member, utcnow
from cebot.services.errors import InvalidRequest, NotFound, NothingToUndo

LOGGED = "logged"
EDITED = "edited"
DELETED = "deleted"

EDITABLE_KEYS: dict[str, str] = {
    "hours": "hours_q",
    "title": "title",
    "date": "completed_on",
    "provider": "provider",
    "approval": "approval_number",
    "format": "delivery_format",
    "subjects": "subjects",
    "notes": "notes",
}
"""Change keys ``parse_edit`` produces -> CEEntry columns."""

_SNAPSHOT_COLUMNS = ("title", "provider", "approval_number", "completed_on", "hours_q", "delivery_format",
                     "subjects", "notes")


@dataclass(frozen=True)
class UndoResult:
    """What ``undo_last`` reversed: ``action`` is the original change (``logged``/``edited``/``deleted``)."""

    action: str
    entry: CEEntry


# ---------------------------------------------------------------- validation


def _latest_allowed_date() -> date:
    # The service cannot know the user's clock for sure; allow the earliest timezone's "today".
    return datetime.now(UTC).date() + timedelta(days=1)


def _clean_hours(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest("Hours must be a number of hours, like 3 or 1.5.")
    if value < MIN_HOURS or value > MAX_HOURS:
        shown = format_hours(value) if value > 0 else str(value / 4)
        raise InvalidRequest(f"{shown} h isn't possible for one course: use 0.25 to 40 hours, like 3 or 1.5.")
    return value


def _clean_title(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise InvalidRequest("Give the course a title, e.g. /ce log 3 Ethics for LMTs.")
    if len(text) > MAX_TITLE:
        raise InvalidRequest(f"That title is {len(text)} characters; keep it to {MAX_TITLE}.")
    return text


def _clean_date(value: Any) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidRequest("Give the date like 2026-03-14 or 3/14.")
    if value < EARLIEST_DATE:
        raise InvalidRequest(f"{value.isoformat()} is too long ago: use a date from 1990 on.")
    if value > _latest_allowed_date():
        raise InvalidRequest(f"{value.isoformat()} is in the future: log a course once you've completed it.")
    return value


def _clean_format(value: Any) -> str:
    if value not in DELIVERY_FORMATS:
        raise InvalidRequest("Format must be in-person, online (live) or home-study.")
    return str(value)


def _clean_subjects(value: Any) -> list[str]:
    if isinstance(value, str):
        value = (value,)
    out: list[str] = []
    for raw in value or ():
        key = canonical(str(raw))
        if key is None:
            hint = suggest(str(raw))
            extra = f" Did you mean #{hint}?" if hint else ""
            raise InvalidRequest(f"I don't know the subject “{raw}”.{extra}")
        if key not in out:
            out.append(key)
    return out


def _clean_optional(value: Any, limit: int, what: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise InvalidRequest(f"That {what} is {len(text)} characters; keep it to {limit}.")
    return text or None


def _clean_change(column: str, value: Any) -> Any:
    if column == "hours_q":
        return _clean_hours(value)
    if column == "title":
        return _clean_title(value)
    if column == "completed_on":
        return _clean_date(value)
    if column == "delivery_format":
        return _clean_format(value)
    if column == "subjects":
        return _clean_subjects(value)
    if column == "provider":
        return _clean_optional(value, MAX_PROVIDER, "provider")
    if column == "approval_number":
        return _clean_optional(value, MAX_APPROVAL, "approval number")
    return _clean_optional(value, MAX_NOTES, "note")


# ---------------------------------------------------------------- snapshots


def _snapshot(entry: CEEntry) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(entry, name) for name in _SNAPSHOT_COLUMNS}
    data["completed_on"] = entry.completed_on.isoformat()
    data["subjects"] = list(entry.subjects or [])
    return data


def _restore(entry: CEEntry, data: dict[str, Any]) -> None:
    for name in _SNAPSHOT_COLUMNS:
        if name not in data:
            continue
        value = data[name]
        if name == "completed_on":
            value = date.fromisoformat(value)
        elif name == "subjects":
            value = list(value or [])
        setattr(entry, name, value)


def _record(session: Session, member: Member, entry: CEEntry, action: str, before: dict[str, Any] | None) -> None:
    assert entry.id is not None
    session.add(EntryChange(workspace_id=member.workspace_id, member_id=_id(member), entry_id=entry.id,
                            action=action, before=before))


def _id(member: Member) -> int:
    assert member.id is not None, "member must be flushed first"
    return member.id


# ---------------------------------------------------------------- queries


def _entries(member: Member) -> Any:
    return select(CEEntry).where(
        CEEntry.workspace_id == member.workspace_id,
        CEEntry.member_id == _id(member),
        col(CEEntry.deleted_at).is_(None),
    )


def get_entry(*, session: Session, member: Member, entry_id: int) -> CEEntry:
    """The member's live entry ``entry_id``; NotFound for a missing, deleted or someone else's entry."""
    entry = session.exec(_entries(member).where(CEEntry.id == entry_id)).first()
    if entry is None:
        raise NotFound.entry(entry_id)
    return entry


def list_entries(*, session: Session, member: Member, limit: int = 10, offset: int = 0) -> list[CEEntry]:
    """The member's most recent courses, newest completion date first (skipping the ``offset`` newest)."""
    stmt = (_entries(member).order_by(col(CEEntry.completed_on).desc(), col(CEEntry.id).desc())
            .offset(max(offset, 0)).limit(max(limit, 0)))
    return list(session.exec(stmt))


def count_entries(*, session: Session, member: Member) -> int:
    """How many live entries the member has."""
    stmt = select(sa.func.count()).select_from(CEEntry).where(
        CEEntry.workspace_id == member.workspace_id, CEEntry.member_id == _id(member),
        col(CEEntry.deleted_at).is_(None),
    )
    return int(session.exec(stmt).one())


def find_duplicate(*, session: Session, member: Member, title: str, completed_on: date) -> CEEntry | None:
    """A live entry with the same title (any case) on the same date, if the member already logged one."""
    stmt = _entries(member).where(
        CEEntry.completed_on == completed_on,
        sa.func.lower(CEEntry.title) == title.strip().lower(),
    ).order_by(col(CEEntry.id))
    return session.exec(stmt).first()


def hours_by_subject(*, session: Session, member: Member, subjects: Iterable[str], since: date | None = None) -> int:
    """Quarter hours of the member's live courses tagged with any of ``subjects`` (canonical keys), completed on
    or after ``since`` if given; 0 for no subjects. One query, whatever the size of the ledger."""
    keys = sorted(set(subjects))
    unknown = [k for k in keys if canonical(k) != k]
    if unknown:
        raise ValueError(f"not canonical subject keys: {unknown}")
    if not keys:
        return 0
    # Subjects are a JSON list of canonical keys (letters and _), so '"key"' in its text is exactly that tag.
    tags = sa.cast(col(CEEntry.subjects), sa.Text)
    stmt = select(sa.func.coalesce(sa.func.sum(CEEntry.hours_q), 0)).select_from(CEEntry).where(
        CEEntry.workspace_id == member.workspace_id, CEEntry.member_id == _id(member),
        col(CEEntry.deleted_at).is_(None),
        sa.or_(*(tags.contains(f'"{key}"', autoescape=True) for key in keys)),
    )
    if since is not None:
        stmt = stmt.where(CEEntry.completed_on >= since)
    return int(session.exec(stmt).one())


# ---------------------------------------------------------------- changes


def log_entry(*, session: Session, member: Member, request: LogRequest) -> CEEntry:
    """Add a course to the member's ledger (validated; nothing is written if a value is wrong)."""
    entry = CEEntry(
        workspace_id=member.workspace_id,
        member_id=_id(member),
        title=_clean_title(request.title),
        completed_on=_clean_date(request.completed_on),
        hours_q=_clean_hours(request.hours),
        delivery_format=_clean_format(request.delivery_format),
        subjects=_clean_subjects(request.subjects),
        provider=_clean_optional(request.provider, MAX_PROVIDER, "provider"),
        approval_number=_clean_optional(request.approval_number, MAX_APPROVAL, "approval number"),
        notes=_clean_optional(request.notes, MAX_NOTES, "note"),
    )
    session.add(entry)
    session.flush()
    _record(session, member, entry, LOGGED, None)
    session.flush()
    return entry


def edit_entry(*, session: Session, member: Member, entry_id: int, changes: dict[str, Any]) -> CEEntry:
    """Change fields of one of the member's entries.

    ``changes`` uses the keys ``parse_edit`` produces: hours, title, date,
    provider, approval, format, subjects, notes (column names work too).
    """
    entry = get_entry(session=session, member=member, entry_id=entry_id)
    if not changes:
        raise InvalidRequest(f"Tell me what to change, e.g. /ce edit {entry_id} hours:2 or /ce edit {entry_id} "
                             "date:2026-03-14.")
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        column = EDITABLE_KEYS.get(key) or (key if key in _SNAPSHOT_COLUMNS else None)
        if column is None:
            raise InvalidRequest(f"I can't change “{key}”. You can change: " + ", ".join(EDITABLE_KEYS) + ".")
        cleaned[column] = _clean_change(column, value)
    before = _snapshot(entry)
    for column, value in cleaned.items():
        setattr(entry, column, value)
    entry.updated_at = utcnow()
    session.add(entry)
    _record(session, member, entry, EDITED, before)
    session.flush()
    return entry


def delete_entry(*, session: Session, member: Member, entry_id: int) -> CEEntry:
    """Remove one of the member's entries (soft delete: ``/ce undo`` brings it back)."""
    entry = get_entry(session=session, member=member, entry_id=entry_id)
    entry.deleted_at = utcnow()
    entry.updated_at = entry.deleted_at
    session.add(entry)
    _record(session, member, entry, DELETED, None)
    session.flush()
    return entry


def undo_last(*, session: Session, member: Member, entry_id: int | None = None,
              action: str | None = None) -> UndoResult:
    """Reverse the member's last change not yet undone: a log is removed, an edit reverted, a delete restored.

    With ``entry_id`` (and ``action``), only when that last change is that one (an Undo button on an older
    reply must not reverse something newer): otherwise ``NothingToUndo`` and nothing changes.
    """
    change = session.exec(
        select(EntryChange)
        .where(
            EntryChange.workspace_id == member.workspace_id,
            EntryChange.member_id == _id(member),
            col(EntryChange.undone_at).is_(None),
        )
        .order_by(col(EntryChange.id).desc())
        .limit(1)
    ).first()
    if change is None:
        raise NothingToUndo("There's nothing to undo. Your log is as you left it: try /ce list to see it.")
    if (entry_id is not None and change.entry_id != entry_id) or (action is not None and change.action != action):
        raise NothingToUndo("That change was already undone or isn't your latest one any more, so I left your log "
                            "as it is. Try /ce list to check it, or /ce undo to reverse your latest change.")
    entry = session.exec(
        select(CEEntry).where(
            CEEntry.id == change.entry_id,
            CEEntry.workspace_id == member.workspace_id,
            CEEntry.member_id == _id(member),
        )
    ).one()
    now = utcnow()
    if change.action == LOGGED:
        entry.deleted_at = now
    elif change.action == DELETED:
        entry.deleted_at = None
    elif change.action == EDITED:
        _restore(entry, change.before or {})
    else:  # pragma: no cover - only the three actions above are written
        raise RuntimeError(f"unknown change action {change.action!r}")
    entry.updated_at = now
    change.undone_at = now
    session.add(entry)
    session.add(change)
    session.flush()
    return UndoResult(action=change.action, entry=entry)


# ---------------------------------------------------------------- facts


def entry_facts(entry: CEEntry) -> EntryFacts:
    """The plain facts the progress engine needs about an entry."""
    assert entry.id is not None
    return EntryFacts(
        id=entry.id,
        title=entry.title,
        completed_on=entry.completed_on,
        hours=entry.hours_q,
        delivery_format=entry.delivery_format,
        subjects=tuple(entry.subjects or ()),
        provider=entry.provider,
        approval_number=entry.approval_number,
        has_certificate=bool(entry.certificate_ref or entry.certificate_url),
    )
