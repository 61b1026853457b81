"""Seeding and sending helpers shared by the clock tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.settings import Settings
from cebot.jobs.sender import SlackSender
from cebot.models import CEEntry, Credential, Delivery, Member, Workspace


def seed_workspace(engine: Engine, team_id: str = "T1", tz: str = "America/New_York",
                   summary: dict[str, str] | None = None) -> int:
    with Session(engine) as s:
        ws = Workspace(team_id=team_id, name="Clinic", timezone=tz,
                       settings={"summary": summary} if summary else {})
        s.add(ws)
        s.commit()
        assert ws.id is not None
        return ws.id


def seed_member(engine: Engine, workspace_id: int, user: str, *, tz: str = "America/New_York",
                name: str = "", key: str | None = "FL", deadline: date | None = date(2026, 8, 31),
                joined: datetime = datetime(2026, 7, 1, tzinfo=UTC), enabled: bool = True,
                snoozed_until: date | None = None, cpr_expires_on: date | None = None,
                entries: list[tuple[date, int, list[str]]] = ()) -> int:  # type: ignore[assignment]
    with Session(engine) as s:
        m = Member(workspace_id=workspace_id, slack_user_id=user, display_name=name or user.lower(), timezone=tz,
                   reminders_enabled=enabled, snoozed_until=snoozed_until, created_at=joined)
        s.add(m)
        s.flush()
        assert m.id is not None
        if key:
            s.add(Credential(workspace_id=workspace_id, member_id=m.id, requirement_key=key, deadline=deadline,
                             cpr_expires_on=cpr_expires_on, created_at=joined))
        for on, hours_q, subjects in entries:
            s.add(CEEntry(workspace_id=workspace_id, member_id=m.id, title=f"Course {on}", completed_on=on,
                          hours_q=hours_q, subjects=subjects, created_at=joined))
        s.commit()
        return m.id


def deliveries(engine: Engine) -> list[Delivery]:
    with Session(engine) as s:
        return list(s.exec(select(Delivery).order_by(Delivery.id)))  # type: ignore[arg-type]


def sender_for(settings: Settings, fake_url: str, **kw: Any) -> SlackSender:
    kw.setdefault("min_interval", 0.0)
    return SlackSender(settings.model_copy(update={"slack_api_url": fake_url}), **kw)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)
