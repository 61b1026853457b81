"""The private calendar feed behind ``/ce calendar``: a random token, stored only as its sha256, and the ICS it
serves. ``/ce calendar`` issues a token (replacing any earlier one: the old URL stops working), ``/ce calendar
reset`` revokes it. The feed is read without a Slack request, so the token is the only key: 32 random bytes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from cebot.domain import reminders as r
from cebot.domain.calendar_feed import DeadlineEvent, build_ics
from cebot.domain.hours import format_hours
from cebot.models import CEEntry, Credential, Member
from cebot.services.progress import member_progress

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, member: Member) -> str:
    """A new feed token for ``member`` (the caller's transaction); only its hash is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    member.calendar_token_hash = token_hash(token)
    session.add(member)
    session.flush()
    return token


def revoke_token(*, session: Session, member: Member) -> bool:
    """Forget the member's feed token; False when there was none."""
    had = member.calendar_token_hash is not None
    member.calendar_token_hash = None
    session.add(member)
    session.flush()
    return had


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str
    last_modified: datetime


def _last_change(session: Session, member: Member) -> datetime:
    """The latest change the feed can reflect: the member joining, a credential tracked, an entry written or
    deleted (the ETag also covers changes without a timestamp, such as a new deadline or lead times)."""
    assert member.id is not None
    moments = [member.created_at]
    row = session.execute(sa.select(sa.func.max(col(CEEntry.updated_at)), sa.func.max(col(CEEntry.deleted_at)))
                          .where(col(CEEntry.workspace_id) == member.workspace_id,
                                 col(CEEntry.member_id) == member.id)).one()
    moments += [m for m in row if m is not None]
    tracked = session.execute(sa.select(sa.func.max(col(Credential.created_at))).where(
        col(Credential.workspace_id) == member.workspace_id, col(Credential.member_id) == member.id)).scalar()
    if tracked is not None:
        moments.append(tracked)
    latest = max(m if m.tzinfo is not None else m.replace(tzinfo=UTC) for m in moments)
    return latest.astimezone(UTC).replace(microsecond=0)


def feed_for_token(*, session: Session, token: str, now: datetime) -> Feed | None:
    """The ICS for the member whose token this is; None for a wrong or revoked token."""
    if not token or len(token) > 128:
        return None
    member = session.execute(sa.select(Member).where(col(Member.calendar_token_hash) == token_hash(token))
                             ).scalar_one_or_none()
    if member is None:
        return None
    today = r.local_now(now, r.zone(member.timezone)).date()
    events = [DeadlineEvent(key=p.key, name=p.name, deadline=p.deadline,
                            summary_line=(f"{format_hours(p.remaining)} h to go" if p.remaining > 0
                                          else "hours done"))
              for p in member_progress(session=session, member=member, today=today) if p.deadline is not None]
    stamp = _last_change(session, member)
    body = build_ics(member_uid=f"{member.workspace_id}-{member.id}", timezone=member.timezone, events=events,
                     lead_days=r.lead_days_from_text(member.lead_days), stamp=stamp)
    return Feed(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"', last_modified=stamp)
