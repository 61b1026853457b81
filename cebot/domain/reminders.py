"""What is due to be sent, and when: reminders to therapists and the weekly manager summary.

Pure functions over plain data: given a snapshot of a member (or a workspace's
summary settings) and an instant, they say which messages are due *now*, each
with a ``period`` key. The clock claims a delivery row keyed by
``(workspace, recipient, kind, period)`` before sending, so a message whose
period was already delivered is never sent again.

Every rule is a *window* of local days (or times) in which a message may go
out, not a single instant. A tick missed while the clock was down is therefore
caught up by the next tick that falls in the window, and nothing floods out
after a long outage because a window that has passed is simply over.

Reminders (direct messages) only go out on weekdays from 09:00 to 11:00 in
the member's own timezone (``zoneinfo``, so a DST change moves the UTC instant,
not the wall-clock hour).

- ``countdown``: 90, 60, 30, 14, 7 and 1 days before a deadline while hours or
  subjects are short (or at the member's own lead times). Stage *T* starts on ``deadline - T`` days (brought
  forward to the Friday when that day is a weekend, so "1 day left" never
  lands after a Sunday deadline) and lasts until the next stage starts; the
  last stage lasts through the deadline day. A member who starts tracking 20
  days out gets the 30-day stage message (which states the real days left).
- ``overdue``: once, on a weekday in the 30 days after a missed deadline.
- ``cpr``: a CPR/BLS card a rule needs: once in the 30 days before it expires
  (``soon``) and once in the 30 days after (``expired``).
- ``nudge``: after 60 days with nothing logged when a short credential's
  deadline falls within a year; again after each further 60 quiet days. Not
  on a day when a countdown stage starts (that message already says what is
  missing).

The weekly summary goes to the configured channel on the configured weekday
and time in the workspace's timezone, and may be caught up until the end of
that local day (a Monday 09:00 summary missed by an outage goes out at 11:00
the same Monday, never a week late). Its period is the ISO week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cebot.domain.hours import Quarters
from cebot.domain.weekdays import WEEKDAYS
from cebot.domain.weekdays import read_time as parse_time

COUNTDOWN_DAYS: tuple[int, ...] = (90, 60, 30, 14, 7, 1)
"""The default countdown stages; a member may choose their own lead times (``/ce remind days:90,30,7``)."""
LEAD_DAYS_MAX = 180
LEAD_DAYS_COUNT_MAX = 6
WINDOW_START = time(9, 0)
WINDOW_END = time(11, 0)
OVERDUE_WINDOW_DAYS = 30
CPR_NOTICE_DAYS = 30
NUDGE_AFTER_DAYS = 60
NUDGE_HORIZON_DAYS = 365
SHORT_STATUSES = frozenset({"not_started", "on_pace", "behind_pace", "due_soon"})
"""Statuses of a credential with hours still to take before its deadline (reminders count down for these)."""

COUNTDOWN = "countdown"
OVERDUE = "overdue"
CPR = "cpr"
NUDGE = "nudge"
SUMMARY = "summary"
KINDS: tuple[str, ...] = (COUNTDOWN, OVERDUE, CPR, NUDGE, SUMMARY)

DEFAULT_SUMMARY_DAY = "mon"
DEFAULT_SUMMARY_TIME = time(9, 0)


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The zone for an IANA name; an unknown or empty name falls back (then to UTC)."""
    for candidate in (name, fallback, "UTC"):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def local_now(now: datetime, tz: ZoneInfo) -> datetime:
    """``now`` (an aware instant) as wall-clock time in ``tz``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz)


def in_reminder_window(local: datetime) -> bool:
    """Whether a local time is on a weekday between 09:00 and 11:00."""
    return local.weekday() < 5 and WINDOW_START <= local.time() < WINDOW_END


@dataclass(frozen=True)
class MissingSubject:
    label: str
    remaining: Quarters


@dataclass(frozen=True)
class CredentialSnapshot:
    """What a reminder needs to know about one tracked credential (from its Progress)."""

    key: str
    name: str
    status: str
    deadline: date | None
    remaining: Quarters = 0
    """Hours still needed toward the total."""
    missing: tuple[MissingSubject, ...] = ()
    """Subject minimums not met yet."""
    needs_cpr: bool = False
    cpr_expires_on: date | None = None

    @property
    def short(self) -> bool:
        return self.status in SHORT_STATUSES and (self.remaining > 0 or bool(self.missing))


@dataclass(frozen=True)
class MemberSnapshot:
    """A member as the reminder rules see them."""

    slack_user_id: str
    timezone: str
    last_activity_on: date
    """The last local day they logged anything or joined, whichever is later."""
    credentials: tuple[CredentialSnapshot, ...] = ()
    reminders_enabled: bool = True
    snoozed_until: date | None = None
    """No reminders before this date (local)."""
    member_id: int | None = None
    lead_days: tuple[int, ...] = COUNTDOWN_DAYS
    """The countdown stages (days before a deadline, longest first)."""


def normalise_lead_days(days: list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """Lead times as stored and used: distinct, longest first; ValueError outside 1..180 or more than six."""
    out = tuple(sorted(set(days), reverse=True))
    if not out or len(out) > LEAD_DAYS_COUNT_MAX or not all(1 <= d <= LEAD_DAYS_MAX for d in out):
        raise ValueError(f"lead times are 1 to {LEAD_DAYS_COUNT_MAX} numbers of days from 1 to {LEAD_DAYS_MAX}")
    return out


def lead_days_from_text(text: str | None) -> tuple[int, ...]:
    """A stored ``90,30,7`` as a tuple; unset or unreadable (never written by cebot) gives the defaults."""
    if not text:
        return COUNTDOWN_DAYS
    try:
        return normalise_lead_days([int(part) for part in text.split(",")])
    except ValueError:
        return COUNTDOWN_DAYS


def lead_days_text(days: tuple[int, ...]) -> str:
    return ",".join(str(d) for d in days)


@dataclass(frozen=True)
class DueReminder:
    """A reminder to send now, keyed for exactly-once delivery."""

    kind: str
    period: str
    reason: str
    """Why it is due, for operators (``cebot remind --dry-run``)."""
    today: date
    credential: CredentialSnapshot | None = None
    days: int = 0
    """Days left (countdown, cpr soon), days overdue (overdue, cpr expired) or days without logging (nudge)."""
    stage: int | None = None
    cpr_expires_on: date | None = None
    related: tuple[CredentialSnapshot, ...] = field(default=())
    """For a nudge: the short credentials with a deadline within a year."""


def _weekday_on_or_before(d: date) -> date:
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def countdown_stage_starts(deadline: date, lead_days: tuple[int, ...] = COUNTDOWN_DAYS
                           ) -> tuple[tuple[int, date], ...]:
    """Each countdown stage (days before) with the local date it starts on."""
    return tuple((days, _weekday_on_or_before(deadline - timedelta(days=days))) for days in lead_days)


def countdown_stage(deadline: date, today: date, lead_days: tuple[int, ...] = COUNTDOWN_DAYS
                    ) -> tuple[int, date] | None:
    """The countdown stage current on ``today`` (days, start date), or None outside every stage."""
    if today > deadline:
        return None
    starts = countdown_stage_starts(deadline, lead_days)
    current: tuple[int, date] | None = None
    for days, start in starts:
        if start <= today:
            current = (days, start)
    return current


def reminders_due(member: MemberSnapshot, now: datetime) -> list[DueReminder]:
    """The reminders due for ``member`` at the instant ``now`` (empty outside the local weekday window)."""
    if not member.reminders_enabled:
        return []
    local = local_now(now, zone(member.timezone))
    if not in_reminder_window(local):
        return []
    today = local.date()
    if member.snoozed_until is not None and today < member.snoozed_until:
        return []
    due: list[DueReminder] = []
    countdown_starts_today = False
    for cred in member.credentials:
        if cred.deadline is None:
            continue
        days_left = (cred.deadline - today).days
        if cred.short:
            stage = countdown_stage(cred.deadline, today, member.lead_days)
            if stage is not None:
                days, start = stage
                countdown_starts_today = countdown_starts_today or start == today
                due.append(DueReminder(
                    kind=COUNTDOWN, period=f"{cred.key}:{cred.deadline.isoformat()}:{days}d",
                    reason=f"{cred.key} deadline {cred.deadline.isoformat()} in {days_left} day(s), "
                           f"{days}-day stage (from {start.isoformat()}), status {cred.status}",
                    today=today, credential=cred, days=days_left, stage=days,
                ))
        overdue_days = -days_left
        if (cred.status == "overdue" or (cred.short and overdue_days > 0)) and 0 < overdue_days <= OVERDUE_WINDOW_DAYS:
            due.append(DueReminder(
                kind=OVERDUE, period=f"{cred.key}:{cred.deadline.isoformat()}",
                reason=f"{cred.key} deadline {cred.deadline.isoformat()} passed {overdue_days} day(s) ago "
                       f"and the cycle is not complete",
                today=today, credential=cred, days=overdue_days,
            ))
    due.extend(_cpr_due(member, today))
    if not countdown_starts_today:
        nudge = _nudge_due(member, today)
        if nudge is not None:
            due.append(nudge)
    return due


def _cpr_due(member: MemberSnapshot, today: date) -> list[DueReminder]:
    seen: set[str] = set()
    out: list[DueReminder] = []
    for cred in member.credentials:
        expires = cred.cpr_expires_on
        if not cred.needs_cpr or expires is None or cred.status == "exempt":
            continue
        delta = (expires - today).days
        if 0 < delta <= CPR_NOTICE_DAYS:
            stage, days, why = "soon", delta, f"CPR/BLS card expires {expires.isoformat()} in {delta} day(s)"
        elif -CPR_NOTICE_DAYS <= delta <= 0:
            stage, days, why = "expired", -delta, f"CPR/BLS card expired {expires.isoformat()}"
        else:
            continue
        period = f"{expires.isoformat()}:{stage}"
        if period in seen:
            continue
        seen.add(period)
        needed_by = tuple(c for c in member.credentials if c.needs_cpr and c.cpr_expires_on == expires)
        out.append(DueReminder(
            kind=CPR, period=period, reason=f"{why}; needed by " + ", ".join(c.key for c in needed_by),
            today=today, credential=cred, days=days, cpr_expires_on=expires, related=needed_by,
        ))
    return out


def _nudge_due(member: MemberSnapshot, today: date) -> DueReminder | None:
    quiet = (today - member.last_activity_on).days
    if quiet < NUDGE_AFTER_DAYS:
        return None
    soon = tuple(
        c for c in member.credentials
        if c.short and c.deadline is not None and 0 <= (c.deadline - today).days <= NUDGE_HORIZON_DAYS
    )
    if not soon:
        return None
    soon = tuple(sorted(soon, key=lambda c: (c.deadline or today, c.key)))
    n = quiet // NUDGE_AFTER_DAYS
    return DueReminder(
        kind=NUDGE, period=f"{member.last_activity_on.isoformat()}:{n}",
        reason=f"nothing logged for {quiet} days (since {member.last_activity_on.isoformat()}); "
               f"deadline within a year: " + ", ".join(f"{c.key} {c.deadline}" for c in soon),
        today=today, credential=soon[0], days=quiet, related=soon,
    )


# --- weekly summary -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummarySchedule:
    """Where and when a workspace's weekly summary goes (kept in ``Workspace.settings["summary"]``)."""

    channel: str
    day: str = DEFAULT_SUMMARY_DAY
    at: time = DEFAULT_SUMMARY_TIME
    tz: str | None = None
    """The timezone it runs in (the workspace's, else the manager's who set it up); None: the workspace's."""

    def to_json(self) -> dict[str, str]:
        out = {"channel": self.channel, "day": self.day, "time": self.at.strftime("%H:%M")}
        if self.tz:
            out["tz"] = self.tz
        return out

    @classmethod
    def from_settings(cls, settings: dict[str, object] | None) -> SummarySchedule | None:
        """The schedule stored in a workspace's settings, or None if the summary is off or the value is unusable."""
        raw = (settings or {}).get("summary")
        if not isinstance(raw, dict):
            return None
        channel = raw.get("channel")
        day = str(raw.get("day") or DEFAULT_SUMMARY_DAY).lower()[:3]
        at = parse_time(str(raw.get("time") or "09:00"))
        if not isinstance(channel, str) or not channel or day not in WEEKDAYS or at is None:
            return None
        tz = raw.get("tz")
        return cls(channel=channel, day=day, at=at, tz=tz if isinstance(tz, str) and tz else None)


@dataclass(frozen=True)
class SummaryDue:
    """A weekly summary to send now."""

    period: str
    """The ISO week, e.g. ``2026-W11``."""
    channel: str
    scheduled_at: datetime
    """The scheduled local time it was due."""
    week_start: date
    """First day of the week it reports on (the 7 days before the scheduled day)."""
    week_end: date
    """Last day reported on (the day before the scheduled day)."""
    today: date
    reason: str


def summary_occurrence(schedule: SummarySchedule, tz: ZoneInfo, local_day: date) -> datetime:
    """This ISO week's scheduled instant (local wall time in ``tz``) for the week containing ``local_day``."""
    monday = local_day - timedelta(days=local_day.weekday())
    day = monday + timedelta(days=WEEKDAYS.index(schedule.day))
    return datetime.combine(day, schedule.at, tzinfo=tz)


def summary_due(schedule: SummarySchedule | None, workspace_timezone: str, now: datetime) -> SummaryDue | None:
    """The weekly summary due at ``now``: from its scheduled time until the end of that local day."""
    if schedule is None:
        return None
    tz = zone(schedule.tz or workspace_timezone, workspace_timezone)
    local = local_now(now, tz)
    scheduled = summary_occurrence(schedule, tz, local.date())
    if local.date() != scheduled.date():
        return None
    # Compare instants in UTC: aware datetimes sharing a tzinfo compare by wall time, which is wrong across DST.
    if now.astimezone(UTC) < scheduled.astimezone(UTC):
        return None
    year, week, _ = scheduled.date().isocalendar()
    return SummaryDue(
        period=f"{year}-W{week:02d}", channel=schedule.channel, scheduled_at=scheduled,
        week_start=scheduled.date() - timedelta(days=7), week_end=scheduled.date() - timedelta(days=1),
        today=local.date(),
        reason=f"weekly summary due {schedule.day} {schedule.at.strftime('%H:%M')} {tz.key}; "
               f"catch-up until the end of {scheduled.date().isoformat()}",
    )
