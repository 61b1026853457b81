"""Work out, from the database, which reminders and summaries are due at an instant.

Nothing here sends or writes: :func:`plan` reads and returns :class:`Planned`
messages (the clock claims and sends them; ``cebot remind --dry-run`` prints
them). The schedule is derived from data, so a restart loses nothing.

Cost, for the clock's tick every few minutes:

* one query for the workspaces and one for the distinct member timezones; only
  members whose local time is in the weekday 09:00-11:00 window are read
  further, so most ticks read no member at all;
* per batch of :data:`WORKSPACE_BATCH` workspaces, a constant number of queries
  (members, credentials with workspace-defined sets, last activity, existing
  deliveries, entries, and milestones only when a pathway set is tracked);
* the cycle window of each credential is worked out (memoised per tick, since
  many members share one deadline rule) and progress is computed only for the
  members who have a reminder in its window that is not delivered yet.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from cebot.domain import cycles
from cebot.domain import reminders as r
from cebot.domain.catalog import Catalog
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.progress import Progress, compute_progress
from cebot.domain.reminders import CredentialSnapshot, DueReminder, MemberSnapshot, MissingSubject, SummaryDue
from cebot.domain.requirements import RequirementSet, SetKind
from cebot.domain.summary import SummaryCredential, SummaryMember, WeeklySummary, build_summary
from cebot.jobs import quiet
from cebot.models import Credential, Workspace
from cebot.services.credentials import catalog_with_definitions, credential_facts
from cebot.services.progress import team_progress

log = logging.getLogger(__name__)

# Core tables (typed Any: SQLModel class attributes do not type-check as SQL expressions).
_T: Any = SQLModel.metadata.tables
M: Any = _T["member"]
C: Any = _T["credential"]
E: Any = _T["ce_entry"]
D: Any = _T["delivery"]
W: Any = _T["workspace"]
WRS: Any = _T["workspace_requirement_set"]
MS: Any = _T["milestone"]

WORKSPACE_BATCH = 100
CPR_CONDITION_KEYS = frozenset({"cpr", "bls", "cpr_current"})
DELIVERY_LOOKBACK = timedelta(days=400)
"""Deliveries older than this are not read back (their periods cannot come round again)."""


@dataclass
class Planned:
    """One message due now: where it goes, what it is, why, and its delivery state."""

    workspace_id: int
    team_id: str
    recipient: str
    kind: str
    period: str
    reason: str
    render: Callable[[], dict[str, Any]]
    state: str = "new"
    """``new`` (no delivery row), ``retry`` (a claimed row whose lease or backoff is over)."""
    extras: Callable[[], dict[str, Any]] | None = None
    """Costly parts of the payload (the summary's chart PNG), built by the clock only after it won the claim,
    just before sending; a failure there drops them and the message still goes."""

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.workspace_id, self.recipient, self.kind, self.period)


@dataclass
class PlanStats:
    workspaces: int = 0
    batches: int = 0
    members_in_window: int = 0
    members_progressed: int = 0
    credentials_progressed: int = 0
    already_delivered: int = 0
    summaries_due: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(key, state) of messages due but delivered already or in flight, for the dry run."""
    quiet: dict[int, tuple[date, int]] = field(default_factory=dict)
    """Member id -> (first day a reminder could be due, the plan version it was worked out from), for the clock to
    store (:func:`store_quiet_dates`); only dates later than the member's today that differ from the stored one."""
    skipped_quiet: int = 0
    """Members the SQL filter skipped because nothing can be due for them before a later day."""
    deferred_summaries: int = 0
    deferred_members: int = 0
    deferred_batches: int = 0
    """Work left for the next tick when the :class:`WorkBudget` ran out."""

    @property
    def deferred(self) -> int:
        return self.deferred_summaries + self.deferred_members + self.deferred_batches


@dataclass
class WorkBudget:
    """How much costly work (progress, summaries) one tick may start; the rest is planned on the next tick.

    The clock gives each tick :data:`TICK_BUDGET_SECONDS`, so a tick stays short however many members are due at
    once (a fresh install, or a Monday 09:00 when every clinic's summary is due); what is left waits five minutes,
    well inside the two-hour reminder window and the summary's catch-up day. ``units`` counts work instead of
    timing it (tests). At least one piece of work is always done, so a tick never plans nothing.
    """

    seconds: float | None = None
    units: int | None = None
    used: int = 0
    pieces: int = 0
    started: float = field(default_factory=time.perf_counter)

    def allows(self) -> bool:
        """Whether more work may start (always, before the first piece)."""
        if self.pieces == 0:
            return True
        if self.units is not None and self.used >= self.units:
            return False
        return self.seconds is None or time.perf_counter() - self.started < self.seconds

    def spend(self, units: int = 1) -> None:
        """Count a piece of work (a summary, a member's progress: one unit; a batch's reading: none)."""
        self.pieces += 1
        self.used += units


TICK_BUDGET_SECONDS = 1.2
"""The clock's work budget per tick (:class:`WorkBudget`). A piece started just before it runs out can take 0.5 s
more (a batch's reading on PostgreSQL), so ticks stay under 2 s."""


@dataclass(frozen=True)
class _WorkspaceRow:
    id: int
    team_id: str
    timezone: str
    settings: dict[str, Any]


def _json_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            loaded = json.loads(value)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {}


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _delivery_state(status: str, next_attempt_at: datetime | None, now: datetime) -> str:
    """``retry`` when a claimed row may be claimed again now, else the row's blocking state."""
    if status == "claimed":
        nxt = _aware(next_attempt_at)
        return "retry" if nxt is None or nxt <= now else "in_flight"
    return status


def plan(session: Session, now: datetime, *, team_ids: Sequence[str] | None = None,
         reminders: bool = True, summaries: bool = True, stats: PlanStats | None = None,
         cache: SnapshotCache | None = None, budget: WorkBudget | None = None) -> list[Planned]:
    """Every message due at ``now`` that is not delivered yet (optionally only for some teams).

    With a ``budget``, only as much as it allows: summaries first (they are due at a set time), then the
    workspace batches from where the previous tick stopped (``cache.next_batch``), so every batch gets its turn.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    stats = stats if stats is not None else PlanStats()
    if session.get_bind().dialect.name == "postgresql":
        # These queries are short; PostgreSQL's JIT compiler, which their cost estimates trigger, spent longer
        # compiling each one (~18 ms) than running it. Off for this transaction only.
        session.execute(sa.text("SET LOCAL jit = off"))
    stmt = sa.select(W.c.id, W.c.team_id, W.c.timezone, W.c.settings).where(W.c.uninstalled_at.is_(None))
    if team_ids:
        stmt = stmt.where(W.c.team_id.in_(list(team_ids)))
    workspaces = [_WorkspaceRow(i, t, tz or "UTC", _json_dict(s)) for i, t, tz, s in session.execute(stmt)]
    stats.workspaces = len(workspaces)
    out: list[Planned] = []
    budget = budget or WorkBudget()
    if summaries:
        out += _plan_summaries(session, workspaces, now, stats, budget)
    if reminders and workspaces:
        out += _plan_reminders(session, workspaces, now, stats, cache, budget)
    return out


# --------------------------------------------------------------------------- reminders


def _in_window_timezones(session: Session, workspace_ids: list[int] | None, now: datetime) -> list[str]:
    stmt = sa.select(M.c.timezone).distinct()
    if workspace_ids is not None:
        stmt = stmt.where(M.c.workspace_id.in_(workspace_ids))
    names = [name for (name,) in session.execute(stmt)]
    return [n for n in names if r.in_reminder_window(r.local_now(now, r.zone(n)))]


def _plan_reminders(session: Session, workspaces: list[_WorkspaceRow], now: datetime,
                    stats: PlanStats, cache: SnapshotCache | None, budget: WorkBudget) -> list[Planned]:
    by_id = {w.id: w for w in workspaces}
    scoped = [w.id for w in workspaces] if len(workspaces) <= WORKSPACE_BATCH else None
    zones = _in_window_timezones(session, scoped, now)
    if not zones:
        return []
    out: list[Planned] = []
    windows: dict[tuple[Any, ...], cycles.CycleWindow | None] = {}
    ids = sorted(by_id)
    batches = [ids[start:start + WORKSPACE_BATCH] for start in range(0, len(ids), WORKSPACE_BATCH)]
    first = cache.next_batch % len(batches) if cache is not None else 0
    order = [*range(first, len(batches)), *range(first)]
    for position, index in enumerate(order):
        if not budget.allows():
            stats.deferred_batches += len(order) - position
            if cache is not None:
                cache.next_batch = index
            return out
        stats.batches += 1
        budget.spend(0)
        out += _plan_batch(session, batches[index], by_id, zones, now, stats, windows, cache, budget)
        if stats.deferred_members and cache is not None:
            cache.next_batch = index  # this batch has members left: start there next time
            stats.deferred_batches += len(order) - position - 1
            return out
    if cache is not None:
        cache.next_batch = 0
    return out


def _ids(column: Any, ids: Iterable[int]) -> Any:
    """``column IN (...)`` with the integers written into the SQL: one statement whatever the count, no bound
    parameter limit (SQLite, psycopg), and the database plans it as an index lookup."""
    return column.in_(sa.bindparam(f"ids_{column.name}", sorted(ids), expanding=True, literal_execute=True))


def _member_filter(batch: list[int], zones: list[str]) -> list[Any]:
    return [M.c.workspace_id.in_(batch), M.c.timezone.in_(zones), M.c.reminders_enabled.is_(True)]


@dataclass
class _Cred:
    facts: CredentialFacts
    rs: RequirementSet
    fingerprint: tuple[Any, ...]


@dataclass
class _MemberRow:
    id: int
    workspace_id: int
    slack_user_id: str
    timezone: str
    snoozed_until: date | None
    created_at: datetime
    today: date
    quiet_until: date | None = None
    plan_version: int = 0
    credentials: list[_Cred] = field(default_factory=list)
    last_activity: datetime | None = None
    ledger: tuple[Any, ...] = ()
    """(entry count, last created, last updated, last deleted): changes whenever the ledger does."""


@dataclass
class SnapshotCache:
    """Member snapshots kept between ticks of one clock process.

    A snapshot is reused while the member's local date, credentials and ledger
    fingerprint are unchanged, so a tick recomputes progress only for members
    whose data changed (the first tick after a start computes all candidates).
    """

    entries: dict[int, tuple[tuple[Any, ...], MemberSnapshot]] = field(default_factory=dict)
    max_size: int = 500_000
    next_batch: int = 0
    """The workspace batch the next budgeted tick starts with (where the last one ran out)."""

    def get(self, m: _MemberRow) -> MemberSnapshot | None:
        found = self.entries.get(m.id)
        return found[1] if found is not None and found[0] == _member_fingerprint(m) else None

    def put(self, m: _MemberRow, snapshot: MemberSnapshot) -> None:
        if len(self.entries) >= self.max_size:
            self.entries.clear()
        self.entries[m.id] = (_member_fingerprint(m), snapshot)


def _member_fingerprint(m: _MemberRow) -> tuple[Any, ...]:
    return (m.today, m.timezone, m.snoozed_until, m.created_at, m.ledger, tuple(c.fingerprint for c in m.credentials))


_CRED_COLUMNS = ("member_id", "requirement_key", "deadline", "issue_date", "birth_month", "birth_day", "birth_year",
                 "first_cycle", "cpr_expires_on", "licence_number")


def _may_have_something_due(zones: list[str], now: datetime, batch: list[int]) -> Any:
    """A conservative SQL filter on members: a stored deadline within the countdown range or past (or none), a CPR
    card near its expiry, or 60 quiet days with a deadline within a year. The exact rules run in Python after it.

    The subqueries are limited to the batch's workspaces: PostgreSQL runs them once per query as hashed
    subplans, which would otherwise read every credential and course of every workspace for each batch."""
    days = [r.local_now(now, r.zone(z)).date() for z in zones]
    lo, hi = min(days), max(days)
    quiet_cut = now - timedelta(days=r.NUDGE_AFTER_DAYS - 1)
    c2, e2 = C.alias("c_due"), E.alias("e_quiet")  # aliases: the outer queries join these tables too
    near = sa.exists().where(c2.c.member_id == M.c.id, c2.c.workspace_id.in_(batch), sa.or_(
        c2.c.deadline.is_(None),
        c2.c.deadline <= hi + timedelta(days=r.COUNTDOWN_DAYS[0] + 4),
        c2.c.cpr_expires_on.between(lo - timedelta(days=r.CPR_NOTICE_DAYS + 1),
                                   hi + timedelta(days=r.CPR_NOTICE_DAYS + 1)),
    ))
    quiet = sa.and_(
        M.c.created_at <= quiet_cut,
        sa.exists().where(c2.c.member_id == M.c.id, c2.c.workspace_id.in_(batch),
                          c2.c.deadline <= hi + timedelta(days=r.NUDGE_HORIZON_DAYS + 1)),
        ~sa.exists().where(e2.c.member_id == M.c.id, e2.c.workspace_id.in_(batch), e2.c.deleted_at.is_(None),
                           e2.c.created_at > quiet_cut),
    )
    return sa.or_(near, quiet)


def _plan_batch(session: Session, batch: list[int], workspaces: dict[int, _WorkspaceRow], zones: list[str],
                now: datetime, stats: PlanStats, windows: dict[tuple[Any, ...], cycles.CycleWindow | None],
                cache: SnapshotCache | None, budget: WorkBudget) -> list[Planned]:
    latest_today = max(r.local_now(now, r.zone(z)).date() for z in zones)
    quiet_col = M.c.reminder_quiet_until
    where = [*_member_filter(batch, zones), _may_have_something_due(zones, now, batch),
             sa.or_(quiet_col.is_(None), quiet_col <= latest_today)]
    members: dict[int, _MemberRow] = {}
    today_by_zone: dict[str, date] = {}
    for mid, wid, uid, tz, snoozed, created, quiet_until, version in session.execute(
        sa.select(M.c.id, M.c.workspace_id, M.c.slack_user_id, M.c.timezone, M.c.snoozed_until, M.c.created_at,
                  quiet_col, M.c.reminder_plan_version)
        .where(*where)
    ):
        today = today_by_zone.get(tz)
        if today is None:
            today = today_by_zone[tz] = r.local_now(now, r.zone(tz)).date()
        if snoozed is not None and today < snoozed:
            continue
        if quiet_until is not None and today < quiet_until:
            stats.skipped_quiet += 1
            continue
        members[mid] = _MemberRow(mid, wid, uid, tz, snoozed, _aware(created) or now, today, quiet_until, version)
    stats.members_in_window += len(members)
    if not members:
        return []

    rows = session.execute(
        sa.select(*(C.c[name] for name in _CRED_COLUMNS), WRS.c.definition)
        .select_from(C.outerjoin(WRS, sa.and_(
            WRS.c.workspace_id == C.c.workspace_id, WRS.c.key == C.c.requirement_key)))
        .where(C.c.workspace_id.in_(batch), _ids(C.c.member_id, members))
    ).all()
    catalog = catalog_with_definitions(row[-1] for row in rows if row[-1])
    sets: dict[str, RequirementSet | None] = {}
    for row in rows:
        m = members.get(row[0])
        if m is None:
            continue
        key = row[1]
        if key not in sets:
            sets[key] = catalog.get(key)
        rs = sets[key]
        if rs is None or rs.kind is SetKind.PATHWAY or not rs.tracks_hours:
            continue  # pathways and sets without CE have no deadline to remind about
        facts = CredentialFacts(requirement_key=key, deadline=row[2], issue_date=row[3], birth_month=row[4],
                                birth_day=row[5], birth_year=row[6], first_cycle=bool(row[7]),
                                cpr_expires_on=row[8], licence_number=row[9])
        m.credentials.append(_Cred(facts, rs, (*row[1:], id(rs))))
    members = {k: v for k, v in members.items() if v.credentials}
    if not members:
        return []

    live = E.c.deleted_at.is_(None)
    for mid, count, last_live, last_created, last_updated, last_deleted in session.execute(
        sa.select(E.c.member_id, sa.func.count(), sa.func.max(sa.case((live, E.c.created_at))),
                  sa.func.max(E.c.created_at), sa.func.max(E.c.updated_at), sa.func.max(E.c.deleted_at))
        .where(E.c.workspace_id.in_(batch), _ids(E.c.member_id, members)).group_by(E.c.member_id)
    ):
        m = members.get(mid)
        if m is not None:
            m.last_activity = _aware(last_live)
            m.ledger = (count, last_created, last_updated, last_deleted)

    delivered: dict[tuple[int, str, str, str], str] = {}
    for wid, recipient, kind, period, status, nxt in session.execute(
        sa.select(D.c.workspace_id, D.c.recipient, D.c.kind, D.c.period, D.c.status, D.c.next_attempt_at)
        .where(D.c.workspace_id.in_(batch), D.c.kind != r.SUMMARY, D.c.created_at >= now - DELIVERY_LOOKBACK,
               # EXISTS, not a join: SQLite would probe the member index once per listed id for every row
               sa.exists().where(M.c.workspace_id == D.c.workspace_id, M.c.slack_user_id == D.c.recipient,
                                 _ids(M.c.id, members)))
    ):
        delivered[(wid, recipient, kind, period)] = _delivery_state(status, nxt, now)

    # Without progress: which members could have something due that is not delivered yet?
    candidates = [m for m in members.values() if _could_be_due(m, windows, delivered)]
    done = _done_only(delivered)
    ruled_in = {m.id for m in candidates}
    for m in members.values():
        if m.id not in ruled_in and budget.allows():  # what the budget leaves waits for a later tick
            _note_quiet(stats, m, _quiet_without_progress(m, windows, done))
    if not candidates:
        return []
    snapshots: dict[int, MemberSnapshot] = {}
    to_compute: list[_MemberRow] = []
    for m in candidates:
        cached = cache.get(m) if cache is not None else None
        if cached is not None:
            snapshots[m.id] = cached
        else:
            to_compute.append(m)
    if to_compute:
        entries = _entries_for(session, batch, {m.id for m in to_compute})
        for position, m in enumerate(to_compute):
            if not budget.allows():
                stats.deferred_members += len(to_compute) - position
                break
            budget.spend()
            snapshots[m.id] = snap = _snapshot(m, entries.get(m.id, []), stats)
            stats.members_progressed += 1
            if cache is not None:
                cache.put(m, snap)
    out: list[Planned] = []
    for m in candidates:
        if m.id not in snapshots:
            continue  # deferred to the next tick
        ws = workspaces[m.workspace_id]
        due_now = r.reminders_due(snapshots[m.id], now)
        if all((m.workspace_id, m.slack_user_id, d.kind, d.period) in done for d in due_now):
            _note_quiet(stats, m, quiet.quiet_from_snapshot(snapshots[m.id], m.today, _sent_check(m, done)))
        for due in due_now:
            key = (m.workspace_id, m.slack_user_id, due.kind, due.period)
            state = delivered.get(key, "new")
            if state not in ("new", "retry"):
                stats.already_delivered += 1
                stats.skipped.append((":".join(map(str, key)), state))
                continue
            out.append(Planned(m.workspace_id, ws.team_id, m.slack_user_id, due.kind, due.period, due.reason,
                               _reminder_renderer(due), state))
    return out


def _reminder_renderer(due: DueReminder) -> Callable[[], dict[str, Any]]:
    def render() -> dict[str, Any]:
        from cebot.slack.render.reminders import render_reminder

        return render_reminder(due)

    return render


def _current_deadline(cred: _Cred, today: date, memo: dict[tuple[Any, ...], cycles.CycleWindow | None]) -> date | None:
    """The deadline the progress engine will use: the stored one while it is ahead, else the rule's (memoised)."""
    facts = cred.facts
    if facts.deadline is not None and facts.deadline >= today:
        return facts.deadline
    key = (id(cred.rs), facts.deadline, facts.issue_date, facts.birth_month, facts.birth_day, facts.birth_year, today)
    if key not in memo:
        memo[key] = cycles.current_window(cred.rs, facts, today)
    window = memo[key]
    return window.deadline if window is not None else None


def _could_be_due(m: _MemberRow, memo: dict[tuple[Any, ...], cycles.CycleWindow | None],
                  delivered: dict[tuple[int, str, str, str], str]) -> bool:
    """Whether any reminder could be due for ``m`` today and is not delivered (no progress needed)."""
    today = m.today
    if today.weekday() >= 5:
        return False

    def open_(kind: str, period: str) -> bool:
        return delivered.get((m.workspace_id, m.slack_user_id, kind, period), "new") in ("new", "retry")

    deadlines: list[tuple[str, date]] = []
    for cred in m.credentials:
        rs, facts = cred.rs, cred.facts
        if facts.deadline is not None and facts.deadline < today:
            deadlines.append((rs.key, facts.deadline))
        current = _current_deadline(cred, today, memo)
        if current is not None and (rs.key, current) not in deadlines:
            deadlines.append((rs.key, current))
        if facts.cpr_expires_on is not None and any(c.key in CPR_CONDITION_KEYS for c in rs.conditions):
            delta = (facts.cpr_expires_on - today).days
            if -r.CPR_NOTICE_DAYS <= delta <= r.CPR_NOTICE_DAYS:
                cpr_stage = "soon" if delta > 0 else "expired"
                if open_(r.CPR, f"{facts.cpr_expires_on.isoformat()}:{cpr_stage}"):
                    return True
    for key, deadline in deadlines:
        days_left = (deadline - today).days
        if days_left > r.COUNTDOWN_DAYS[0] + 3:
            continue
        stage = r.countdown_stage(deadline, today)
        if stage is not None and open_(r.COUNTDOWN, f"{key}:{deadline.isoformat()}:{stage[0]}d"):
            return True
        if 0 < -days_left <= r.OVERDUE_WINDOW_DAYS and open_(r.OVERDUE, f"{key}:{deadline.isoformat()}"):
            return True
    last = _last_activity_day(m)
    quiet = (today - last).days
    if quiet >= r.NUDGE_AFTER_DAYS and any(0 <= (d - today).days <= r.NUDGE_HORIZON_DAYS for _, d in deadlines):
        return open_(r.NUDGE, f"{last.isoformat()}:{quiet // r.NUDGE_AFTER_DAYS}")
    return False


def _done_only(delivered: dict[tuple[int, str, str, str], str]) -> set[tuple[int, str, str, str]]:
    """The delivery keys that will not be sent again (sent, or failed for good)."""
    return {key for key, state in delivered.items() if state in ("sent", "failed")}


def _sent_check(m: _MemberRow, done: set[tuple[int, str, str, str]]) -> Callable[[str, str], bool]:
    def sent(kind: str, period: str) -> bool:
        return (m.workspace_id, m.slack_user_id, kind, period) in done

    return sent


def _note_quiet(stats: PlanStats, m: _MemberRow, day: date | None) -> None:
    if day is not None and day > m.today and day != m.quiet_until:
        stats.quiet[m.id] = (day, m.plan_version)


def _quiet_without_progress(m: _MemberRow, memo: dict[tuple[Any, ...], cycles.CycleWindow | None],
                            done: set[tuple[int, str, str, str]]) -> date | None:
    """For a member the cheap test ruled out today: the first day it could rule them in (no progress needed)."""
    deadlines = [d for d in (_current_deadline(c, m.today, memo) for c in m.credentials) if d is not None]
    deadlines += [c.facts.deadline for c in m.credentials if c.facts.deadline is not None]
    limit = m.today + timedelta(days=quiet.MAX_QUIET_DAYS)
    if deadlines:
        limit = min(limit, min(deadlines))
    if limit <= m.today:
        return None
    as_done = {key: "sent" for key in done}
    if _could_be_due(m, memo, as_done):
        return None  # something not sent yet is open today (a claim in flight, say): no quiet date to vouch for

    def could_be_due(day: date) -> bool:
        return _could_be_due(replace(m, today=day), memo, as_done)

    days = quiet.candidate_days(today=m.today, limit=limit, deadlines=deadlines,
                                cpr_expiries=[c.facts.cpr_expires_on for c in m.credentials
                                              if c.facts.cpr_expires_on is not None],
                                last_activity_on=_last_activity_day(m))
    return quiet.first_possible_day(days, could_be_due, limit)


def store_quiet_dates(session: Session, stats: PlanStats) -> int:
    """Write the dates a plan worked out (only where the member's data has not changed since it was read)."""
    if not stats.quiet:
        return 0
    stmt = (sa.update(M).where(M.c.id == sa.bindparam("mid"), M.c.reminder_plan_version == sa.bindparam("version"))
            .values(reminder_quiet_until=sa.bindparam("quiet")))
    rows = [{"mid": mid, "version": version, "quiet": day} for mid, (day, version) in stats.quiet.items()]
    session.connection().execute(stmt, rows)
    return len(rows)


def _last_activity_day(m: _MemberRow) -> date:
    """The later of joining and the last course logged (what the SQL pre-filter's quiet test uses too)."""
    moment = max(m.last_activity, m.created_at) if m.last_activity is not None else m.created_at
    return r.local_now(moment, r.zone(m.timezone)).date()


_ENTRY_COLUMNS = (E.c.member_id, E.c.id, E.c.title, E.c.completed_on, E.c.hours_q,
                  E.c.delivery_format, sa.cast(E.c.subjects, sa.Text))


def _entries_for(session: Session, batch: list[int], wanted: set[int]) -> dict[int, list[EntryFacts]]:
    out: dict[int, list[EntryFacts]] = defaultdict(list)
    subjects_cache: dict[str | None, tuple[str, ...]] = {}
    stmt = sa.select(*_ENTRY_COLUMNS).where(E.c.workspace_id.in_(batch), _ids(E.c.member_id, wanted),
                                            E.c.deleted_at.is_(None))
    for mid, eid, title, on, hours, fmt, subjects_text in session.execute(stmt):
        subjects = subjects_cache.get(subjects_text)
        if subjects is None:
            subjects = tuple(json.loads(subjects_text)) if subjects_text else ()
            subjects_cache[subjects_text] = subjects
        out[mid].append(EntryFacts(eid, title, on, hours, fmt, subjects))
    return out


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
    rows = [MissingSubject(s.label, s.remaining) for s in progress.subject_rows if not s.met and s.remaining > 0]
    if progress.in_person is not None and progress.in_person.remaining > 0:
        rows.append(MissingSubject("In-person hours", progress.in_person.remaining))
    return tuple(rows)


def _snapshot(m: _MemberRow, entries: list[EntryFacts], stats: PlanStats) -> MemberSnapshot:
    creds = []
    for cred in m.credentials:
        progress = compute_progress(cred.rs, cred.facts, entries, m.today)
        stats.credentials_progressed += 1
        creds.append(credential_snapshot(progress, cred.rs, cred.facts.cpr_expires_on))
    return MemberSnapshot(slack_user_id=m.slack_user_id, timezone=m.timezone, last_activity_on=_last_activity_day(m),
                          credentials=tuple(creds), reminders_enabled=True, snoozed_until=m.snoozed_until,
                          member_id=m.id)


# --------------------------------------------------------------------------- summaries


def _plan_summaries(session: Session, workspaces: list[_WorkspaceRow], now: datetime,
                    stats: PlanStats, budget: WorkBudget) -> list[Planned]:
    due: dict[int, tuple[_WorkspaceRow, SummaryDue]] = {}
    for w in workspaces:
        found = r.summary_due(r.SummarySchedule.from_settings(w.settings), w.timezone, now)
        if found is not None:
            due[w.id] = (w, found)
    if not due:
        return []
    delivered: dict[tuple[int, str, str], str] = {}
    for wid, recipient, period, status, nxt in session.execute(
        sa.select(D.c.workspace_id, D.c.recipient, D.c.period, D.c.status,
                  D.c.next_attempt_at)
        .where(D.c.workspace_id.in_(list(due)), D.c.kind == r.SUMMARY)
    ):
        delivered[(wid, recipient, period)] = _delivery_state(status, nxt, now)
    out: list[Planned] = []
    for wid, (w, s) in due.items():
        state = delivered.get((wid, s.channel, s.period), "new")
        if state not in ("new", "retry"):
            stats.already_delivered += 1
            stats.skipped.append((f"{wid}:{s.channel}:{r.SUMMARY}:{s.period}", state))
            continue
        if not budget.allows():
            stats.deferred_summaries += 1
            continue
        budget.spend()
        stats.summaries_due += 1
        render, extras = _summary_parts(session, wid, s)
        out.append(Planned(wid, w.team_id, s.channel, r.SUMMARY, s.period, s.reason, render, state, extras))
    return out


def _summary_parts(session: Session, workspace_id: int, due: SummaryDue
                   ) -> tuple[Callable[[], dict[str, Any]], Callable[[], dict[str, Any]]]:
    """The summary's renderer and its chart: team progress is computed once (summary and chart rows share it)
    while planning (the session is open then); rendering the text is cheap, the PNG is left to ``extras``."""
    from cebot.services.exports import chart_rows

    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise LookupError(f"no workspace {workspace_id}")
    team = team_progress(session=session, workspace=workspace, today=due.today)
    summary = _weekly_summary_from_team(session=session, workspace_id=workspace_id, team=team, today=due.today,
                                        week_start=due.week_start, week_end=due.week_end,
                                        tz_name=str(getattr(due.scheduled_at.tzinfo, "key", "UTC")))
    try:
        chart = chart_rows(team)
    except Exception:  # a chart must never stop the summary itself
        log.exception("team chart rows failed for workspace %s", workspace_id)
        chart = []

    def render() -> dict[str, Any]:
        from cebot.slack.render.summary import render_summary

        return render_summary(summary)

    def extras() -> dict[str, Any]:
        if not chart:
            return {}
        from cebot.exports.chart import SUMMARY_CHART_KEY, render_team_chart

        return {SUMMARY_CHART_KEY: render_team_chart(chart, title=f"CE progress, {due.today:%b} {due.today.day}")}

    return render, extras


def weekly_summary(*, session: Session, workspace_id: int, today: date, week_start: date, week_end: date,
                   tz_name: str = "UTC") -> WeeklySummary:
    """The weekly summary of a workspace (team progress plus this week's logging; a constant number of queries)."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise LookupError(f"no workspace {workspace_id}")
    team = team_progress(session=session, workspace=workspace, today=today)
    return _weekly_summary_from_team(session=session, workspace_id=workspace_id, team=team, today=today,
                                     week_start=week_start, week_end=week_end, tz_name=tz_name)


def _weekly_summary_from_team(*, session: Session, workspace_id: int, team: list[Any], today: date,
                              week_start: date, week_end: date, tz_name: str) -> WeeklySummary:
    tz = r.zone(tz_name)
    start_utc = datetime.combine(week_start, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    end_utc = datetime.combine(week_end + timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(UTC)
    logged: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for mid, eid, hours in session.execute(
        sa.select(E.c.member_id, E.c.id, E.c.hours_q).where(
            E.c.workspace_id == workspace_id, E.c.deleted_at.is_(None),
            E.c.created_at >= start_utc, E.c.created_at < end_utc)
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


def _completed_this_week(session: Session, workspace_id: int, team: Iterable[Any],
                         logged: dict[int, list[tuple[int, int]]], week_start: date) -> set[tuple[int, str]]:
    """(member id, set key) of cycles complete now that were not complete without this week's entries."""
    suspects: dict[int, set[str]] = defaultdict(set)
    for mp in team:
        mid = mp.member.id or 0
        new_ids = {eid for eid, _ in logged.get(mid, [])}
        for p in mp.progress:
            if str(p.status.value) == "complete" and new_ids & set(p.counted_entry_ids):
                suspects[mid].add(p.key)
    if not suspects:
        return set()
    rows = session.execute(
        sa.select(Credential, WRS.c.definition)
        .join(WRS, sa.and_(
            WRS.c.workspace_id == C.c.workspace_id,
            WRS.c.key == C.c.requirement_key), isouter=True)
        .where(C.c.workspace_id == workspace_id, C.c.member_id.in_(list(suspects)))
    ).all()
    catalog: Catalog = catalog_with_definitions(d for _, d in rows if d)
    entries: dict[int, list[EntryFacts]] = defaultdict(list)
    for mid, eid, title, on, hours, fmt, subjects_text in session.execute(
        sa.select(*_ENTRY_COLUMNS).where(E.c.workspace_id == workspace_id, E.c.deleted_at.is_(None),
                                         E.c.member_id.in_(list(suspects)))
    ):
        entries[mid].append(EntryFacts(eid, title, on, hours, fmt, tuple(json.loads(subjects_text or "[]"))))
    out: set[tuple[int, str]] = set()
    for cred, _ in rows:
        rs = catalog.get(cred.requirement_key)
        if rs is None or rs.key not in suspects.get(cred.member_id, set()):
            continue
        new_ids = {eid for eid, _ in logged.get(cred.member_id, [])}
        before = [e for e in entries.get(cred.member_id, []) if e.id not in new_ids]
        earlier = compute_progress(rs, credential_facts(cred), before, week_start)
        if str(earlier.status.value) != "complete":
            out.add((cred.member_id, rs.key))
    return out
