"""Helpers shared by the ledger end-to-end tests (tests/test_slack_log.py, tests/test_slack_ledger.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cebot.domain.parsing import TrackRequest
from cebot.models import CEEntry, Member
from cebot.services import credentials
from cebot.shell.fake_records import ResponsePost
from tests.helpers.slackharness import HttpResult, SlackHarness

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
"""Frozen (ticking) clock for these tests: Friday, March 20, 2026, 11:00 in New York (U1's zone)."""
TODAY = date(2026, 3, 20)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def live_entries(engine: Engine, user: str = "U1") -> list[CEEntry]:
    """The user's entries that are not deleted, oldest first."""
    with Session(engine) as s:
        stmt = (select(CEEntry).join(Member, col(Member.id) == col(CEEntry.member_id))
                .where(Member.slack_user_id == user, col(CEEntry.deleted_at).is_(None)).order_by(col(CEEntry.id)))
        return list(s.exec(stmt))


def all_entries(engine: Engine) -> list[CEEntry]:
    with Session(engine) as s:
        return list(s.exec(select(CEEntry).order_by(col(CEEntry.id))))


def track(engine: Engine, user: str, key: str = "FL", deadline: date | None = date(2027, 8, 31)) -> None:
    """Track ``key`` for an already registered ``user`` (straight through the service)."""
    with Session(engine) as s:
        member = s.exec(select(Member).where(Member.slack_user_id == user)).one()
        credentials.track(session=s, member=member, request=TrackRequest(key=key, deadline=deadline), today=TODAY)
        s.commit()


def elements(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every interactive element in message blocks (action rows and section accessories)."""
    for block in blocks:
        if block.get("type") == "actions":
            yield from block.get("elements", [])
        if isinstance(block.get("accessory"), dict):
            yield block["accessory"]


def element(reply: ResponsePost | dict[str, Any], action_id: str) -> dict[str, Any]:
    """The element with ``action_id`` in a reply (a ResponsePost or a message/view dict with blocks)."""
    blocks = reply.blocks if isinstance(reply, ResponsePost) else list(reply.get("blocks") or [])
    found = [e for e in elements(blocks) if e.get("action_id") == action_id]
    assert found, f"no {action_id} in {[e.get('action_id') for e in elements(blocks)]}"
    return found[0]


def click(slack: SlackHarness, action_id: str, value: str, *, user: str = "U1",
          **kwargs: Any) -> tuple[HttpResult, ResponsePost]:
    """Press a button in an ephemeral message; the ack and the app's answer to the response_url."""
    result = slack.action(action_id, value=value, user=user, **kwargs)
    assert result.status == 200
    return result, slack.reply(result)
