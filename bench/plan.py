"""Benchmark: ``/ce plan`` for a member with 5 credentials and 500 entries (target: under 100 ms).

    python bench/plan.py                       # temp SQLite file
    python bench/plan.py --database-url postgresql://postgres@127.0.0.1/test   # a fresh database there
    python bench/plan.py --runs 5              # fewer runs (CI)

The member tracks FL, NCBTMB, TX, MI and NY; 500 courses of 1-2 h over twenty years, most of them home study with no
subject (so the in-person and subject minimums stay open and the plan has work to do); a second member has
500 courses all from before every window, so all five credentials are open. Times are wall-clock
for the whole service call (:func:`cebot.services.plan.member_plan`: 3 queries, row conversion, the search),
median and p95 after one warm-up run, each run in its own transaction; "engine runs" is how many times the
search asked the progress engine. Exits 1 when the median misses the target.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cebot.core.db import make_engine, session_scope, upgrade
from cebot.domain import plan as plan_domain
from cebot.domain.facts import LogRequest
from cebot.domain.parsing import TrackRequest
from cebot.models import Member, Workspace
from cebot.services import credentials, ledger
from cebot.services.plan import member_plan

TODAY = date(2026, 12, 1)
KEYS = {"FL": date(2027, 8, 31), "NCBTMB": date(2027, 12, 31), "TX": date(2027, 10, 31),
        "MI": date(2027, 6, 30), "NY": date(2027, 8, 31)}
TARGET_MS = 100.0


def seed(url: str, entries: int, *, old_only: bool) -> tuple[int, int]:
    """One member tracking :data:`KEYS` with ``entries`` courses (``old_only``: all from before every window)."""
    engine = make_engine(url)
    rnd = random.Random(15)
    first_day = 1100 if old_only else 0
    with session_scope(engine) as s:
        ws = Workspace(team_id=f"TBENCH{int(old_only)}", name="Bench")
        s.add(ws)
        s.flush()
        assert ws.id is not None
        member = Member(workspace_id=ws.id, slack_user_id="UBENCH", display_name="Bench")
        s.add(member)
        s.flush()
        for key, deadline in KEYS.items():
            credentials.track(session=s, member=member, request=TrackRequest(key=key, deadline=deadline), today=TODAY)
        for i in range(entries):
            fmt = rnd.choice(["home_study"] * 6 + ["live_online", "in_person"])
            subjects = rnd.choice([()] * 8 + [("ethics",), ("self_care",)])
            ledger.log_entry(session=s, member=member, request=LogRequest(
                hours=4 * rnd.randint(1, 2), title=f"Course {i}",
                completed_on=TODAY - timedelta(days=rnd.randrange(first_day, 7300)), delivery_format=fmt,
                subjects=subjects))
        ids = (ws.id or 0, member.id or 0)
    engine.dispose()
    return ids


def run(url: str, runs: int, entries: int, *, old_only: bool) -> bool:
    _, member_id = seed(url, entries, old_only=old_only)
    engine = make_engine(url)
    times: list[float] = []
    cpus: list[float] = []
    original = plan_domain._Problem.remaining_of
    counter = {"n": 0}

    def counting(self: plan_domain._Problem, i: int, plan: dict[plan_domain.CourseKind, int]) -> int:
        counter["n"] += 1
        return original(self, i, plan)

    result = None
    for n in range(runs + 1):
        with session_scope(engine) as s:
            member = s.get(Member, member_id)
            assert member is not None
            start, cpu_start = time.perf_counter(), time.process_time()
            result = member_plan(session=s, member=member, today=TODAY)
            elapsed = (time.perf_counter() - start) * 1000
            cpu = (time.process_time() - cpu_start) * 1000
        if n:
            times.append(elapsed)
            cpus.append(cpu)
    plan_domain._Problem.remaining_of = counting  # type: ignore[method-assign]
    try:
        with session_scope(engine) as s:
            member = s.get(Member, member_id)
            assert member is not None
            member_plan(session=s, member=member, today=TODAY)
        evaluations = counter["n"]
    finally:
        plan_domain._Problem.remaining_of = original  # type: ignore[method-assign]
    engine.dispose()
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    assert result is not None
    backend = make_url(url).get_backend_name()
    what = "all open" if old_only else "mixed"
    print(f"{backend:<10} {what:<8} 5 credentials, {entries} entries: median {median:.1f} ms, p95 {p95:.1f} ms "
          f"(target < {TARGET_MS:.0f} ms), CPU {statistics.median(cpus):.1f} ms, {evaluations} engine runs, "
          f"plan {result.hours / 4:g} h in "
          f"{len(result.items)} kinds; left out: {dict(result.left_out)}")
    return median < TARGET_MS


def run_both(url: str, runs: int, entries: int) -> bool:
    upgrade(url)
    mixed = run(url, runs, entries, old_only=False)
    return run(url, runs, entries, old_only=True) and mixed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--entries", type=int, default=500)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    if args.database_url and args.database_url.startswith("postgresql"):
        name = f"cebot_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            ok = run_both(make_url(args.database_url).set(database=name).render_as_string(hide_password=False),
                          args.runs, args.entries)
        finally:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            ok = run_both(args.database_url or f"sqlite:///{tmp}/plan.sqlite3", args.runs, args.entries)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
