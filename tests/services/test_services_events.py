"""Handled Slack request and event keys are claimed once, kept a day for de-duplication, then pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import session_scope
from cebot.models import ProcessedEvent
from cebot.services.events import PROCESSED_EVENT_TTL, claim_request, prune_processed_events, request_key

T0 = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def record_event(engine: Engine, *, event_id: str, team_id: str) -> bool:
    with session_scope(engine) as session:
        return claim_request(session=session, key=event_id, team_id=team_id)


def ids(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return sorted(e.event_id for e in s.exec(select(ProcessedEvent)))


def test_prune_deletes_only_ids_older_than_a_day_in_every_workspace(engine: Engine) -> None:
    """Ids recorded more than a day ago go (any team); younger ones stay and still stop a retry."""
    for hours_ago, event_id, team in ((50, "Ev-old-T1", "T1"), (25, "Ev-old-T2", "T2"), (23, "Ev-young", "T1"),
                                      (0, "Ev-now", "T2")):
        with time_machine.travel(T0 - timedelta(hours=hours_ago), tick=False):
            assert record_event(engine, event_id=event_id, team_id=team)
    with time_machine.travel(T0, tick=False), session_scope(engine) as session:
        assert timedelta(days=1) == PROCESSED_EVENT_TTL
        assert prune_processed_events(session=session, older_than=PROCESSED_EVENT_TTL) == 2
    assert ids(engine) == ["Ev-now", "Ev-young"]
    assert not record_event(engine, event_id="Ev-young", team_id="T1")  # still a duplicate
    assert record_event(engine, event_id="Ev-old-T1", team_id="T1")  # forgotten: would be handled again
    with time_machine.travel(T0, tick=False), session_scope(engine) as session:
        assert prune_processed_events(session=session, older_than=PROCESSED_EVENT_TTL) == 0


def test_prune_takes_an_explicit_now_and_refuses_a_negative_age(engine: Engine) -> None:
    """``now`` sets the cutoff; nothing to prune is 0; a negative age is a programming error."""
    with session_scope(engine) as s:
        assert prune_processed_events(session=s, older_than=timedelta(hours=1)) == 0
    with time_machine.travel(T0, tick=False):
        record_event(engine, event_id="Ev-1", team_id="T1")
    with session_scope(engine) as s:
        assert prune_processed_events(session=s, older_than=timedelta(hours=1), now=T0 + timedelta(minutes=59)) == 0
        assert prune_processed_events(session=s, older_than=timedelta(hours=1), now=T0 + timedelta(minutes=61)) == 1
        with pytest.raises(ValueError, match="negative"):
            prune_processed_events(session=s, older_than=timedelta(seconds=-1))
    assert ids(engine) == []


def test_request_key_is_the_event_id_or_the_trigger_id() -> None:
    """Events are keyed by ``event_id``, commands, buttons and forms by ``trigger_id``; others have no key."""
    assert request_key({"type": "event_callback", "event_id": "Ev1", "trigger_id": "x"}) == "event:Ev1"
    assert request_key({"command": "/ce", "trigger_id": "123.456.abc"}) == "trigger:123.456.abc"
    assert request_key({"type": "block_actions", "trigger_id": 5}) is None
    assert request_key({"type": "event_callback"}) is None


def test_a_claim_rolled_back_with_its_request_can_be_made_again(engine: Engine) -> None:
    """The claim belongs to the request's transaction: a request that failed leaves no key behind."""
    def failing_request() -> None:
        with session_scope(engine) as session:
            assert claim_request(session=session, key="trigger:1", team_id="T1")
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        failing_request()
    with session_scope(engine) as session:
        assert claim_request(session=session, key="trigger:1", team_id="T1")
        assert not claim_request(session=session, key="trigger:1", team_id="T1")


def test_a_key_longer_than_the_column_is_stored_as_its_hash(engine: Engine) -> None:
    """Keys over 64 characters fit the column as a hash, and still find their duplicate."""
    long_key = "trigger:" + "9" * 200
    assert record_event(engine, event_id=long_key, team_id="T1")
    assert not record_event(engine, event_id=long_key, team_id="T1")
    assert all(len(i) <= 64 for i in ids(engine))
