"""Benchmark: member and team progress on SQLite and PostgreSQL.

    python bench/progress.py                 # both databases, full size
    python bench/progress.py --small         # CI size
    python bench/progress.py --database-url sqlite:////tmp/b.sqlite3

Scenarios (targets from issue 2):
  member: one member, 5,000 entries, 3 credentials (FL, NCBTMB, VA)   < 20 ms, <= 3 queries
  team:   2,000 members x 100 entries, each tracking FL (+ NCBTMB for a third)   < 2 s, <= 5 queries

PostgreSQL: the given server URL (default postgresql://postgres@127.0.0.1/test) is only used to create a
fresh database, which is dropped at the end. Times are wall-clock for the whole service call (queries,
row conversion and the progress maths), median and p95 over repeated runs after one warm-up run; CPU ms
is the median CPU time of this process (less sensitive to other work on a shared machine).
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cebot.core.db import make_engine, session_scope, upgrade
from cebot.core.settings import load_settings
from cebot.models import CEEntry, Credential, Member, Workspace, utcnow
from cebot.services.progress import member_progress, team_progress

TODAY = date(2026, 3, 1)
DEFAULT_PG = "postgresql://postgres@127.0.0.1/test"
SUBJECTS = [[], [], ["ethics"], ["laws_rules"], ["medical_errors"], ["hands_on"], ["self_care"],
            ["ethics", "laws_rules"], ["cpr"], ["medical_massage"], ["human_trafficking"]]
FORMATS = ["in_person", "in_person", "live_online", "home_study"]


@dataclass(frozen=True)
class Size:
    member_entries: int
    team_members: int
    team_entries: int
    member_runs: int
    team_runs: int


FULL = Size(member_entries=5000, team_members=2000, team_entries=100, member_runs=50, team_runs=7)
SMALL = Size(member_entries=500, team_members=100, team_entries=20, member_runs=10, team_runs=3)


# ---------------------------------------------------------------- databases


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="cebot-bench-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    base = make_url(load_settings(database_url=server_url).database_url)
    name = f"cebot_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---------------------------------------------------------------- seeding


def _entry_rows(rng: random.Random, workspace_id: int, member_id: int, n: int, start: date, days: int,
                now: Any) -> list[dict[str, Any]]:
    return [
        {
            "workspace_id": workspace_id, "member_id": member_id, "title": f"Seminar {i}",
            "provider": "ABMP" if i % 3 else None, "approval_number": f"AP-{i}" if i % 5 == 0 else None,
            "completed_on": start + timedelta(days=rng.randrange(days)), "hours_q": rng.choice([2, 4, 6, 8, 12, 16]),
            "delivery_format": rng.choice(FORMATS), "subjects": rng.choice(SUBJECTS),
            "certificate_ref": "F123" if i % 2 else None, "created_at": now, "updated_at": now,
        }
        for i in range(n)
    ]


def seed(engine: Engine, size: Size) -> tuple[int, int]:
    """A workspace with one heavy member, and a team workspace; returns (member id, team workspace id)."""
    rng = random.Random(20260301)
    now = utcnow()
    with session_scope(engine) as s:
        solo = Workspace(team_id="TSOLO", name="Solo clinic")
        team = Workspace(team_id="TTEAM", name="Big clinic")
        s.add_all([solo, team])
        s.flush()
        heavy = Member(workspace_id=solo.id or 0, slack_user_id="UHEAVY", display_name="Heavy logger")
        s.add(heavy)
        s.flush()
        s.execute(sa.insert(Credential), [
            {"workspace_id": solo.id, "member_id": heavy.id, "requirement_key": "FL", "deadline": date(2027, 8, 31),
             "created_at": now, "first_cycle": False},
            {"workspace_id": solo.id, "member_id": heavy.id, "requirement_key": "NCBTMB",
             "deadline": date(2027, 6, 30), "created_at": now, "first_cycle": False},
            {"workspace_id": solo.id, "member_id": heavy.id, "requirement_key": "VA", "birth_month": 5,
             "birth_day": 17, "birth_year": 1985, "deadline": date(2027, 5, 17), "created_at": now,
             "first_cycle": False},
        ])
        # 5,000 entries over ten years: most fall outside the current windows, as in a long career.
        entries = sa.insert(CEEntry)
        conn = s.connection()
        conn.execute(entries, _entry_rows(rng, solo.id or 0, heavy.id or 0, size.member_entries,
                                                  date(2016, 3, 1), 3650, now))
        s.execute(sa.insert(Member), [
            {"workspace_id": team.id, "slack_user_id": f"U{i:05d}", "display_name": f"Therapist {i}",
             "timezone": "UTC", "role": "member", "is_slack_admin": False, "reminders_enabled": True,
             "created_at": now}
            for i in range(size.team_members)
        ])
        ids = list(s.execute(sa.select(col(Member.id)).where(col(Member.workspace_id) == team.id)
                             .order_by(col(Member.id))).scalars())
        creds: list[dict[str, Any]] = []
        for i, mid in enumerate(ids):
            creds.append({"workspace_id": team.id, "member_id": mid, "requirement_key": "FL",
                          "deadline": date(2027, 8, 31), "created_at": now, "first_cycle": False})
            if i % 3 == 0:
                creds.append({"workspace_id": team.id, "member_id": mid, "requirement_key": "NCBTMB",
                              "deadline": date(2026 + i % 4, 6, 30), "created_at": now, "first_cycle": False})
        s.execute(sa.insert(Credential), creds)
        batch: list[dict[str, Any]] = []
        for mid in ids:
            batch += _entry_rows(rng, team.id or 0, mid, size.team_entries, date(2022, 3, 1), 1460, now)
            if len(batch) >= 20000:
                conn.execute(entries, batch)
                batch = []
        if batch:
            conn.execute(entries, batch)
        assert heavy.id is not None
        assert team.id is not None
        member_id, team_id = heavy.id, team.id
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    return member_id, team_id


# ---------------------------------------------------------------- measuring


@dataclass
class Result:
    database: str
    scenario: str
    rows: str
    median_ms: float
    p95_ms: float
    cpu_ms: float
    queries: int
    target_ms: float
    max_queries: int

    @property
    def ok(self) -> bool:
        return self.median_ms < self.target_ms and self.queries <= self.max_queries


def bench(url: str, size: Size) -> list[Result]:
    upgrade(url)
    engine = make_engine(url)
    label = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    t0 = time.perf_counter()
    member_id, team_id = seed(engine, size)
    print(f"  {label}: seeded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    results = []
    med, p95, cpu, q = _measure_loaded(engine, size.member_runs, Member, member_id,
                                       lambda s, m: member_progress(session=s, member=m, today=TODAY))
    results.append(Result(label, "member progress", f"{size.member_entries} entries x 3 credentials",
                          med, p95, cpu, q, 20.0, 3))
    med, p95, cpu, q = _measure_loaded(engine, size.team_runs, Workspace, team_id,
                                       lambda s, w: team_progress(session=s, workspace=w, today=TODAY))
    results.append(Result(label, "team progress",
                          f"{size.team_members} members x {size.team_entries} entries", med, p95, cpu, q, 2000.0, 5))
    engine.dispose()
    return results


def _measure_loaded(engine: Engine, runs: int, model: type, pk: int,
                    call: Callable[[Any, Any], object]) -> tuple[float, float, float, int]:
    """Median and p95 wall ms, median CPU ms of this process, and the most queries of ``call(session, row)``
    over ``runs`` runs after a warm-up.

    The member or workspace row is loaded before the clock starts, as a Slack request already has it.
    """
    counted: list[str] = []
    active = [False]

    def on_execute(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if active[0]:
            counted.append(statement)

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    times: list[float] = []
    cpu: list[float] = []
    queries = 0
    try:
        for i in range(runs + 1):
            with session_scope(engine) as s:
                row = s.get(model, pk)
                counted.clear()
                active[0] = True
                c0, t0 = time.process_time(), time.perf_counter()
                call(s, row)
                elapsed, used = time.perf_counter() - t0, time.process_time() - c0
                active[0] = False
            if i:
                times.append(elapsed * 1000)
                cpu.append(used * 1000)
                queries = max(queries, len(counted))
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, statistics.median(cpu), queries


def print_table(results: list[Result]) -> None:
    header = ("database", "scenario", "size", "median ms", "p95 ms", "CPU ms", "queries", "target", "ok")
    rows = [header] + [
        (r.database, r.scenario, r.rows, f"{r.median_ms:.1f}", f"{r.p95_ms:.1f}", f"{r.cpu_ms:.1f}", str(r.queries),
         f"< {r.target_ms:g} ms, <= {r.max_queries} q", "yes" if r.ok else "NO")
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def _load() -> float:
    """The one-minute load average (NaN where the OS has none)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", action="append", default=None,
                        help="a database to bench (repeatable); default: a temp SQLite file and "
                             f"a fresh database on {DEFAULT_PG}")
    parser.add_argument("--small", action="store_true", help="CI-size data (quick)")
    args = parser.parse_args(argv)
    size = SMALL if args.small else FULL
    load_at_start = _load()
    results: list[Result] = []
    urls = args.database_url or ["sqlite", DEFAULT_PG]
    for url in urls:
        if url == "sqlite":
            with sqlite_database() as db:
                results += bench(db, size)
        elif url.startswith("sqlite"):
            results += bench(url, size)
        else:
            with postgres_database(url) as db:
                results += bench(db, size)
    print_table(results)
    print(f"\n{os.cpu_count()} CPUs, load average {load_at_start:.2f} at the start and {_load():.2f} at the end; "
          "CPU ms is this process only (the PostgreSQL server's work is in the wall time). With a load above the "
          "CPU count, wall time includes waiting for a CPU: compare CPU ms, or re-run on an idle machine.")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
