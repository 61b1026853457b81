"""Benchmark: the biggest messages and views cebot builds at issue 16's sizes, and how long they take.

    python bench/scale.py                    # SQLite and a fresh PostgreSQL database
    python bench/scale.py --small            # CI size (100 entries, 100 members)
    python bench/scale.py --database-url sqlite

Sizes: one member with 500 entries and 6 credentials; a workspace of 1,000 more members (a third overdue or
at risk, a quarter with a second credential, 3 entries each). Titles are 200 characters full of ``&``/``<``
(about 400 once escaped), the worst case for Slack's limits.

Each scenario is what one request builds (the service calls and the Block Kit rendering, in one transaction,
as the listener does it), timed as the median of several runs after a warm-up. For each payload it reports
the blocks (Slack's limit: 50 a message, 100 a view), the JSON characters, the longest text in it, and
whether it passes Slack's documented limits and slack_sdk's models (cebot/shell/slack_limits.py); it
exits non-zero if any does not.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from progress import DEFAULT_PG, postgres_database, sqlite_database
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.core.db import make_engine, upgrade
from cebot.models import Member, Workspace
from cebot.services import ledger
from cebot.services.progress import member_progress, team_progress
from cebot.services.summary import weekly_summary
from cebot.shell.slack_limits import (
    MESSAGE_BLOCKS_MAX,
    VIEW_BLOCKS_MAX,
    validate_message,
    validate_view,
)
from cebot.slack.home import build_home_view
from cebot.slack.render import ledger as render
from cebot.slack.render.progress import progress_blocks, progress_text
from cebot.slack.render.summary import render_summary
from cebot.slack.render.team import team_blocks, team_pages, team_text
from cebot.testing.scale import seed_scale

TODAY = date(2026, 3, 20)


@dataclass(frozen=True)
class Size:
    heavy_entries: int
    members: int
    runs: int


FULL = Size(heavy_entries=500, members=1000, runs=7)
SMALL = Size(heavy_entries=100, members=100, runs=3)


@dataclass
class Result:
    database: str
    scenario: str
    surface: str
    blocks: int
    characters: int
    longest_text: int
    median_ms: float
    cpu_ms: float
    problems: list[str]

    @property
    def limit(self) -> int:
        return VIEW_BLOCKS_MAX if self.surface == "view" else MESSAGE_BLOCKS_MAX

    @property
    def ok(self) -> bool:
        return not self.problems


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for k, v in node.items() if k != "text" or not isinstance(v, str) for t in _texts(v)]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


Scenario = Callable[[Session], dict[str, Any]]


def scenarios(heavy_id: int, workspace_id: int, entries: int) -> dict[str, tuple[str, Scenario]]:
    """name -> (surface, build): each builds in one session what its request sends to Slack."""
    def member(s: Session) -> Member:
        m = s.get(Member, heavy_id)
        assert m is not None
        return m

    def listing(size: int, page: int) -> Scenario:
        def build(s: Session) -> dict[str, Any]:
            m = member(s)
            rows = ledger.list_entries(session=s, member=m, limit=size, offset=(page - 1) * size)
            return render.list_message(rows, ledger.count_entries(session=s, member=m), page=page, size=size)
        return build

    def progress(s: Session) -> dict[str, Any]:
        p = member_progress(session=s, member=member(s), today=TODAY)
        return {"text": progress_text(p), "blocks": progress_blocks(p, today=TODAY)}

    def team(page: int | None) -> Scenario:
        def build(s: Session) -> dict[str, Any]:
            ws = s.get(Workspace, workspace_id)
            assert ws is not None
            t = team_progress(session=s, workspace=ws, today=TODAY)
            return {"text": team_text(t), "blocks": team_blocks(t, today=TODAY, page=page or team_pages(t))}
        return build

    def summary(s: Session) -> dict[str, Any]:
        return render_summary(weekly_summary(session=s, workspace_id=workspace_id, today=TODAY,
                                             week_start=TODAY - timedelta(days=7), week_end=TODAY - timedelta(days=1)))

    def edit_form(s: Session) -> dict[str, Any]:
        entry = ledger.list_entries(session=s, member=member(s), limit=1)[0]
        return render.log_modal(today=TODAY, entry=entry, channel_id="C1")

    def delete_prompt(s: Session) -> dict[str, Any]:
        return render.delete_prompt(ledger.list_entries(session=s, member=member(s), limit=1)[0])

    last = max((entries + 49) // 50, 1)
    return {
        "/ce list": ("message", listing(10, 1)),
        "/ce list 50": ("message", listing(50, 1)),
        f"/ce list 50 page:{last}": ("message", listing(50, last)),
        "/ce delete (confirm)": ("message", delete_prompt),
        "/ce progress": ("message", progress),
        "/ce team": ("message", team(1)),
        "/ce team (last page)": ("message", team(None)),
        "weekly summary": ("message", summary),
        "Home tab": ("view", lambda s: build_home_view(session=s, member=member(s), today=TODAY)),
        "edit form (modal)": ("view", edit_form),
    }


def bench(url: str, size: Size) -> list[Result]:
    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    upgrade(url)
    engine: Engine = make_engine(url)
    try:
        started = time.perf_counter()
        seeded = seed_scale(engine, team_id="TSCALE", heavy_user="UHEAVY", members=size.members,
                            heavy_entries=size.heavy_entries, today=TODAY)
        print(f"{database}: seeded {seeded.members} members and {seeded.entries} entries in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        results = []
        for name, (surface, build) in scenarios(seeded.heavy_member_id, seeded.workspace_id,
                                                size.heavy_entries).items():
            times, cpu = [], []
            payload: dict[str, Any] = {}
            for _ in range(size.runs + 1):  # the first run warms up (catalog, statement cache)
                with Session(engine) as s:
                    t0, c0 = time.perf_counter(), time.process_time()
                    payload = build(s)
                    times.append((time.perf_counter() - t0) * 1000)
                    cpu.append((time.process_time() - c0) * 1000)
            found = validate_view(payload) if surface == "view" else validate_message(payload)
            results.append(Result(database=database, scenario=name, surface=surface,
                                  blocks=len(payload.get("blocks") or []),
                                  characters=len(json.dumps(payload, ensure_ascii=False)),
                                  longest_text=max((len(t) for t in _texts(payload)), default=0),
                                  median_ms=statistics.median(times[1:]), cpu_ms=statistics.median(cpu[1:]),
                                  problems=[str(v) for v in found]))
        return results
    finally:
        engine.dispose()


def print_table(results: list[Result]) -> None:
    header = ("database", "scenario", "surface", "blocks", "JSON chars", "longest text", "build ms", "CPU ms",
              "Slack accepts")
    rows = [header] + [(r.database, r.scenario, r.surface, f"{r.blocks} / {r.limit}", f"{r.characters:,}",
                        f"{r.longest_text:,}", f"{r.median_ms:.1f}", f"{r.cpu_ms:.1f}", "yes" if r.ok else "NO")
                       for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for surface in ("message", "view"):
        mine = [r for r in results if r.surface == surface]
        if mine:
            big = max(mine, key=lambda r: (r.characters, r.blocks))
            print(f"largest {surface}: {big.scenario} ({big.database}), {big.blocks} blocks, "
                  f"{big.characters:,} characters, built in {big.median_ms:.1f} ms")
    for r in results:
        for problem in r.problems:
            print(f"REFUSED {r.database} {r.scenario}: {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", action="append", default=None,
                        help=f"a database to bench (repeatable); default: a temp SQLite file and a fresh database "
                             f"on {DEFAULT_PG}")
    parser.add_argument("--small", action="store_true", help="CI-size data (quick)")
    args = parser.parse_args(argv)
    size = SMALL if args.small else FULL
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    results: list[Result] = []
    for url in args.database_url or ["sqlite", DEFAULT_PG]:
        if url == "sqlite":
            with sqlite_database() as db:
                results += bench(db, size)
        elif url.startswith("sqlite"):
            results += bench(url, size)
        else:
            with postgres_database(url) as db:
                results += bench(db, size)
    print_table(results)
    print(f"\n{os.cpu_count()} CPUs, load average {load:.2f} at the start; build ms is wall time (median of "
          f"{size.runs} runs after a warm-up), services and rendering together; CPU ms is this process only (not the "
          "PostgreSQL server's work).")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
