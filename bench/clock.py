"""One full clock tick for 50,000 members in 500 workspaces: time, peak memory, queries per batch.

    python bench/clock.py                  # SQLite and PostgreSQL (if answering), full size
    python bench/clock.py --small          # 2,000 members in 20 workspaces (CI)
    python bench/clock.py --sqlite-only    # or --pg-only

Seeds 500 workspaces x 100 members, everyone in America/New_York (so every member is in the 09:00-11:00 window
at once), 1-2 credentials each (Texas and NCBTMB with deadlines spread over -20..730 days, Florida's Aug 31,
2027) and 8 courses each; every fifth workspace has a Tuesday 09:00 summary (100 due at once). Then, in a fresh
process (so its peak RSS is the clock's, not the seeding's), it runs :func:`cebot.jobs.clock.tick` as the clock
does, with a sender that only records (no network), at:

* ``full tick``: Tue 2026-03-10 09:05 EDT, nothing ever delivered: plan, claim, render, send, mark everything
  (each summary's mark enqueues its chart job: the PNGs are drawn by the worker, not in the tick);
* ``next tick``: five minutes later, everything delivered (what every later tick of the window costs);
* ``night``: 04:00 local, nobody in a window.

It reports wall and CPU seconds (the PostgreSQL server's own work is not in the CPU), the peak RSS of the tick
process (``resource.getrusage``), and the SQL statements (a ``before_cursor_execute`` listener): in all, and per
batch of members. Exits 1 when a full tick takes 10 s or more, or the peak RSS is 500 MB or more.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cebot.core.db import make_engine, upgrade
from cebot.core.settings import load_settings

TICK = datetime(2026, 3, 10, 13, 5, tzinfo=UTC)  # Tuesday 09:05 in New York (EDT)
NIGHT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # 04:00 in New York
TABLES: Any = SQLModel.metadata.tables
TARGET_SECONDS = 10.0
TARGET_RSS_MB = 500.0


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
            for key in rng.sample(["TX", "NCBTMB", "FL"], k=rng.choice((1, 2))):
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


# --------------------------------------------------------------------------- the tick process


class RecordingSender:
    """Sends nothing: counts what the clock hands it (already rendered)."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, team_id: str, channel: str, payload: dict[str, Any]) -> str | None:
        self.sent += 1
        return f"{self.sent}.000100"


def chart_jobs(engine: Engine) -> int:
    """The summary chart jobs the tick enqueued (drawn and uploaded by the worker after the tick)."""
    from cebot.jobs.summary_chart import SUMMARY_CHART

    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(TABLES["job"])
                                .where(TABLES["job"].c.kind == SUMMARY_CHART)).scalar_one())


def measure(url: str) -> dict[str, Any]:
    """Run the ticks in this (fresh) process; the numbers as a dict."""
    import cebot.jobs.clock as clock
    from cebot.services import reminders

    engine = make_engine(url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda _c, _cur, stmt, *a: statements.append(stmt))
    phases: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - t0
        return run

    clock.plan = timed("plan", clock.plan)
    clock.delivery = SimpleNamespace(  # type: ignore[assignment]
        **{**vars(clock.delivery), "claim": timed("claim", clock.delivery.claim)})
    clock._deliver = timed("deliver", clock._deliver)
    batch_queries: list[int] = []
    plan_batch = reminders._plan_batch

    def counted_batch(*args: Any) -> Any:  # statements per batch of members, counted around each batch
        before = len(statements)
        try:
            return plan_batch(*args)
        finally:
            batch_queries.append(len(statements) - before)

    reminders._plan_batch = counted_batch  # type: ignore[assignment]
    out: dict[str, Any] = {"member_batch": reminders.MEMBER_BATCH}
    for name, at in (("full", TICK), ("next", TICK + timedelta(minutes=5)), ("night", NIGHT)):
        sender = RecordingSender()
        statements.clear()
        batch_queries.clear()
        phases.clear()
        t0, cpu = time.perf_counter(), time.process_time()
        report = clock.tick(engine, sender, now=at, clock=lambda at=at: at)  # type: ignore[misc]
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
        n = len(statements)
        out[name] = {"wall": wall, "cpu": cpu, "queries": n,
                     "batch_queries": sorted(set(batch_queries)),
                     "batches": report.stats.batches, "members": report.stats.members_in_window,
                     "progressed": report.stats.members_progressed, "summaries": report.stats.summaries_due,
                     "planned": report.planned, "sent": report.sent, "chart_jobs": chart_jobs(engine),
                     "phases": dict(phases),
                     "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    engine.dispose()
    return out


# --------------------------------------------------------------------------- report


def run(label: str, url: str, workspaces: int, per_workspace: int, entries: int) -> tuple[list[str], bool]:
    upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    seed(engine, workspaces, per_workspace, entries)
    engine.dispose()
    seeded = time.perf_counter() - t0
    child = subprocess.run([sys.executable, __file__, "--measure", url], capture_output=True, text=True,
                           check=False)
    if child.returncode != 0:
        return [f"{label}: the tick process failed:\n{child.stderr[-3000:]}"], False
    m = json.loads(child.stdout.strip().splitlines()[-1])
    load = os.getloadavg()[0]
    lines = [f"{label}: {workspaces * per_workspace:,} members in {workspaces} workspaces, {entries} courses each "
             f"(seeded in {seeded:.0f} s; load average {load:.1f}); members batched by {m['member_batch']}"]
    for name, title in (("full", "full tick, nothing delivered yet"), ("next", "next tick, all delivered"),
                        ("night", "night tick")):
        t = m[name]
        per_batch = "-".join(map(str, t["batch_queries"])) or "none"
        lines.append(
            f"  {title}: {t['wall']:.2f} s wall, {t['cpu']:.2f} s CPU, peak RSS {t['rss_mb']:.0f} MB; "
            f"{t['queries']} statements ({per_batch} in each of {t['batches']} batches); "
            f"{t['members']:,} candidates, {t['progressed']:,} with progress; {t['planned']:,} due "
            f"({t['summaries']} summaries), {t['sent']:,} sent")
        if t["sent"]:
            ph = t["phases"]
            lines.append(f"    of which: plan {ph.get('plan', 0):.2f} s, claim {ph.get('claim', 0):.2f} s, "
                         f"render + send + mark {ph.get('deliver', 0):.2f} s; "
                         f"{t['chart_jobs']} summary chart jobs queued (drawn by the worker after the tick)")
    ok = m["full"]["wall"] < TARGET_SECONDS and m["full"]["rss_mb"] < TARGET_RSS_MB
    lines.append(f"  target (full tick < {TARGET_SECONDS:.0f} s, peak RSS < {TARGET_RSS_MB:.0f} MB): "
                 + ("met" if ok else "MISSED"))
    return lines, ok


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--small", action="store_true", help="2,000 members in 20 workspaces (CI)")
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true")
    only.add_argument("--pg-only", action="store_true")
    ap.add_argument("--pg-url", default=os.environ.get("CEBOT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1/test"))
    ap.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # the tick process
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    workspaces, per_ws, entries = (20, 100, 8) if args.small else (500, 100, 8)
    out: list[str] = []
    ok = True
    if not args.pg_only:
        with tempfile.TemporaryDirectory() as tmp:
            lines, good = run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", workspaces, per_ws, entries)
            out, ok = out + lines, ok and good
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
                lines, good = run("PostgreSQL", base.set(database=name).render_as_string(hide_password=False),
                                  workspaces, per_ws, entries)
                out, ok = out + lines, ok and good
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    print("\n".join(out))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
