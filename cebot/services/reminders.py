"""Which reminders are due now: the members in their send window who could have one, their progress, the rules.

Per tick:

* one query for the distinct member timezones: only zones whose local time is in the weekday 09:00-11:00
  window go on, so most ticks read no member at all;
* one query for the candidate members: in such a zone, reminders on, not snoozed past today, and who could
  have something due by the plain definition of each kind (:func:`_could_have_something_due`);
* per batch of :data:`MEMBER_BATCH` members, a constant number of queries: progress from the service
  ``/ce progress`` uses (:func:`cebot.services.progress.members_progress`, at most 3) and the batch's
  delivery rows (1). :func:`cebot.domain.reminders.reminders_due` says what is due; what the delivery table
  holds as sent, failed or in flight is left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cebot.domain import reminders as r
from cebot.domain.progress import Progress
from cebot.domain.reminders import CredentialSnapshot, MemberSnapshot, MissingSubject
from cebot.domain.requirements import RequirementSet, SetKind
from cebot.models import CEEntry, Credential, Delivery, Member
from cebot.services.progress import CredentialProgress, members_progress
from cebot.services.scheduled import OPEN_STATES, Planned, PlanStats, WorkspaceRow, delivery_state

MEMBER_BATCH = 1000
"""Members whose progress is computed together (a constant number of queries per batch)."""
CPR_CONDITION_KEYS = frozenset({"cpr", "bls", "cpr_current"})
LONGEST_LEAD_DAYS = r.COUNTDOWN_DAYS[0] + 3
"""The first default countdown stage starts this many days before a deadline at most (a weekend start moves to
Friday)."""
LONGEST_CHOSEN_LEAD_DAYS = r.LEAD_DAYS_MAX + 3
"""The same for a member who chose their own lead times (only those members are read that far ahead)."""
DELIVERY_LOOKBACK = timedelta(days=400)
"""Deliveries older than this are not read back (their periods cannot come round again)."""


@dataclass(frozen=True)
class _Candidate:
    id: int
    workspace_id: int
    slack_user_id: str
    timezone: str
    snoozed_until: date | None
    lead_days: str | None
    last_activity: datetime
    """When they last logged a course, or joined, whichever is later."""
    today: date


def reminders_due(*, session: Session, workspaces: Sequence[WorkspaceRow], now: datetime,
                  stats: PlanStats | None = None) -> list[Planned]:
    """Every reminder due at ``now`` in these workspaces that is not delivered or in flight."""
    stats = stats if stats is not None else PlanStats()
    by_id = {w.id: w for w in workspaces}
    todays = _zones_in_window(session, list(by_id), now)
    if not todays:
        return []
    candidates = _candidates(session, list(by_id), todays, now)
    stats.members_in_window += len(candidates)
    out: list[Planned] = []
    for start in range(0, len(candidates), MEMBER_BATCH):
        stats.batches += 1
        out += _plan_batch(session, candidates[start:start + MEMBER_BATCH], by_id, now, stats)
    return out


def _zones_in_window(session: Session, workspace_ids: list[int], now: datetime) -> dict[str, date]:
    """The member timezones whose local time is in the reminder window now, with their local date."""
    names = session.execute(sa.select(col(Member.timezone)).distinct()
                            .where(col(Member.workspace_id).in_(workspace_ids))).scalars()
    local = {name: r.local_now(now, r.zone(name)) for name in names}
    return {name: moment.date() for name, moment in local.items() if r.in_reminder_window(moment)}


def _could_have_something_due(todays: dict[str, date], now: datetime) -> Any:
    """The plain SQL definition of "could have a reminder due": a tracked credential whose deadline is unknown
    (worked out by its rule), passed, or within the longest countdown lead (countdown, overdue); a CPR card within
    its notice days (cpr); nothing logged for the nudge period and a deadline within a year (nudge). The exact
    rules run on the member's progress afterwards."""
    first, last = min(todays.values()), max(todays.values())
    # Correlated by member id alone (a member is in one workspace): with the workspace id too, SQLite walks the
    # whole workspace's rows through its workspace index for every member (15 s instead of 0.5 s at 50,000).
    cred = sa.exists().where(col(Credential.member_id) == col(Member.id))
    deadline = col(Credential.deadline)
    countdown_or_cpr = cred.where(sa.or_(
        deadline.is_(None), deadline <= last + timedelta(days=LONGEST_LEAD_DAYS),
        sa.and_(col(Member.lead_days).is_not(None), deadline <= last + timedelta(days=LONGEST_CHOSEN_LEAD_DAYS)),
        col(Credential.cpr_expires_on).between(first - timedelta(days=r.CPR_NOTICE_DAYS + 1),
                                               last + timedelta(days=r.CPR_NOTICE_DAYS + 1))))
    quiet_since = now - timedelta(days=r.NUDGE_AFTER_DAYS - 1)  # a day early: the rule counts local days
    logged_lately = sa.exists().where(col(CEEntry.member_id) == col(Member.id), col(CEEntry.deleted_at).is_(None),
                                      col(CEEntry.created_at) > quiet_since)
    nudge = sa.and_(col(Member.created_at) <= quiet_since, ~logged_lately, cred.where(sa.or_(
        deadline.is_(None), deadline <= last + timedelta(days=r.NUDGE_HORIZON_DAYS + 1))))
    return sa.or_(countdown_or_cpr, nudge)


def _candidates(session: Session, workspace_ids: list[int], todays: dict[str, date],
                now: datetime) -> list[_Candidate]:
    last_logged = (sa.select(sa.func.max(col(CEEntry.created_at)))
                   .where(col(CEEntry.member_id) == col(Member.id), col(CEEntry.deleted_at).is_(None))
                   .scalar_subquery())
    snoozed = col(Member.snoozed_until)
    stmt = (sa.select(col(Member.id), col(Member.workspace_id), col(Member.slack_user_id), col(Member.timezone),
                      snoozed, col(Member.lead_days), col(Member.created_at), last_logged)
            .where(col(Member.workspace_id).in_(workspace_ids), col(Member.timezone).in_(list(todays)),
                   col(Member.reminders_enabled).is_(True),
                   sa.or_(snoozed.is_(None), snoozed <= max(todays.values())),
                   _could_have_something_due(todays, now))
            .order_by(col(Member.id)))
    out = []
    for mid, wid, uid, tz, snoozed_until, lead, joined, logged in session.execute(stmt):
        active = max(_aware(joined), _aware(logged)) if logged is not None else _aware(joined)
        out.append(_Candidate(mid, wid, uid, tz, snoozed_until, lead, active, todays[tz]))
    return out


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _plan_batch(session: Session, batch: list[_Candidate], workspaces: dict[int, WorkspaceRow], now: datetime,
                stats: PlanStats) -> list[Planned]:
    wids = sorted({m.workspace_id for m in batch})
    by_day: dict[date, list[int]] = defaultdict(list)  # members in different zones may be on different dates
    for m in batch:
        by_day[m.today].append(m.id)
    progress: dict[int, list[CredentialProgress]] = {}
    for day, ids in by_day.items():
        progress.update(members_progress(session=session, workspace_ids=wids, member_ids=ids, today=day))
    delivered = _delivery_states(session, wids, [m.slack_user_id for m in batch], now)
    out: list[Planned] = []
    for m in batch:
        snapshot = _snapshot(m, progress.get(m.id, []))
        if snapshot is None:
            continue
        stats.members_progressed += 1
        for due in r.reminders_due(snapshot, now):
            key = (m.workspace_id, m.slack_user_id, due.kind, due.period)
            state = delivered.get(key, "new")
            if state not in OPEN_STATES:
                stats.already_delivered += 1
                stats.skipped.append((":".join(map(str, key)), state))
                continue
            out.append(Planned(m.workspace_id, workspaces[m.workspace_id].team_id, m.slack_user_id, due.kind,
                               due.period, due.reason, due, state))
    return out


def _delivery_states(session: Session, workspace_ids: list[int], recipients: Iterable[str],
                     now: datetime) -> dict[tuple[int, str, str, str], str]:
    """The batch's reminder delivery rows, by key, as :func:`delivery_state` says (one query)."""
    stmt = sa.select(col(Delivery.workspace_id), col(Delivery.recipient), col(Delivery.kind), col(Delivery.period),
                     col(Delivery.status), col(Delivery.next_attempt_at)).where(
        col(Delivery.workspace_id).in_(workspace_ids), col(Delivery.recipient).in_(sorted(set(recipients))),
        col(Delivery.kind) != r.SUMMARY, col(Delivery.created_at) >= now - DELIVERY_LOOKBACK)
    return {(wid, to, kind, period): delivery_state(status, nxt, now)
            for wid, to, kind, period, status, nxt in session.execute(stmt)}


def _snapshot(m: _Candidate, tracked: list[CredentialProgress]) -> MemberSnapshot | None:
    """The reminder view of a member; None when they track nothing a reminder is about."""
    creds = tuple(credential_snapshot(t.progress, t.requirement_set, t.facts.cpr_expires_on) for t in tracked
                  if t.requirement_set.kind is not SetKind.PATHWAY and t.requirement_set.tracks_hours)
    if not creds:
        return None
    return MemberSnapshot(slack_user_id=m.slack_user_id, timezone=m.timezone,
                          last_activity_on=r.local_now(m.last_activity, r.zone(m.timezone)).date(),
                          credentials=creds, reminders_enabled=True, snoozed_until=m.snoozed_until,
                          member_id=m.id, lead_days=r.lead_days_from_text(m.lead_days))


def credential_snapshot(progress: Progress, rs: RequirementSet | None,
                        cpr_expires_on: date | None) -> CredentialSnapshot:
    """The reminder view of a credential's progress."""
    return CredentialSnapshot(
        key=progress.key, name=progress.name, status=str(progress.status.value), deadline=progress.deadline,
        remaining=progress.remaining, missing=missing_subjects(progress),
        needs_cpr=rs is not None and any(c.key in CPR_CONDITION_KEYS for c in rs.conditions),
        cpr_expires_on=cpr_expires_on,
    )


def missing_subjects(progress: Progress) -> tuple[MissingSubject, ...]:
    """The subject minimums (and in-person hours) still short, for a reminder or the summary."""
    rows = [MissingSubject(s.label, s.remaining) for s in progress.subject_rows if not s.met and s.remaining > 0]
    if progress.in_person is not None and progress.in_person.remaining > 0:
        rows.append(MissingSubject("In-person hours", progress.in_person.remaining))
    return tuple(rows)
