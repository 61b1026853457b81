"""Handled Slack event ids are kept a day for retry dedupe, then pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.db import session_scope
from cebot.models import ProcessedEvent
from cebot.services.events import PROCESSED_EVENT_TTL, prune_processed_events
from cebot.slack.app import record_event

T0 = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


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
