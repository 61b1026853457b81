"""*Remind the people at risk* (the weekly summary's button): who gets a nudge, and the request for it.

A manager's click records one durable job per workspace and ISO week (:func:`request_nudges`); the job
(:mod:`cebot.jobs.team_nudges`) sends each member who is at risk or overdue one DM, claimed in the delivery
table under ``(workspace, member, team_nudge, week)``, so nobody gets more than one such nudge a week however
often it is asked for. Members who turned their reminders off are left out: that switch is theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from cebot.domain.reminders import CredentialSnapshot
from cebot.models import Member, Workspace
from cebot.services import jobs
from cebot.services.progress import team_progress
from cebot.services.reminders import missing_subjects
from cebot.services.workspaces import require_manager

TEAM_NUDGE = "team_nudge"
"""The delivery kind (at most 16 characters) and the job kind."""
AT_RISK = frozenset({"behind_pace", "due_soon", "overdue"})


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class NudgeTarget:
    slack_user_id: str
    credentials: tuple[CredentialSnapshot, ...]


def request_nudges(*, session: Session, workspace: Workspace, acting: Member, today: date) -> bool:
    """Queue this week's nudges (managers only); False when they were asked for already this week."""
    require_manager(acting, "remind the people at risk")
    week = iso_week(today)
    return jobs.enqueue(session=session, workspace=workspace, kind=TEAM_NUDGE,
                        payload={"week": week, "today": today.isoformat()}, key=f"{workspace.id}:{week}", member=acting)


def nudge_targets(*, session: Session, workspace: Workspace, today: date) -> list[NudgeTarget]:
    """Every member with reminders on and a credential at risk or overdue, with those credentials."""
    out = []
    for mp in team_progress(session=session, workspace=workspace, today=today):
        if not mp.member.reminders_enabled:
            continue
        creds = tuple(CredentialSnapshot(key=p.key, name=p.name, status=str(p.status.value), deadline=p.deadline,
                                         remaining=p.remaining, missing=missing_subjects(p))
                      for p in mp.progress if str(p.status.value) in AT_RISK)
        if creds:
            out.append(NudgeTarget(mp.member.slack_user_id, creds))
    return out
