"""The weekly manager summary's content for a seeded team (domain, queries and Block Kit)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.domain.reminders import MissingSubject
from cebot.domain.summary import SummaryCredential, SummaryMember, build_summary
from cebot.services.summary import weekly_summary
from cebot.shell.fake_slack import flatten_text
from cebot.slack.render.summary import render_summary
from tests.helpers.clock_helpers import seed_member, seed_workspace, utc

MON = date(2026, 3, 9)
WEEK = {"week_start": date(2026, 3, 2), "week_end": date(2026, 3, 8), "today": MON}


def seeded(engine: Engine) -> int:
    ws = seed_workspace(engine)
    # At risk: Florida, 24 h and every subject missing, deadline in 20 days.
    seed_member(engine, ws, "U0MARIA", name="<!channel> Maria", deadline=date(2026, 3, 29), joined=utc(2026, 1, 1, 12))
    # Overdue: Texas deadline passed five days ago, 4 h short.
    seed_member(engine, ws, "U0SAM", key="TX", deadline=date(2026, 3, 4), joined=utc(2025, 1, 1, 12),
                entries=[(date(2025, 6, 1), 44, ["hands_on"])])
    # Completed this week: the 1 h logged on Mar 5 finished Texas.
    mid = seed_member(engine, ws, "U0ADA", key="TX", deadline=date(2027, 1, 31), joined=utc(2026, 1, 1, 12),
                      entries=[(date(2026, 2, 4), 44, ["hands_on"])])
    from cebot.models import CEEntry

    with Session(engine) as s:
        s.add(CEEntry(workspace_id=ws, member_id=mid, title="Trafficking", completed_on=date(2026, 3, 5), hours_q=4,
                      subjects=["human_trafficking"], created_at=utc(2026, 3, 5, 15)))
        s.commit()
    # Not tracking anything: not counted.
    seed_member(engine, ws, "U0NEW", key=None)
    return ws


def test_summary_content_for_a_seeded_team(engine: Engine) -> None:
    """Totals, the due-soon and overdue members with what they miss, upcoming deadlines and completions."""
    ws = seeded(engine)
    with Session(engine) as s:
        summary = weekly_summary(session=s, workspace_id=ws, tz_name="America/New_York", **WEEK)
    assert summary.members_tracked == 3
    assert summary.counts == {"complete": 1, "not_started": 0, "on_pace": 0, "behind_pace": 0, "due_soon": 1,
                              "overdue": 1, "other": 0}
    assert summary.hours_this_week == 4
    assert summary.members_logging == 1
    assert [(line.member.slack_user_id, line.credential.status) for line in summary.needs_attention] == [
        ("U0SAM", "overdue"), ("U0MARIA", "due_soon")]
    assert [line.member.slack_user_id for line in summary.upcoming] == ["U0MARIA"]
    assert [(line.member.slack_user_id, line.credential.key) for line in summary.completed] == [("U0ADA", "TX")]

    text = flatten_text(render_summary(summary))
    assert "<@U0SAM>" in text
    assert "<@U0MARIA>" in text
    assert "5 days overdue" in text
    assert "20 days left" in text
    assert "Ethics" in text
    assert "1 h by 1 member" in text
    assert "<!channel>" not in text
    assert "<!here>" not in text


def test_summary_lists_are_short_on_a_phone() -> None:
    """With many members due soon the lists stop at a dozen lines and point to /ce team."""
    members = [SummaryMember(f"U{i:04d}", f"m{i}", (SummaryCredential("FL", "Florida", "due_soon", date(2026, 4, 1), 23,
                                                                      8, (MissingSubject("Ethics", 8),)),))
               for i in range(40)]
    payload = render_summary(build_summary(members, **WEEK))
    text = flatten_text(payload)
    assert text.count("<@U") == 24  # 12 needing attention + 12 upcoming
    assert "…and 28 more" in text
    assert len(payload["blocks"]) <= 50


def test_empty_team_gets_a_how_to_start() -> None:
    """A workspace where nobody tracks a licence gets a one-line pointer instead of zeros."""
    text = flatten_text(render_summary(build_summary([SummaryMember("U1", "a")], **WEEK)))
    assert "/ce track" in text
