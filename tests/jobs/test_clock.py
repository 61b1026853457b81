"""The clock end to end: real database, frozen time, the fake Slack Web API recording what was sent."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import make_engine
from cebot.core.settings import Settings
from cebot.jobs import delivery
from cebot.jobs.clock import tick
from cebot.models import CEEntry, Member
from cebot.services import ledger
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.clock_helpers import deliveries, seed_member, seed_workspace, sender_for, utc

# Florida deadline Mon Aug 31 2026: the 30-day stage starts Fri Jul 31 (Aug 1 is a Saturday).
STAGE_30 = utc(2026, 7, 31, 13, 5)  # 09:05 in New York (EDT)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f


def posts(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.calls("chat.postMessage") if c.status == 200]


def run(engine: Engine, settings: Settings, fake: FakeSlack, when: Any, **kw: Any) -> Any:
    with time_machine.travel(when, tick=False):
        return tick(engine, sender_for(settings, fake.url, **kw))


def test_countdown_fires_once_in_its_window(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """The 30-day countdown DM goes out at 09:05 local, once; later ticks the same morning send nothing."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    run(engine, settings, fake, STAGE_30)
    run(engine, settings, fake, STAGE_30 + timedelta(minutes=5))
    run(engine, settings, fake, STAGE_30 + timedelta(minutes=100))
    sent = posts(fake)
    assert len(sent) == 1
    assert sent[0]["channel"] == fake.dm_id("U1")  # its DM, opened with conversations.open
    assert "Florida" in sent[0].text
    assert "31 days" in sent[0].text
    assert "/ce log" in sent[0].text
    rows = deliveries(engine)
    assert [(d.kind, d.period, d.status, d.attempts) for d in rows] == [("countdown", "FL:2026-08-31:30d", "sent", 1)]
    assert rows[0].message_ts


def test_nothing_outside_the_window_then_caught_up_next_weekday(engine: Engine, settings: Settings,
                                                                fake: FakeSlack) -> None:
    """Before 09:00, from 11:00 and on the weekend nothing goes out; Monday's window catches the stage up."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    for when in (utc(2026, 7, 31, 12, 55), utc(2026, 7, 31, 15, 0), utc(2026, 8, 1, 13, 5), utc(2026, 8, 2, 14, 0)):
        run(engine, settings, fake, when)
    assert posts(fake) == []
    run(engine, settings, fake, utc(2026, 8, 3, 13, 30))
    assert len(posts(fake)) == 1
    assert "28 days" in posts(fake)[0].text


def test_member_timezone_decides(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """At 09:05 New York, the Los Angeles member (06:05) waits until their own 09:00."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "UNY")
    seed_member(engine, ws, "ULA", tz="America/Los_Angeles")
    run(engine, settings, fake, STAGE_30)
    assert [c["channel"] for c in posts(fake)] == [fake.dm_id("UNY")]
    run(engine, settings, fake, STAGE_30 + timedelta(hours=3))
    assert [c["channel"] for c in posts(fake)] == [fake.dm_id("UNY"), fake.dm_id("ULA")]


def test_opt_out_and_snooze(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """A member who turned reminders off gets none; a snoozed one gets the stage when the snooze ends."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "UOFF", enabled=False)
    seed_member(engine, ws, "USNZ", snoozed_until=date(2026, 8, 4))
    run(engine, settings, fake, STAGE_30)
    run(engine, settings, fake, utc(2026, 8, 3, 13, 5))
    assert posts(fake) == []
    run(engine, settings, fake, utc(2026, 8, 4, 13, 5))
    assert [c["channel"] for c in posts(fake)] == [fake.dm_id("USNZ")]


def test_complete_member_gets_no_countdown(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """No countdown for a member whose hours and subjects are all done."""
    ws = seed_workspace(engine)
    done = [(date(2026, 3, 1), 8, ["medical_errors"]), (date(2026, 3, 2), 8, ["laws_rules"]),
            (date(2026, 3, 3), 8, ["ethics"]), (date(2026, 3, 4), 4, ["human_trafficking"]),
            (date(2026, 3, 5), 48, ["hands_on"]), (date(2026, 3, 6), 20, [])]
    seed_member(engine, ws, "U1", entries=done, joined=utc(2026, 7, 1, 12))
    run(engine, settings, fake, STAGE_30)
    assert posts(fake) == []


def test_a_ledger_change_between_ticks_brings_the_countdown(engine: Engine, settings: Settings,
                                                             fake: FakeSlack) -> None:
    """Deleting a course that made a member complete brings the countdown on the next tick."""
    ws = seed_workspace(engine)
    done = [(date(2026, 3, 1), 8, ["medical_errors"]), (date(2026, 3, 2), 8, ["laws_rules"]),
            (date(2026, 3, 3), 8, ["ethics"]), (date(2026, 3, 4), 4, ["human_trafficking"]),
            (date(2026, 3, 5), 48, ["hands_on"]), (date(2026, 3, 6), 20, [])]
    mid = seed_member(engine, ws, "U1", entries=done, joined=utc(2026, 7, 1, 12))
    sender = sender_for(settings, fake.url)
    tick(engine, sender, now=STAGE_30)
    assert posts(fake) == []
    with Session(engine) as s:  # through the service, as /ce delete does
        entry = s.exec(select(CEEntry).where(CEEntry.member_id == mid, CEEntry.hours_q == 48)).one()
        member = s.get(Member, mid)
        assert member is not None
        ledger.delete_entry(session=s, member=member, entry_id=entry.id or 0)
        s.commit()
    tick(engine, sender, now=STAGE_30 + timedelta(minutes=5))
    assert [c["channel"] for c in posts(fake)] == [fake.dm_id("U1")]


def test_overdue_notice_once(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """After a missed deadline the overdue notice goes out once, on the next weekday morning."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    run(engine, settings, fake, utc(2026, 9, 1, 13, 10))
    run(engine, settings, fake, utc(2026, 9, 2, 13, 10))
    sent = posts(fake)
    assert len(sent) == 1
    assert "passed" in sent[0].text
    assert [(d.kind, d.period) for d in deliveries(engine)] == [("overdue", "FL:2026-08-31")]


def test_cpr_expiry_note(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """A tracked CPR card a rule needs (Pennsylvania) gets a note before it expires, once."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1", key="PA", deadline=date(2027, 1, 31), cpr_expires_on=date(2026, 3, 20),
                joined=utc(2026, 3, 1, 12))
    run(engine, settings, fake, utc(2026, 3, 2, 14, 5))
    run(engine, settings, fake, utc(2026, 3, 3, 14, 5))
    sent = posts(fake)
    assert len(sent) == 1
    assert "CPR" in sent[0].text
    assert "Mar 20, 2026" in sent[0].text


def test_nudge_after_sixty_quiet_days(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """Sixty days after the last logged course, with the deadline within a year, one gentle nudge."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1", key="TX", deadline=date(2027, 1, 31), joined=utc(2026, 1, 5, 15),
                entries=[(date(2026, 1, 5), 4, ["ethics"])])
    run(engine, settings, fake, utc(2026, 3, 5, 14, 5))  # 59 days
    assert posts(fake) == []
    run(engine, settings, fake, utc(2026, 3, 6, 14, 5))  # 60 days
    run(engine, settings, fake, utc(2026, 3, 9, 13, 5))
    sent = posts(fake)
    assert len(sent) == 1
    assert "60 days" in sent[0].text


def test_weekly_summary_caught_up_same_day_not_twice(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """A Monday 09:00 summary missed at 09:00 goes out at 11:00 that Monday, once, and not on Tuesday."""
    ws = seed_workspace(engine, summary={"channel": "C0SUMMARY", "day": "mon", "time": "09:00"})
    seed_member(engine, ws, "U1", deadline=date(2027, 8, 31))
    run(engine, settings, fake, utc(2026, 3, 9, 12, 55))  # 08:55 EDT: not yet
    assert posts(fake) == []
    run(engine, settings, fake, utc(2026, 3, 9, 15, 0))  # 11:00 EDT after an outage
    run(engine, settings, fake, utc(2026, 3, 9, 15, 5))
    run(engine, settings, fake, utc(2026, 3, 10, 13, 5))
    summaries = [c for c in posts(fake) if c["channel"] == "C0SUMMARY"]
    assert len(summaries) == 1
    assert "Weekly CE summary" in summaries[0].text
    assert "1 on pace or not started yet" in summaries[0].text  # U1 (FL, 17 months left) is not behind
    assert [(d.kind, d.period) for d in deliveries(engine) if d.kind == "summary"] == [("summary", "2026-W11")]


def test_crash_between_claim_and_send_is_resent_after_the_lease(engine: Engine, settings: Settings,
                                                                 fake: FakeSlack) -> None:
    """A clock that dies after claiming leaves the row claimed; after the lease a later tick sends it once."""

    class Died(BaseException):
        pass

    class DyingSender:
        def send(self, team_id: str, channel: str, payload: dict[str, Any]) -> str | None:
            raise Died

    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    with time_machine.travel(STAGE_30, tick=False), pytest.raises(Died):
        tick(engine, DyingSender())
    assert [(d.status, d.attempts) for d in deliveries(engine)] == [("claimed", 1)]
    run(engine, settings, fake, STAGE_30 + timedelta(minutes=5))  # still inside the lease
    assert posts(fake) == []
    run(engine, settings, fake, STAGE_30 + delivery.LEASE + timedelta(minutes=1))
    run(engine, settings, fake, STAGE_30 + delivery.LEASE + timedelta(minutes=6))
    assert len(posts(fake)) == 1
    assert [(d.status, d.attempts) for d in deliveries(engine)] == [("sent", 2)]


def test_429_retry_after_is_honoured(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """A 429 with Retry-After is waited out by slack_sdk's retry handler and the message is sent once."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    report = run(engine, settings, fake, STAGE_30)
    calls = fake.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert report.sent == 1
    assert [d.status for d in deliveries(engine)] == ["sent"]


def test_rate_limit_outlasting_retries_is_retried_on_a_later_tick(engine: Engine, settings: Settings,
                                                                   fake: FakeSlack) -> None:
    """When 429s outlast the client's retries, the row waits for its backoff and a later tick sends it."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    # Retry-After: 0, so the client's own retry sleeps under a second (slack_sdk adds up to 1 s of jitter)
    fake.fail_next("chat.postMessage", status=429, retry_after=0, times=3)
    report = run(engine, settings, fake, STAGE_30, rate_limit_retries=1)
    assert report.retrying == 1
    assert [(d.status, d.last_error) for d in deliveries(engine)] == [("claimed", "slack error ratelimited")]
    run(engine, settings, fake, STAGE_30 + timedelta(minutes=5))  # backoff not over: the 429 rule still has one
    run(engine, settings, fake, STAGE_30 + timedelta(minutes=10))
    assert [d.status for d in deliveries(engine)] == ["sent"]
    assert len(posts(fake)) == 1


def test_failures_back_off_and_are_reported_after_the_last_try(engine: Engine, settings: Settings, fake: FakeSlack,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """A send failing every time is tried MAX_ATTEMPTS times with growing gaps, then marked failed and logged."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    fake.fail_next("chat.postMessage", status=500, error="internal_error", times=100)
    when = STAGE_30
    attempts_seen = []
    with caplog.at_level(logging.WARNING, logger="cebot.jobs.delivery"):
        for _ in range(12):
            run(engine, settings, fake, when)
            attempts_seen.append(deliveries(engine)[0].attempts)
            when += timedelta(minutes=5)
            if deliveries(engine)[0].status == "failed":
                break
            nxt = deliveries(engine)[0].next_attempt_at
            if nxt is not None:  # jump to the retry time (SQLite reads it back without a zone)
                when = max(when, nxt if nxt.tzinfo else nxt.replace(tzinfo=UTC))
    row = deliveries(engine)[0]
    assert row.status == "failed"
    assert row.attempts == delivery.MAX_ATTEMPTS
    assert len(fake.calls("chat.postMessage")) == delivery.MAX_ATTEMPTS
    assert any("giving up" in rec.message and rec.levelno == logging.ERROR for rec in caplog.records)


def test_permanent_error_fails_at_once(engine: Engine, settings: Settings, fake: FakeSlack) -> None:
    """A Slack error no retry can fix (channel_not_found) marks the row failed on the first try."""
    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    fake.fail_next("chat.postMessage", status=200, error="channel_not_found")
    run(engine, settings, fake, STAGE_30)
    run(engine, settings, fake, STAGE_30 + timedelta(minutes=30))
    assert [(d.status, d.attempts) for d in deliveries(engine)] == [("failed", 1)]
    assert len(fake.calls("chat.postMessage")) == 1


def test_two_clocks_at_once_send_each_message_exactly_once(database_url: str, engine: Engine, settings: Settings,
                                                           fake: FakeSlack) -> None:
    """Two clocks ticking at the same instant on their own connections send every message exactly once."""
    ws = seed_workspace(engine, summary={"channel": "C0SUMMARY", "day": "fri", "time": "09:00"})
    users = [f"U{i:03d}" for i in range(40)]
    for u in users:
        seed_member(engine, ws, u)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def clock() -> None:
        eng = make_engine(database_url)
        try:
            barrier.wait()
            tick(eng, sender_for(settings, fake.url), now=STAGE_30)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    channels = [c["channel"] for c in posts(fake)]
    assert sorted(channels) == sorted([*map(fake.dm_id, users), "C0SUMMARY"])
    assert all(d.status == "sent" for d in deliveries(engine))


def test_per_channel_pace(settings: Settings, fake: FakeSlack) -> None:
    """Two messages to one channel are spaced by the per-channel interval; other channels do not wait."""
    waits: list[float] = []
    now = [100.0]
    sender = sender_for(settings, fake.url, min_interval=1.0, clock=lambda: now[0], sleep=waits.append)
    sender.send("T1", "C1", {"text": "one"})
    sender.send("T1", "C2", {"text": "two"})
    now[0] += 0.25
    sender.send("T1", "C1", {"text": "three"})
    assert waits == [0.75]
    assert len(fake.calls("chat.postMessage")) == 3
