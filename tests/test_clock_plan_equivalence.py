"""Differential test: the clock's plan equals the obvious, unfiltered computation.

The reference reads every member of every workspace, computes progress for every credential and applies the
pure reminder rules; :func:`cebot.jobs.planning.plan` (members in their window who could have something due,
progress in batches, minus the delivery table) must produce exactly the same messages, reasons and texts, on
random seeded data at random instants, with random delivery history and ledger changes between ticks.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.domain import reminders as r
from cebot.domain.facts import EntryFacts
from cebot.domain.progress import compute_progress
from cebot.jobs.planning import plan
from cebot.jobs.sender import render
from cebot.models import CEEntry, Credential, Delivery, Member, Workspace, WorkspaceRequirementSet
from cebot.services import reminders
from cebot.services.credentials import catalog_with_definitions, credential_facts
from cebot.services.scheduled import Planned, PlanStats, delivery_state

ZONES = ("America/New_York", "America/Los_Angeles", "America/Chicago", "Europe/London", "Pacific/Honolulu")
KEYS = ("FL", "TX", "PA", "NCBTMB", "NY", "NJ", "CA", "AMMA")
SUBJECTS = ("ethics", "hands_on", "human_trafficking", "laws_rules", "medical_errors")
START = date(2026, 1, 5)

Key = tuple[int, str, str, str]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def reference_plan(session: Session, now: datetime) -> dict[Key, tuple[str, str, str]]:
    """Every reminder due at ``now``, found the slow, obvious way: (state, reason, text) by delivery key."""
    out: dict[Key, tuple[str, str, str]] = {}
    for ws in session.exec(select(Workspace).where(Workspace.uninstalled_at.is_(None))):  # type: ignore[union-attr]
        defs = [w.definition for w in session.exec(
            select(WorkspaceRequirementSet).where(WorkspaceRequirementSet.workspace_id == ws.id))]
        catalog = catalog_with_definitions(d for d in defs if d)
        delivered = {(d.recipient, d.kind, d.period): delivery_state(d.status, d.next_attempt_at, now)
                     for d in session.exec(select(Delivery).where(Delivery.workspace_id == ws.id))}
        for m in session.exec(select(Member).where(Member.workspace_id == ws.id)):
            if not m.reminders_enabled:
                continue
            today = r.local_now(now, r.zone(m.timezone)).date()
            live = [e for e in session.exec(select(CEEntry).where(CEEntry.member_id == m.id)) if e.deleted_at is None]
            entries = [EntryFacts(e.id or 0, e.title, e.completed_on, e.hours_q, e.delivery_format,
                                  tuple(e.subjects or ())) for e in live]
            creds = []
            for c in session.exec(select(Credential).where(Credential.member_id == m.id)):
                rs = catalog.get(c.requirement_key)
                if rs is None:
                    continue
                progress = compute_progress(rs, credential_facts(c), entries, today)
                creds.append(reminders.credential_snapshot(progress, rs, c.cpr_expires_on))
            last = max([_aware(m.created_at), *(_aware(e.created_at) for e in live)])  # logged, or joined, last
            snapshot = r.MemberSnapshot(slack_user_id=m.slack_user_id, timezone=m.timezone,
                                        last_activity_on=r.local_now(last, r.zone(m.timezone)).date(),
                                        credentials=tuple(creds), reminders_enabled=True,
                                        snoozed_until=m.snoozed_until, member_id=m.id)
            for due in r.reminders_due(snapshot, now):
                state = delivered.get((m.slack_user_id, due.kind, due.period), "new")
                if state in ("new", "retry"):
                    text = str(render(Planned(ws.id or 0, ws.team_id, m.slack_user_id, due.kind, due.period,
                                              due.reason, due))["text"])
                    out[(ws.id or 0, m.slack_user_id, due.kind, due.period)] = (state, due.reason, text)
    return out


def clock_plan(session: Session, now: datetime) -> dict[Key, tuple[str, str, str]]:
    """The clock's plan, as the reference reports it."""
    return {p.key: (p.state, p.reason, str(render(p)["text"])) for p in plan(session, now, summaries=False)}


def seed(engine: Engine, rng: random.Random) -> None:
    with Session(engine) as s:
        for w in range(3):
            ws = Workspace(team_id=f"T{w}", name=f"Clinic {w}", timezone=rng.choice(ZONES), settings={})
            s.add(ws)
            s.flush()
            for i in range(rng.randint(15, 30)):
                joined = datetime.combine(START - timedelta(days=rng.randint(0, 400)), datetime.min.time(),
                                          tzinfo=UTC) + timedelta(hours=rng.randint(0, 23))
                m = Member(workspace_id=ws.id or 0, slack_user_id=f"U{w}{i:03d}", display_name=f"m{i}",
                           timezone=rng.choice(ZONES), reminders_enabled=rng.random() > 0.1, created_at=joined,
                           snoozed_until=START + timedelta(days=rng.randint(0, 200)) if rng.random() < 0.1 else None)
                s.add(m)
                s.flush()
                for key in rng.sample(KEYS, k=rng.randint(0, 3)):
                    s.add(Credential(
                        workspace_id=ws.id or 0, member_id=m.id or 0, requirement_key=key,
                        deadline=START + timedelta(days=rng.randint(-90, 500)) if rng.random() < 0.85 else None,
                        first_cycle=rng.random() < 0.2,
                        issue_date=START - timedelta(days=rng.randint(100, 900)) if rng.random() < 0.3 else None,
                        birth_month=rng.randint(1, 12) if rng.random() < 0.3 else None,
                        cpr_expires_on=START + timedelta(days=rng.randint(-40, 150)) if rng.random() < 0.5 else None,
                        created_at=joined))
                for _ in range(rng.choice((0, 0, 1, 3, 6, 10))):
                    add_entry(s, rng, ws.id or 0, m.id or 0, START)
        s.commit()


def add_entry(s: Session, rng: random.Random, wid: int, mid: int, today: date) -> None:
    on = today - timedelta(days=rng.randint(0, 800))
    created = datetime.combine(on + timedelta(days=rng.randint(0, 30)), datetime.min.time(), tzinfo=UTC)
    s.add(CEEntry(workspace_id=wid, member_id=mid, title=f"Course {rng.randint(1, 10**6)}", completed_on=on,
                  hours_q=rng.choice((2, 4, 8, 12, 24, 48)),
                  delivery_format=rng.choice(("in_person", "live_online", "home_study")),
                  subjects=rng.sample(SUBJECTS, k=rng.randint(0, 2)), created_at=created, updated_at=created,
                  deleted_at=created if rng.random() < 0.1 else None))


def change_things(engine: Engine, rng: random.Random, now: datetime,
                  expected: dict[Key, tuple[str, str, str]]) -> None:
    """Between ticks: deliver or fail some of what was due, log or delete courses, move a deadline."""
    with Session(engine) as s:
        for (wid, recipient, kind, period), (state, _, _) in expected.items():
            if state == "new" and rng.random() < 0.6:
                status = rng.choice(("sent", "sent", "failed", "claimed", "claimed"))
                nxt = now + timedelta(minutes=rng.choice((-30, 30))) if status == "claimed" else None
                s.add(Delivery(workspace_id=wid, recipient=recipient, kind=kind, period=period, status=status,
                               attempts=1, claimed_at=now, next_attempt_at=nxt, created_at=now))
        members = list(s.exec(select(Member)))
        for m in rng.sample(members, k=4):
            add_entry(s, rng, m.workspace_id, m.id or 0, now.date())
        for e in rng.sample(list(s.exec(select(CEEntry).where(CEEntry.deleted_at.is_(None)))),  # type: ignore[union-attr]
                            k=3):
            e.deleted_at = now
            e.updated_at = now
            s.add(e)
        for c in rng.sample(list(s.exec(select(Credential))), k=2):
            c.deadline = now.date() + timedelta(days=rng.randint(-20, 120))
            s.add(c)
        s.commit()


def instants(rng: random.Random, n: int) -> list[datetime]:
    """Mostly instants inside some zone's weekday morning window, in time order."""
    out = []
    day = START
    for _ in range(n):
        day += timedelta(days=rng.choice((0, 1, 1, 3, 7, 13, 30)))
        zone = r.zone(rng.choice(ZONES))
        local = datetime.combine(day, datetime.min.time(), tzinfo=zone).replace(
            hour=rng.choice((8, 9, 9, 10, 10, 11)), minute=rng.choice((0, 5, 55)))
        out.append(local.astimezone(UTC))
    return sorted(out)


@pytest.mark.parametrize("seed_value", [1, 2, 3])
def test_the_plan_equals_the_reference(engine: Engine, seed_value: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """On random data, times, deliveries and ledger changes, plan() sends what the unfiltered reference sends,
    in one batch of members or in many."""
    rng = random.Random(seed_value)
    seed(engine, rng)
    total = 0
    for now in instants(rng, 10):
        with Session(engine) as s:
            expected = reference_plan(s, now)
            assert clock_plan(s, now) == expected, now
            with monkeypatch.context() as small:
                small.setattr(reminders, "MEMBER_BATCH", 7)
                assert clock_plan(s, now) == expected, now
        total += len(expected)
        change_things(engine, rng, now, expected)
    assert total > 0  # the data and times do make reminders due


def test_a_constant_number_of_queries_per_batch(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning reads the workspaces and timezones once, the members once, then at most 4 queries a batch."""
    rng = random.Random(1)
    seed(engine, rng)
    monkeypatch.setattr(reminders, "MEMBER_BATCH", 5)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for now in instants(rng, 10):
            statements.clear()
            stats = PlanStats()
            with Session(engine) as s:
                plan(s, now, summaries=False, stats=stats)
            assert len(statements) <= 4 + 4 * stats.batches, now  # (+1: SET LOCAL jit on PostgreSQL)
            assert stats.batches == -(-stats.members_in_window // 5)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_reference_sees_each_kind(engine: Engine) -> None:
    """The random data exercises countdown, overdue, CPR and nudge messages (so equality is not vacuous)."""
    rng = random.Random(1)
    seed(engine, rng)
    kinds: set[str] = set()
    for now in instants(rng, 20):
        with Session(engine) as s:
            kinds |= {k[2] for k in reference_plan(s, now)}
    assert kinds >= {"countdown", "overdue", "cpr", "nudge"}

