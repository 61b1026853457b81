"""The private calendar feed: `/ce calendar` hands out a URL, and the running app serves valid ICS from it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import icalendar
import ics
import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.settings import Settings
from cebot.models import Member
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.ledger_helpers import track
from tests.helpers.slackharness import SlackHarness

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
URL_RE = re.compile(r"https://cebot\.example\.org/calendar/([A-Za-z0-9_-]+)\.ics")


@pytest.fixture
def slack_settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    """The test settings against the fake Slack, with a public address for feed URLs."""
    return settings.model_copy(update={"slack_api_url": fake_slack.url, "public_url": "https://cebot.example.org/"})


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def feed_url(slack: SlackHarness, text: str = "calendar", user: str = "U1") -> str:
    reply = slack.ask(text, user=user)
    match = URL_RE.search(reply.text)
    assert match, reply.text
    return f"/calendar/{match.group(1)}.ics"


def test_feed_has_one_all_day_event_per_deadline_with_alarms_at_lead_times(slack: SlackHarness,
                                                                          engine: Engine) -> None:
    """The ICS parses with icalendar and with ics: one all-day VEVENT per deadline, alarms at the lead times."""
    slack.ask("remind days:60,14,3")
    track(engine, "U1", "FL", date(2027, 8, 31))
    track(engine, "U1", "NCBTMB", date(2028, 1, 31))
    result = slack.get(feed_url(slack))
    assert result.status == 200
    assert result.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(result.body)
    assert cal["VERSION"] == "2.0"
    assert cal["X-WR-TIMEZONE"] == "America/New_York"
    events = list(cal.walk("VEVENT"))
    assert sorted(e.decoded("DTSTART") for e in events) == [date(2027, 8, 31), date(2028, 1, 31)]
    for event in events:
        assert not isinstance(event.decoded("DTSTART"), datetime)  # all-day: the member's local date
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(days=1)
        alarms = sorted(-a.decoded("TRIGGER") for a in event.walk("VALARM"))
        assert alarms == [timedelta(days=3), timedelta(days=14), timedelta(days=60)]
    parsed = ics.Calendar(result.text)
    assert len(parsed.events) == 2
    assert all(e.all_day for e in parsed.events)
    assert all(sorted(-a.trigger for a in e.alarms) == [timedelta(days=3), timedelta(days=14), timedelta(days=60)]
               for e in parsed.events)


def test_feed_etag_and_not_modified(slack: SlackHarness, engine: Engine) -> None:
    """The feed has an ETag and Last-Modified; If-None-Match with it gets 304; a new deadline changes the ETag."""
    slack.ask("remind")
    track(engine, "U1", "FL", date(2027, 8, 31))
    path = feed_url(slack)
    first = slack.get(path)
    etag = first.headers["etag"]
    assert first.headers["last-modified"].endswith("GMT")
    again = slack.request("GET", path, headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert slack.get(path).body == first.body  # the same content for the same data
    slack.ask("track FL deadline:2027-09-30")
    changed = slack.request("GET", path, headers={"If-None-Match": etag})
    assert changed.status == 200
    assert changed.headers["etag"] != etag
    assert b"20270930" in changed.body


def test_wrong_revoked_or_replaced_token_gets_404(slack: SlackHarness, engine: Engine) -> None:
    """A made-up token, a reset feed and the old URL after `/ce calendar new` all get 404; only hashes are kept."""
    slack.ask("remind")
    track(engine, "U1", "FL", date(2027, 8, 31))
    path = feed_url(slack)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    with Session(engine) as s:
        stored = s.exec(select(Member).where(Member.slack_user_id == "U1")).one().calendar_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert slack.get("/calendar/" + "x" * 43 + ".ics").status == 404
    assert slack.get("/calendar/short.ics").status == 404
    assert "already have a calendar feed" in slack.ask("calendar").text
    new_path = feed_url(slack, "calendar new")
    assert slack.get(path).status == 404
    assert slack.get(new_path).status == 200
    assert "feed is off" in slack.ask("calendar reset").text
    assert slack.get(new_path).status == 404


def test_feeds_are_private_to_their_member(slack: SlackHarness, engine: Engine) -> None:
    """Each member's URL serves only their own deadlines."""
    slack.fake.add_user("U2", "sam", tz="America/Chicago")
    slack.ask("remind", user="U2")
    slack.ask("remind", user="U1")
    track(engine, "U1", "FL", date(2027, 8, 31))
    track(engine, "U2", "FL", date(2026, 8, 31))
    mine = icalendar.Calendar.from_ical(slack.get(feed_url(slack)).body)
    theirs = icalendar.Calendar.from_ical(slack.get(feed_url(slack, user="U2")).body)
    assert [e.decoded("DTSTART") for e in mine.walk("VEVENT")] == [date(2027, 8, 31)]
    assert [e.decoded("DTSTART") for e in theirs.walk("VEVENT")] == [date(2026, 8, 31)]
    assert theirs["X-WR-TIMEZONE"] == "America/Chicago"
