"""The weekly manager summary's content (pure): totals, who needs help, what is coming, who finished.

The clock turns a workspace's team progress into :class:`SummaryMember` rows and
calls :func:`build_summary`; ``cebot.slack.render.summary`` turns the result into
Block Kit. Members are counted by their *worst* credential (one member behind pace on
one licence and complete on another counts as behind pace), so the status counts add
up to the members tracked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cebot.domain.hours import Quarters
from cebot.domain.reminders import MissingSubject

UPCOMING_DAYS = 60
STATUS_RANK: dict[str, int] = {"overdue": 0, "due_soon": 1, "behind_pace": 2, "needs_info": 3, "not_started": 4,
                               "on_pace": 5, "complete": 6, "exempt": 7}
COUNTED_STATUSES: tuple[str, ...] = ("complete", "not_started", "on_pace", "behind_pace", "due_soon", "overdue")
ATTENTION_STATUSES: frozenset[str] = frozenset({"overdue", "due_soon", "behind_pace"})


@dataclass(frozen=True)
class SummaryCredential:
    key: str
    name: str
    status: str
    deadline: date | None
    days_left: int | None
    remaining: Quarters = 0
    missing: tuple[MissingSubject, ...] = ()
    completed_this_week: bool = False
    """The hours logged this week are what completed the cycle."""


@dataclass(frozen=True)
class SummaryMember:
    slack_user_id: str
    display_name: str
    credentials: tuple[SummaryCredential, ...] = ()
    hours_this_week: Quarters = 0
    """Hours logged during the reported week (by when they were logged)."""

    @property
    def worst(self) -> str | None:
        if not self.credentials:
            return None
        return min((c.status for c in self.credentials), key=lambda s: STATUS_RANK.get(s, 9))


@dataclass(frozen=True)
class SummaryLine:
    """One member and one credential, for the lists in the summary."""

    member: SummaryMember
    credential: SummaryCredential


@dataclass(frozen=True)
class WeeklySummary:
    week_start: date
    week_end: date
    today: date
    members_tracked: int
    hours_this_week: Quarters
    members_logging: int
    counts: dict[str, int] = field(default_factory=dict)
    """Members by worst status: complete, not_started, on_pace, behind_pace, due_soon, overdue (and other)."""
    needs_attention: tuple[SummaryLine, ...] = ()
    """Overdue, then due soon, then behind pace, soonest deadline first."""
    upcoming: tuple[SummaryLine, ...] = ()
    """Deadlines in the next 60 days that are not complete, soonest first."""
    completed: tuple[SummaryLine, ...] = ()
    """Cycles completed by this week's hours."""

    @property
    def is_empty(self) -> bool:
        return self.members_tracked == 0


def build_summary(members: list[SummaryMember] | tuple[SummaryMember, ...], *, week_start: date, week_end: date,
                  today: date) -> WeeklySummary:
    """The summary of ``members`` for the week ``week_start``..``week_end`` as seen on ``today``."""
    tracked = [m for m in members if m.credentials]
    counts = dict.fromkeys((*COUNTED_STATUSES, "other"), 0)
    for m in tracked:
        worst = m.worst or "other"
        counts[worst if worst in counts else "other"] += 1

    def by_deadline(line: SummaryLine) -> tuple[int, int, str, str]:
        c = line.credential
        return (STATUS_RANK.get(c.status, 9), c.days_left if c.days_left is not None else 10**6,
                line.member.display_name.lower(), c.key)

    attention = sorted(
        (SummaryLine(m, c) for m in tracked for c in m.credentials if c.status in ATTENTION_STATUSES),
        key=by_deadline,
    )
    upcoming = sorted(
        (SummaryLine(m, c) for m in tracked for c in m.credentials
         if c.status not in ("complete", "exempt") and c.days_left is not None and 0 <= c.days_left <= UPCOMING_DAYS),
        key=lambda line: (line.credential.days_left or 0, line.member.display_name.lower(), line.credential.key),
    )
    completed = sorted(
        (SummaryLine(m, c) for m in tracked for c in m.credentials if c.completed_this_week),
        key=lambda line: (line.member.display_name.lower(), line.credential.key),
    )
    return WeeklySummary(
        week_start=week_start, week_end=week_end, today=today,
        members_tracked=len(tracked),
        hours_this_week=sum(m.hours_this_week for m in members),
        members_logging=sum(1 for m in members if m.hours_this_week > 0),
        counts=counts, needs_attention=tuple(attention), upcoming=tuple(upcoming), completed=tuple(completed),
    )
