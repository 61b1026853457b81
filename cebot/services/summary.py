"""The weekly manager summary: its content for a workspace, and which workspaces' summaries are due now.

A workspace's summary is its team progress (:func:`cebot.services.progress.team_progress`, at most 4 queries)
plus this week's logging (1 query) and, for cycles completed now, whether this week's courses are what
completed them (at most 3 more, only when someone logged this week). The chart's rows come from the same team
progress; the PNG is drawn by the sender, only after the clock won the claim.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from cebot.domain import reminders as r
from cebot.domain.summary import SummaryCredential, SummaryMember, WeeklySummary, build_summary
from cebot.exports.chart import ChartRow
from cebot.models import CEEntry, Delivery, Workspace
from cebot.services.exports import chart_rows
from cebot.services.progress import MemberProgress, members_progress, team_progress
from cebot.services.reminders import missing_subjects
from cebot.services.scheduled import OPEN_STATES, Planned, PlanStats, WorkspaceRow, delivery_state

log = logging.getLogger(__name__)


def summaries_due(*, session: Session, workspaces: Sequence[WorkspaceRow], now: datetime,
                  stats: PlanStats | None = None) -> list[Planned]:
    """The weekly summaries due at ``now`` (scheduled time reached, same local day) and not delivered yet."""
    stats = stats if stats is not None else PlanStats()
    due = {}
    for w in workspaces:
        found = r.summary_due(r.SummarySchedule.from_settings(w.settings), w.timezone, now)
        if found is not None:
            due[w.id] = (w, found)
    if not due:
        return []
    delivered = {(wid, to, period): delivery_state(status, nxt, now) for wid, to, period, status, nxt in
                 session.execute(sa.select(col(Delivery.workspace_id), col(Delivery.recipient), col(Delivery.period),
                                           col(Delivery.status), col(Delivery.next_attempt_at))
                                 .where(col(Delivery.workspace_id).in_(list(due)), col(Delivery.kind) == r.SUMMARY))}
    out: list[Planned] = []
    for wid, (w, s) in due.items():
        state = delivered.get((wid, s.channel, s.period), "new")
        if state not in OPEN_STATES:
            stats.already_delivered += 1
            stats.skipped.append((f"{wid}:{s.channel}:{r.SUMMARY}:{s.period}", state))
            continue
        stats.summaries_due += 1
        workspace = session.get_one(Workspace, wid)
        team = team_progress(session=session, workspace=workspace, today=s.today)
        summary = summary_from_team(session=session, workspace_id=wid, team=team, today=s.today,
                                    week_start=s.week_start, week_end=s.week_end,
                                    tz_name=str(getattr(s.scheduled_at.tzinfo, "key", "UTC")))
        out.append(Planned(wid, w.team_id, s.channel, r.SUMMARY, s.period, s.reason, summary, state,
                           chart=tuple(_chart_rows(team, wid))))
    return out


def _chart_rows(team: list[MemberProgress], workspace_id: int) -> list[ChartRow]:
    try:
        return list(chart_rows(team))
    except Exception:  # a chart must never stop the summary itself
        log.exception("team chart rows failed for workspace %s", workspace_id)
        return []


def weekly_summary(*, session: Session, workspace_id: int, today: date, week_start: date, week_end: date,
                   tz_name: str = "UTC") -> WeeklySummary:
    """The weekly summary of a workspace (team progress plus this week's logging; a constant number of queries)."""
    workspace = session.get_one(Workspace, workspace_id)
    team = team_progress(session=session, workspace=workspace, today=today)
    return summary_from_team(session=session, workspace_id=workspace_id, team=team, today=today,
                             week_start=week_start, week_end=week_end, tz_name=tz_name)


def summary_from_team(*, session: Session, workspace_id: int, team: list[MemberProgress], today: date,
                      week_start: date, week_end: date, tz_name: str) -> WeeklySummary:
    """The summary from already computed team progress (the clock shares it with the chart)."""
    tz = r.zone(tz_name)
    start_utc = datetime.combine(week_start, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    end_utc = datetime.combine(week_end + timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(UTC)
    logged: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for mid, eid, hours in session.execute(
        sa.select(col(CEEntry.member_id), col(CEEntry.id), col(CEEntry.hours_q)).where(
            col(CEEntry.workspace_id) == workspace_id, col(CEEntry.deleted_at).is_(None),
            col(CEEntry.created_at) >= start_utc, col(CEEntry.created_at) < end_utc)
    ):
        logged[mid].append((eid, hours))
    completed = _completed_this_week(session, workspace_id, team, logged, week_start)
    members = []
    for mp in team:
        mid = mp.member.id or 0
        creds = tuple(
            SummaryCredential(key=p.key, name=p.name, status=str(p.status.value), deadline=p.deadline,
                              days_left=p.days_left, remaining=p.remaining, missing=missing_subjects(p),
                              completed_this_week=(mid, p.key) in completed)
            for p in mp.progress
        )
        members.append(SummaryMember(slack_user_id=mp.member.slack_user_id,
                                     display_name=mp.member.display_name or mp.member.slack_user_id,
                                     credentials=creds, hours_this_week=sum(h for _, h in logged.get(mid, []))))
    return build_summary(members, week_start=week_start, week_end=week_end, today=today)


def _completed_this_week(session: Session, workspace_id: int, team: Sequence[MemberProgress],
                         logged: dict[int, list[tuple[int, int]]], week_start: date) -> set[tuple[int, str]]:
    """(member id, set key) of cycles complete now that were not complete without this week's entries."""
    suspects: dict[int, set[str]] = defaultdict(set)
    this_week = {eid for rows in logged.values() for eid, _ in rows}
    for mp in team:
        mid = mp.member.id or 0
        new_ids = {eid for eid, _ in logged.get(mid, [])}
        for p in mp.progress:
            if str(p.status.value) == "complete" and new_ids & set(p.counted_entry_ids):
                suspects[mid].add(p.key)
    if not suspects:
        return set()
    before = members_progress(session=session, workspace_ids=[workspace_id], member_ids=sorted(suspects),
                              today=week_start, leave_out=this_week)
    return {(mid, t.progress.key) for mid, tracked in before.items() for t in tracked
            if t.progress.key in suspects[mid] and str(t.progress.status.value) != "complete"}
