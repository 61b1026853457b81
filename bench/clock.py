"""How long the clock takes to work out what is due on one tick, for 50,000 members in 500 workspaces.

    python bench/clock.py                  # SQLite and PostgreSQL (if answering), full size
    python bench/clock.py --small          # 2,000 members in 20 workspaces (CI)
    python bench/clock.py --sqlite-only

Seeds members with 1-2 credentials each (Texas, expiry deadlines spread over the
next two years; NCBTMB; Florida's fixed Aug 31) and a few entries each, then
times :func:`cebot.jobs.planning.plan` (the whole "what is due now" step:
queries, cycle windows, progress for the candidates, reminder rules; no
sending) at three instants:

* ``fresh install``: 09:05 on a weekday with every member in that timezone and
  nothing ever delivered (the worst case: everyone is in their window at once
  and every current stage is still owed), plus 100 weekly summaries due;
* ``first tick of a day``: the realistic start of a morning: Monday's messages
  were delivered (the clock ran the day before), Tuesday 09:05, a process just
  started (empty snapshot cache); only stages that start today, complete
  members' daily re-check and the summaries are left;
* ``next tick``: five minutes later, with those messages delivered, warm cache
  (the steady state for the rest of the window), and the same without a cache;
* ``night``: 04:00 local, nobody in a window.

Rendering the reminder and summary texts is included; the summary chart PNG
is built by the clock only after it wins the claim (timed separately).

and reports the time and the number of SQL statements (per workspace batch).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cebot.db import make_engine, upgrade
from cebot.jobs import planning
from cebot.settings import load_settings

TICK = datetime(2026, 3, 10, 13, 5, tzinfo=UTC)  # Tuesday 09:05 in New York (EDT)
DAY_BEFORE = TICK - timedelta(days=1)  # Monday 09:05
NIGHT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 04:00 in New York
TABLES: Any = SQLModel.metadata.tables


def seed(engine: Engine, workspaces: int, per_workspace: int, entries_per_member: int, seed_value: int = 7) -> None:
    rng = random.Random(seed_value)
    today = TICK.date()
    created = datetime(2025, 1, 1, tzinfo=UTC)
    ws_rows = [{"id": w + 1, "team_id": f"T{w:05d}", "name": f"Clinic {w}", "timezone": "America/New_York",
                "settings": {"summary": {"channel": f"C{w:05d}", "day": "tue", "time": "09:00"}} if w % 5 == 0
                else {}, "created_at": created} for w in range(workspaces)]
    members, creds, entries = [], [], []
    mid = cid = eid = 0
    for w in range(workspaces):
        for i in range(per_workspace):
            mid += 1
            members.append({"id": mid, "workspace_id": w + 1, "slack_user_id": f"U{w:04d}{i:05d}",
                            "display_name": f"member {mid}", "timezone": "America/New_York", "role": "member",
                            "is_slack_admin": False, "reminders_enabled": rng.random() > 0.05,
                            "snoozed_until": None, "created_at": created})
            kinds = rng.sample(["TX", "NCBTMB", "FL"], k=rng.choice((1, 2)))
            for key in kinds:
                cid += 1
                deadline = today + timedelta(days=rng.randint(-20, 730)) if key != "FL" else date(2027, 8, 31)
                creds.append({"id": cid, "workspace_id": w + 1, "member_id": mid, "requirement_key": key,
                              "deadline": deadline, "first_cycle": False, "created_at": created})
            for _ in range(entries_per_member):
                eid += 1
                on = today - timedelta(days=rng.randint(1, 700))
                entries.append({"id": eid, "workspace_id": w + 1, "member_id": mid, "title": f"Course {eid}",
                                "completed_on": on, "hours_q": rng.choice((4, 8, 12, 24)),
                                "delivery_format": rng.choice(("in_person", "live_online", "home_study")),
                                "subjects": rng.choice(([], ["ethics"], ["hands_on"], ["human_trafficking"])),
                                "created_at": datetime.combine(on, datetime.min.time(), tzinfo=UTC),
                                "updated_at": created})
    with engine.begin() as conn:
        conn.execute(TABLES["workspace"].insert(), ws_rows)
        for table, rows in (("member", members), ("credential", creds), ("ce_entry", entries)):
            for start in range(0, len(rows), 20_000):
                conn.execute(TABLES[table].insert(), rows[start:start + 20_000])
        if engine.dialect.name == "postgresql":
            for table in ("workspace", "member", "credential", "ce_entry"):  # fixed names, no user input
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                conn.execute(sa.text(sql))
            conn.execute(sa.text("ANALYZE"))


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *_: Any) -> None:
        self.count += 1


def timed_plan(engine: Engine, counter: QueryCounter, now: datetime,
               cache: planning.SnapshotCache | None = None, store_quiet: bool = False
               ) -> tuple[float, int, list[Any], Any]:
    """One whole plan (no budget), timed; ``store_quiet`` also stores the quiet dates, as the clock does."""
    stats = planning.PlanStats()
    counter.count = 0
    start, cpu = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        planned = planning.plan(session, now, stats=stats, cache=cache)
        for p in planned:  # rendering is part of working out what to send
            p.render()
        if store_quiet:
            planning.store_quiet_dates(session, stats)
            session.commit()
    stats.cpu_seconds = time.process_time() - cpu  # type: ignore[attr-defined]
    return time.perf_counter() - start, counter.count, planned, stats


def clear_quiet(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(TABLES["member"].update().values(reminder_quiet_until=None))


def budgeted_ticks(engine: Engine, counter: QueryCounter, start: datetime, cache: planning.SnapshotCache,
                   seconds: float = planning.TICK_BUDGET_SECONDS, limit: int = 40) -> dict[str, Any]:
    """The scheduled clock from ``start``: a tick every 5 minutes with its work budget, what each tick planned
    delivered before the next, until a tick leaves nothing for later. Returns the per-tick numbers."""
    ticks: list[dict[str, Any]] = []
    now = start
    for _ in range(limit):
        counter.count = 0
        stats = planning.PlanStats()
        t0, cpu = time.perf_counter(), time.process_time()
        with Session(engine) as session:
            planned = planning.plan(session, now, stats=stats, cache=cache,
                                    budget=planning.WorkBudget(seconds=seconds))
            for p in planned:
                p.render()
            planning.store_quiet_dates(session, stats)
            session.commit()
        ticks.append({"at": now, "wall": time.perf_counter() - t0, "cpu": time.process_time() - cpu,
                      "queries": counter.count, "planned": len(planned), "deferred": stats.deferred,
                      "progressed": stats.members_progressed, "past_filter": stats.members_in_window})
        mark_delivered(engine, planned, now)
        if not stats.deferred:
            break
        now += timedelta(minutes=5)
    return {"ticks": ticks, "max_wall": max(t["wall"] for t in ticks), "max_cpu": max(t["cpu"] for t in ticks),
            "sent": sum(t["planned"] for t in ticks), "last": ticks[-1]["at"], "drained": not ticks[-1]["deferred"]}


def budget_line(title: str, result: dict[str, Any], start: datetime) -> str:
    ticks = result["ticks"]
    minutes = (result["last"] - start).total_seconds() / 60
    walls = ", ".join(f"{t['wall']:.2f}" for t in ticks)
    return (f"  {title}, scheduled clock ({planning.TICK_BUDGET_SECONDS} s budget a tick): {len(ticks)} tick(s), "
            f"longest {result['max_wall']:.2f} s wall / {result['max_cpu']:.2f} s CPU, "
            f"{result['sent']:,} messages, all planned {minutes:.0f} min after the first tick"
            f"{'' if result['drained'] else ' (NOT drained)'}; per tick s: {walls}")


def chart_seconds(planned: list[Any]) -> float:
    """Time to build the summary charts (PNG), which the clock does after a claim, just before sending."""
    start = time.perf_counter()
    for p in planned:
        if p.extras is not None:
            p.extras()
    return time.perf_counter() - start


def line(title: str, secs: float, queries: int, batches: int, planned: list[Any], stats: Any) -> str:
    summaries = sum(1 for p in planned if p.kind == "summary")
    return (f"  {title}: {secs:.2f} s (CPU {stats.cpu_seconds:.2f} s, load {os.getloadavg()[0]:.1f}), "
            f"{queries} queries ({batches} batches), {stats.members_in_window:,} members past the SQL "
            f"pre-filter, {stats.members_progressed:,} needed progress, {len(planned) - summaries:,} reminders "
            f"+ {summaries} summaries due")


def mark_delivered(engine: Engine, planned: list[Any], now: datetime) -> None:
    rows = [{"workspace_id": p.workspace_id, "recipient": p.recipient, "kind": p.kind, "period": p.period,
             "status": "sent", "attempts": 1, "claimed_at": now, "sent_at": now, "created_at": now}
            for p in planned]
    with engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            conn.execute(TABLES["delivery"].insert(), rows[start:start + 20_000])


def run(label: str, url: str, workspaces: int, per_workspace: int, entries: int) -> list[str]:
    upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    seed(engine, workspaces, per_workspace, entries)
    seeded = time.perf_counter() - t0
    counter = QueryCounter(engine)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"{label}: {workspaces * per_workspace:,} members in {workspaces} workspaces, "
             f"{entries} entries each (seeded in {seeded:.1f} s; load average {load:.1f})"]
    batches = -(-workspaces // planning.WORKSPACE_BATCH)
    # Fresh install: nothing ever delivered.
    secs, queries, planned, stats = timed_plan(engine, counter, TICK, planning.SnapshotCache())
    lines.append(line("fresh install, first tick (nothing ever sent, cold cache)", secs, queries, batches,
                      planned, stats))
    lines.append(f"    summary charts (PNG, after the claim): {chart_seconds(planned):.1f} s for "
                 f"{sum(1 for p in planned if p.extras)} summaries")
    # The same with the scheduled clock's budget: ticks every 5 minutes until nothing is left.
    with engine.begin() as conn:
        conn.execute(TABLES["delivery"].delete())
    lines.append(budget_line("fresh install", budgeted_ticks(engine, counter, TICK, planning.SnapshotCache()), TICK))
    # Steady state: the clock ran yesterday morning, delivered what was due then and stored quiet dates.
    with engine.begin() as conn:
        conn.execute(TABLES["delivery"].delete())
    clear_quiet(engine)
    secs, queries, monday, stats = timed_plan(engine, counter, DAY_BEFORE, store_quiet=True)
    mark_delivered(engine, monday, DAY_BEFORE)
    cache = planning.SnapshotCache()
    secs, queries, planned, stats = timed_plan(engine, counter, TICK, cache)
    lines.append(f"  (history: Monday 09:05 delivered {len(monday):,} messages)")
    lines.append(line("first tick of a day (yesterday delivered, process just started)", secs, queries, batches,
                      planned, stats))
    # The same morning as the scheduled clock runs it (it marks what it plans delivered, as the clock would).
    lines.append(budget_line("first tick of a day", budgeted_ticks(engine, counter, TICK, planning.SnapshotCache()),
                             TICK))
    secs, queries, planned2, stats = timed_plan(engine, counter, TICK + timedelta(minutes=5), cache)
    lines.append(line("next tick (steady state, warm cache)", secs, queries, batches, planned2, stats))
    secs, queries, planned2, stats = timed_plan(engine, counter, TICK + timedelta(minutes=5))
    lines.append(line("next tick without a cache (`cebot clock --once`)", secs, queries, batches, planned2, stats))
    secs, queries, planned3, stats = timed_plan(engine, counter, NIGHT)
    lines.append(f"  night tick (nobody in a window): {secs * 1000:.0f} ms, {queries} queries, "
                 f"{len(planned3)} messages due")
    engine.dispose()
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="2,000 members in 20 workspaces (CI)")
    ap.add_argument("--sqlite-only", action="store_true")
    ap.add_argument("--pg-url", default=os.environ.get("CEBOT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1/test"))
    args = ap.parse_args()
    workspaces, per_ws, entries = (20, 100, 8) if args.small else (500, 100, 8)
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        out += run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", workspaces, per_ws, entries)
    if not args.sqlite_only:
        base = make_url(load_settings(database_url=args.pg_url).database_url)
        name = f"cebot_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        except sa.exc.OperationalError as exc:
            out.append(f"PostgreSQL: skipped ({exc.__class__.__name__}: not answering at {args.pg_url})")
        else:
            try:
                out += run("PostgreSQL", base.set(database=name).render_as_string(hide_password=False),
                           workspaces, per_ws, entries)
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
