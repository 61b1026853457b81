"""``/ce track``, ``/ce untrack`` and ``/ce requirements`` through real signed requests to the served app."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import session_scope
from cebot.domain.facts import LogRequest
from cebot.models import CEEntry, Credential, Member, Workspace
from cebot.services import credentials, ledger
from tests.helpers.slackharness import SlackHarness

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)  # 11:00 in New York, U1's timezone

CLINIC_SET = """\
key = "SPA"
name = "Lakeside <!here> spa standard"
kind = "workspace"
applicability = "ce_required"
total_hours = 10
cycle_months = 12
unconfirmed = ["Our own rule: not from any board"]

[deadline]
kind = "fixed"
month = 12
day = 31

[[minimums]]
key = "ethics"
label = "Ethics <b>first</b>"
subjects = ["ethics"]
hours = 2
"""


@pytest.fixture(autouse=True)
def frozen() -> object:
    """Every test here runs on Mar 20, 2026 (time ticks, so signatures stay fresh)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def stored(engine: Engine, user: str = "U1") -> list[Credential]:
    with Session(engine) as s:
        member = s.exec(select(Member).where(Member.slack_user_id == user)).first()
        if member is None:  # a refused request rolls back the member's registration too
            return []
        return list(s.exec(select(Credential).where(Credential.member_id == member.id)))


def mrkdwn_texts(node: Any) -> list[str]:
    """Every text Slack parses as mrkdwn in a payload (plain_text headers are never parsed, so never ping)."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            found.append(node["text"])
        for key, value in node.items():
            if key == "text" and isinstance(value, str) and node.get("type") not in ("plain_text", "mrkdwn"):
                found.append(value)  # the message's fallback text
            else:
                found.extend(mrkdwn_texts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(mrkdwn_texts(item))
    return found


def log_course(engine: Engine, user: str, title: str, hours_q: int, on: date, *subjects: str) -> None:
    with session_scope(engine) as s:
        member = s.exec(select(Member).where(Member.slack_user_id == user)).one()
        ledger.log_entry(session=s, member=member, request=LogRequest(
            hours=hours_q, title=title, completed_on=on, subjects=tuple(subjects)))


# -- track ------------------------------------------------------------------------------------------


def test_track_fl_works_out_the_cycle_and_says_what_next(slack: SlackHarness, engine: Engine) -> None:
    """Tracking FL stores it with the rule's deadline and replies with cycle, progress line and the next step."""
    reply = slack.ask("track FL number:MA12345", user="U1")
    assert "Now tracking *Florida massage therapist licence* (FL)" in reply.text
    assert "Cycle: Sep 1, 2025 – Aug 31, 2027" in reply.text
    assert "worked out from the rule" in reply.text
    assert "0 of 24 h, 24 to go by Aug 31, 2027 (529 days)" in reply.text
    assert "`/ce log" in reply.text
    assert reply.response_type == "ephemeral"
    [credential] = stored(engine)
    assert (credential.requirement_key, credential.deadline, credential.licence_number) == (
        "FL", date(2027, 8, 31), "MA12345")


def test_track_without_a_deadline_asks_for_it(slack: SlackHarness, engine: Engine) -> None:
    """A licence whose deadline is on the card (TX) is stored and the reply asks for the date with the command."""
    reply = slack.ask("track tx", user="U1")
    assert "Now tracking *Texas massage therapist licence* (TX)" in reply.text
    assert "Tell me your licence expiry date: `/ce track TX deadline:YYYY-MM-DD`" in reply.text
    assert "⚠️ Unconfirmed" in reply.text
    assert [c.requirement_key for c in stored(engine)] == ["TX"]


def test_tracking_again_updates(slack: SlackHarness, engine: Engine) -> None:
    """Tracking a key again updates the stored facts (and keeps what was not given) instead of adding a row."""
    slack.ask("track TX number:TX-1", user="U1")
    reply = slack.ask("track TX deadline:2027-05-31", user="U1")
    assert "Updated *Texas massage therapist licence* (TX)" in reply.text
    assert "by May 31, 2027" in reply.text
    assert "Tell me your" not in reply.text
    [credential] = stored(engine)
    assert (credential.deadline, credential.licence_number) == (date(2027, 5, 31), "TX-1")


def test_track_a_state_without_ce_says_so_plainly(slack: SlackHarness, engine: Engine) -> None:
    """Ohio asks for no CE: the reply says there is nothing to track; it is kept in the list like the service does."""
    reply = slack.ask("track OH", user="U1")
    assert "Ohio does not require CE to renew a massage licence — nothing to track there." in reply.text
    assert "`/ce untrack OH`" in reply.text
    assert [c.requirement_key for c in stored(engine)] == ["OH"]
    progress = slack.ask("progress", user="U1")
    assert "No CE needed" in progress.text


def test_track_unknown_key_suggests_one(slack: SlackHarness, engine: Engine) -> None:
    """A typo gets the closest key and the pointer to /ce requirements; nothing is stored."""
    reply = slack.ask("track FLA deadline:2027-08-31", user="U1")
    assert "I don't know a licence or certification called `FLA`" in reply.text
    assert "Did you mean `/ce track FL`?" in reply.text
    assert "`/ce requirements`" in reply.text
    assert stored(engine) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("track", "Which licence or certification?"),
    ("track FL deadline:2027-02-30", "February 30"),
    ("track FL colour:blue", "/ce track <KEY>"),
    ("track FL birthday:13-45", "birthday"),
])
def test_track_bad_input_shows_the_right_form_and_saves_nothing(
        slack: SlackHarness, engine: Engine, text: str, expected: str) -> None:
    """Bad options answer with what is wrong and the usage; no credential is stored."""
    reply = slack.ask(text, user="U1")
    assert expected in reply.text.replace("&lt;", "<").replace("&gt;", ">")
    assert stored(engine) == []


def test_licence_number_is_escaped(slack: SlackHarness, engine: Engine) -> None:
    """A licence number like <!here> is shown escaped, so it pings no one, and is stored as typed."""
    reply = slack.ask("track FL number:<!here>", user="U1")
    assert not [t for t in mrkdwn_texts(reply.payload) if "<!here>" in t]
    assert "&lt;!here&gt;" in reply.text
    assert stored(engine)[0].licence_number == "<!here>"


# -- untrack ----------------------------------------------------------------------------------------


def test_untrack_removes_the_credential_and_keeps_the_courses(slack: SlackHarness, engine: Engine) -> None:
    """Untrack deletes the credential; logged courses stay."""
    slack.ask("track FL", user="U1")
    log_course(engine, "U1", "Ethics in Touch", 12, date(2026, 3, 1), "ethics")
    reply = slack.ask("untrack fl", user="U1")
    assert "Stopped tracking *Florida massage therapist licence* (FL)" in reply.text
    assert "`/ce track FL`" in reply.text
    assert stored(engine) == []
    with Session(engine) as s:
        assert len(list(s.exec(select(CEEntry)))) == 1


def test_untrack_something_not_tracked_or_unknown(slack: SlackHarness, engine: Engine) -> None:
    """Untracking a key you don't track, or a key that doesn't exist, answers kindly and changes nothing."""
    slack.ask("track TX", user="U1")
    reply = slack.ask("untrack FL", user="U1")
    assert "You're not tracking `FL`" in reply.text
    reply = slack.ask("untrack FLORIDAA", user="U1")
    assert "I don't know a licence or certification called `FLORIDAA`" in reply.text
    reply = slack.ask("untrack", user="U1")
    assert "Which licence or certification?" in reply.text
    assert [c.requirement_key for c in stored(engine)] == ["TX"]


def test_another_members_credential_is_not_touched(slack: SlackHarness, engine: Engine) -> None:
    """U2 untracking FL does not remove U1's FL."""
    slack.ask("track FL", user="U1")
    reply = slack.ask("untrack FL", user="U2")
    assert "You're not tracking `FL`" in reply.text
    assert [c.requirement_key for c in stored(engine, "U1")] == ["FL"]


# -- requirements -----------------------------------------------------------------------------------


def test_requirements_lists_keys_in_groups(slack: SlackHarness) -> None:
    """/ce requirements alone lists states with CE, without CE, certifications, and how to see one."""
    reply = slack.ask("requirements", user="U1")
    text = reply.text
    assert "*States that require CE:*" in text
    assert "`FL`" in text
    assert "*States without CE or a licence:*" in text
    assert "`OH` (no CE)" in text
    assert "`MN` (no licence)" in text
    assert "*Certifications, memberships and pathways:*" in text
    assert "`NCBTMB`" in text
    assert "`AMMA`" in text
    assert "`/ce requirements FL`" in text
    assert "Your clinic's sets" not in text


def test_requirements_fl_shows_rule_source_and_checked_date(slack: SlackHarness) -> None:
    """FL's rule: hours, deadline in words, minimums (12 h hands-on in person, said once), first renewal, source."""
    text = slack.ask("requirements fl", user="U1").text
    assert "*Hours:* 24 h every 2 years" in text
    assert "*Deadline:* Aug 31 of odd years" in text
    assert "Prevention of medical errors: at least 2 h" in text
    assert "in person only" in text
    assert "*In person:*" not in text  # the hands-on minimum's 12 h in person, not a second rule
    assert "*First renewal:*" in text
    assert "*Sources:* <https://www.flrules.org/gateway/ruleNo.asp?id=64B7-28.009|Florida Administrative Code" in text
    assert "Checked Dec 1, 2026" in text
    assert "Unconfirmed" not in text


def test_requirements_shows_unconfirmed_parts_and_links(slack: SlackHarness) -> None:
    """NCBTMB's unconfirmed CPR rule is flagged with ⚠️ and its sources are links."""
    reply = slack.ask("requirements NCBTMB", user="U1")
    assert "⚠️ *Unconfirmed*" in reply.text
    assert "Current CPR certification ⚠️ unconfirmed" in reply.text
    assert "<https://www.ncbtmb.org/faq/" in reply.text


def test_requirements_for_a_state_without_ce(slack: SlackHarness) -> None:
    """A no-CE state says so instead of listing hours."""
    text = slack.ask("requirements OH", user="U1").text
    assert "no CE is required to renew" in text
    assert "*Hours:*" not in text


def test_requirements_bad_key_and_extra_words(slack: SlackHarness) -> None:
    """An unknown key suggests the closest; extra words show the usage."""
    assert "Did you mean `/ce requirements NCBTMB`?" in slack.ask("requirements NCBTM", user="U1").text
    assert "/ce requirements [KEY]" in slack.ask("requirements FL TX", user="U1").text


def test_clinic_set_is_listed_escaped_with_its_unconfirmed_part(slack: SlackHarness, engine: Engine) -> None:
    """A workspace set shows under the clinic's sets; its name and labels are escaped and its caveat flagged."""
    slack.ask("help", user="UADMIN")
    with session_scope(engine) as s:
        workspace = s.exec(select(Workspace)).one()
        admin = s.exec(select(Member).where(Member.slack_user_id == "UADMIN")).one()
        credentials.define_workspace_set(session=s, workspace=workspace, acting=admin, toml_text=CLINIC_SET)
    listing = slack.ask("requirements", user="U1")
    assert "*Your clinic's sets:* `SPA` Lakeside &lt;!here&gt; spa standard" in listing.text
    reply = slack.ask("requirements SPA", user="U1")
    assert not [t for t in mrkdwn_texts(reply.payload) if "<!" in t]
    assert "Ethics &lt;b&gt;first&lt;/b&gt;: at least 2 h" in reply.text
    assert "Our own rule: not from any board" in reply.text
    assert "target set by your clinic" in reply.text
    assert "none given" in reply.text
    track = slack.ask("track SPA", user="U1")
    assert "Now tracking" in track.text
    assert not [t for t in mrkdwn_texts(track.payload) if "<!" in t]
