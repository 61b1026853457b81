"""The production shape under a Monday-morning load: gunicorn (2 workers) + the clock over PostgreSQL.

    python bench/load.py                      # 60 s at the default peak rate, PostgreSQL
    python bench/load.py --small              # ~10 s, CI size
    python bench/load.py --database-url sqlite --small

Starts, on 127.0.0.1 only, each in its own process group:

* a fresh PostgreSQL database (created on the server ``--database-url`` names, migrated with ``cebot migrate``'s
  code, dropped at the end), or a temp SQLite file with ``--database-url sqlite``;
* the fake Slack Web API (``bench/_procs.py``'s ``BenchFake``) in its own process: Slack's rate limits with
  ``429`` + ``Retry-After`` (``chat.postMessage`` ~1/s per channel, ``views.publish``/``users.info`` Tier 4),
  a fault switch the drills use, and a compact record of what was posted;
* the Procfile's ``web:``: ``gunicorn --config python:cebot.web.gunicorn_conf cebot.web.wsgi:application``
  (``--workers``, default 2);
* the Procfile's ``clock:``: ``cebot clock``'s ``run_clock`` ticking every few seconds instead of minutes.

It seeds tens of workspaces with thousands of members (each tracking Florida, a third NCBTMB too, with a few
courses logged), plus per workspace a group of members whose 30-day licence countdown starts today and who are in
their 09:00-11:00 weekday window right now (a timezone is picked where that is true at the run's start), and a
weekly summary due now in every workspace. Then it drives an open-loop mix (arrivals ramp up to ``--rate``
requests a second, hold, ramp down) from many client threads, each a signed Slack request as a random member:
``app_home_opened`` events, ``/ce progress``, ``/ce log <h> <unique title>``, and logging-modal submissions,
while the clock fans out the reminders and summaries.

It reports throughput, answer p50/p99 per request kind (a slash command's reply is its HTTP answer), over the
whole run and at the peak, errors, RSS per process, and then
checks: every write the user was told was saved is in the database exactly once, none the user was told was
not saved is there, and every reminder or summary due at the start was sent exactly once (delivery table
against the fake's record). JSON goes to ``bench/results/``. ``--check`` exits 1 when an invariant or the
``/ce progress`` p99 target (500 ms at the peak) fails.

The drills (``bench/drills.py``) reuse :func:`run` with a fault injected mid-run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _procs
from _procs import DEFAULT_PG, SORRY_MARKS, Proc, RemoteFake

from cebot.core.db import make_engine, upgrade
from cebot.domain import reminders as rem
from cebot.jobs import planning

ROOT = _procs.ROOT
RESULTS_DIR = ROOT / "bench" / "results"
SECRET = "load-signing-secret"
TOKEN = "xoxb-load-token"
TABLES: Any = SQLModel.metadata.tables
KINDS = ("home", "progress", "log", "modal")
BIG_SHARE = 0.25
IDLE_RECONNECT_S = 4.0
MIX = {"home": 0.30, "progress": 0.30, "log": 0.25, "modal": 0.15}
TARGET_PROGRESS_P99_MS = 500.0
SLACK_ACK_LIMIT_S = 3.0
SUMMARY_EVERY = 4
"""One workspace in four has a weekly summary due now (its chart takes the clock seconds to draw)."""


@dataclass(frozen=True)
class Size:
    workspaces: int
    members: int
    """Active members per workspace (the ones sending requests)."""
    due: int
    """Members per workspace with a reminder due at the start."""
    entries: int
    duration: float
    rate: float
    clients: int
    tick: float


FULL = Size(workspaces=30, members=100, due=20, entries=6, duration=60.0, rate=20.0, clients=32, tick=5.0)
SMALL = Size(workspaces=8, members=40, due=6, entries=4, duration=10.0, rate=10.0, clients=16, tick=2.0)


# ---------------------------------------------------------------- who is due now


def zone_in_window(now: datetime, minutes_left: float) -> str | None:
    """A timezone where ``now`` is a weekday between 09:00 and 11:00 with ``minutes_left`` of the window to go."""
    candidates = []
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "posix/", "right/")) or "/" not in name:
            continue
        local = now.astimezone(ZoneInfo(name))
        end = datetime.combine(local.date(), rem.WINDOW_END, tzinfo=local.tzinfo)
        if rem.in_reminder_window(local) and (end - local).total_seconds() / 60 >= minutes_left:
            candidates.append(((end - local).total_seconds(), name))
    return max(candidates)[1] if candidates else None


def zone_out_of_window(now: datetime, minutes: float) -> str:
    """A timezone where nobody is in the reminder window now or for the next ``minutes`` (the active members)."""
    for name in ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles", "UTC"):
        tz = ZoneInfo(name)
        if not any(rem.in_reminder_window((now + timedelta(minutes=m)).astimezone(tz))
                   for m in range(0, int(minutes) + 2)):
            return name
    return "UTC"


# ---------------------------------------------------------------- seeding


@dataclass
class Population:
    active: list[tuple[str, str]] = field(default_factory=list)
    """(team_id, user_id) of members who send requests (a few are not in the database yet: first use)."""
    due_users: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    fake_users: list[tuple[str, str, str]] = field(default_factory=list)
    due_zone: str | None = None
    active_zone: str = "UTC"


def seed(engine: Engine, size: Size, now: datetime, rng: random.Random) -> Population:
    """Bulk-insert the workspaces, members, credentials and courses (as bench/clock.py does)."""
    pop = Population()
    pop.due_zone = zone_in_window(now, size.duration / 60 + 3)
    pop.active_zone = zone_out_of_window(now, size.duration / 60 + 10)
    created = now - timedelta(days=20)
    ws_tz = "America/New_York"
    local = now.astimezone(ZoneInfo(ws_tz))
    summary_at = max(local - timedelta(minutes=5), local.replace(hour=0, minute=0))
    ws_rows, members, creds, entries = [], [], [], []
    mid = cid = eid = 0
    for w in range(size.workspaces):
        team = f"TL{w:03d}"
        channel = f"CL{w:03d}"
        pop.channels.append(channel)
        summary = {"summary": {"channel": channel, "day": rem.WEEKDAYS[local.weekday()],
                               "time": summary_at.strftime("%H:%M")}}
        ws_rows.append({"id": w + 1, "team_id": team, "name": f"Load Clinic {w}", "timezone": ws_tz,
                        "settings": summary if w % SUMMARY_EVERY == 0 else {}, "created_at": created})
        for i in range(size.members):
            user = f"U{w:03d}{i:05d}"
            pop.active.append((team, user))
            pop.fake_users.append((user, team, pop.active_zone))
            if i % 20 == 19:  # one in twenty uses cebot for the first time during the run (users.info)
                continue
            mid += 1
            members.append({"id": mid, "workspace_id": w + 1, "slack_user_id": user,
                            "display_name": f"therapist {user}", "timezone": pop.active_zone,
                            "role": "manager" if i == 0 else "member",
                            "is_slack_admin": False, "reminders_enabled": True, "snoozed_until": None,
                            "profile_refreshed_at": now, "created_at": created})
            keys = ["FL"] + (["NCBTMB"] if i % 3 == 0 else [])
            for key in keys:
                cid += 1
                deadline = date(2027, 8, 31) if key == "FL" else now.date() + timedelta(days=200 + rng.randint(0, 700))
                creds.append({"id": cid, "workspace_id": w + 1, "member_id": mid, "requirement_key": key,
                              "deadline": deadline, "first_cycle": False, "created_at": created})
            for _ in range(size.entries):
                eid += 1
                on = now.date() - timedelta(days=rng.randint(1, 600))
                entries.append({"id": eid, "workspace_id": w + 1, "member_id": mid, "title": f"Seed course {eid}",
                                "completed_on": on, "hours_q": rng.choice((4, 8, 12, 24)),
                                "delivery_format": rng.choice(("in_person", "live_online", "home_study")),
                                "subjects": rng.choice(([], ["ethics"], ["hands_on"], ["human_trafficking"])),
                                "created_at": datetime.combine(on, datetime.min.time(), tzinfo=UTC),
                                "updated_at": created})
        if pop.due_zone is None:
            continue
        due_today = now.astimezone(ZoneInfo(pop.due_zone)).date()
        for i in range(size.due):
            user = f"R{w:03d}{i:04d}"
            pop.due_users.append(user)
            pop.fake_users.append((user, team, pop.due_zone))
            mid += 1
            members.append({"id": mid, "workspace_id": w + 1, "slack_user_id": user, "display_name": f"due {user}",
                            "timezone": pop.due_zone, "role": "member", "is_slack_admin": False,
                            "reminders_enabled": True, "snoozed_until": None, "profile_refreshed_at": now,
                            "created_at": created})
            cid += 1  # Texas, short of every hour, the 30-day countdown stage starts today
            creds.append({"id": cid, "workspace_id": w + 1, "member_id": mid, "requirement_key": "TX",
                          "deadline": due_today + timedelta(days=30), "first_cycle": False, "created_at": created})
    with engine.begin() as conn:
        conn.execute(TABLES["workspace"].insert(), ws_rows)
        for table, rows in (("member", members), ("credential", creds), ("ce_entry", entries)):
            for start in range(0, len(rows), 10_000):
                if rows[start:start + 10_000]:
                    conn.execute(TABLES[table].insert(), rows[start:start + 10_000])
        if engine.dialect.name == "postgresql":
            for table in ("workspace", "member", "credential", "ce_entry"):  # fixed names, no user input
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                conn.execute(sa.text(sql))
            conn.execute(sa.text("ANALYZE"))
    return pop


def expected_messages(engine: Engine, now: datetime) -> set[tuple[int, str, str, str]]:
    """What a clock tick at ``now`` would send (the bench's independent list of what is due)."""
    with Session(engine) as session:
        return {p.key for p in planning.plan(session, now)}


# ---------------------------------------------------------------- requests


@dataclass
class Sample:
    kind: str
    at: float
    """Scheduled offset from the start (s)."""
    team: str
    user: str
    title: str | None = None
    response_url: str | None = None
    sent: float = 0.0
    ack_ms: float | None = None
    status: str = ""
    """HTTP status, or ``conn`` (no HTTP answer)."""
    outcome: str = ""
    """``saved`` / ``not_saved`` (told so) / ``''`` (not told) for writes; the modal's answer."""
    reply: list[Any] | None = None
    """A slash command's reply in its HTTP answer, as the fake records response_url posts."""


def ack_reply(body: bytes) -> list[Any] | None:
    """``[when, 1, "ok"|"sorry", text]`` for an HTTP answer carrying a message, like the fake's reply records."""
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return None
    text = str(payload.get("text") or "") if isinstance(payload, dict) else ""
    if not text:
        return None
    return [time.perf_counter(), 1, "sorry" if any(m in text for m in SORRY_MARKS) else "ok", text[:120]]


class Signer:
    def __init__(self, secret: str) -> None:
        self.verifier = SignatureVerifier(secret)

    def headers(self, body: str, content_type: str) -> dict[str, str]:
        ts = str(int(time.time()))
        return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": str(self.verifier.generate_signature(timestamp=ts, body=body))}


def command_body(s: Sample, text: str) -> str:
    return urlencode({"token": "x", "team_id": s.team, "team_domain": s.team.lower(), "channel_id": "CGENERAL",
                      "channel_name": "general", "user_id": s.user, "user_name": s.user.lower(), "command": "/ce",
                      "text": text, "api_app_id": "A0FAKE", "response_url": s.response_url or "",
                      "trigger_id": f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:8]}"})


def home_body(s: Sample) -> str:
    return json.dumps({"token": "x", "team_id": s.team, "api_app_id": "A0FAKE", "type": "event_callback",
                       "event_id": "Ev" + uuid.uuid4().hex[:16].upper(), "event_time": int(time.time()),
                       "event": {"type": "app_home_opened", "user": s.user, "channel": "D" + s.user[1:],
                                 "tab": "home", "event_ts": f"{time.time():.6f}"}})


def modal_body(s: Sample, day: date) -> str:
    values = {
        "title": {"value": {"type": "plain_text_input", "value": s.title}},
        "hours": {"value": {"type": "plain_text_input", "value": "2"}},
        "date": {"value": {"type": "datepicker", "selected_date": day.isoformat()}},
        "format": {"value": {"type": "static_select", "selected_option": {"value": "live_online"}}},
        "subjects": {"value": {"type": "multi_static_select", "selected_options": [{"value": "ethics"}]}},
        "provider": {"value": {"type": "plain_text_input", "value": "Load Provider"}},
        "approval": {"value": {"type": "plain_text_input", "value": None}},
        "notes": {"value": {"type": "plain_text_input", "value": None}},
    }
    payload = {"type": "view_submission", "team": {"id": s.team, "domain": s.team.lower()},
               "user": {"id": s.user, "team_id": s.team, "name": s.user.lower()}, "api_app_id": "A0FAKE",
               "token": "x", "trigger_id": f"{uuid.uuid4().int % 10**12}.x",
               "view": {"id": "V" + uuid.uuid4().hex[:10].upper(), "type": "modal", "team_id": s.team,
                        "callback_id": "ledger_log_modal", "private_metadata": "{}", "hash": "h1",
                        "state": {"values": values}},
               "response_urls": []}
    return urlencode({"payload": json.dumps(payload)})


def schedule(size: Size, duration: float, rate: float, pop: Population, rng: random.Random) -> list[Sample]:
    """Open-loop arrivals: ramp from 30% to ``rate`` over the first fifth, hold, ramp down over the last fifth."""
    def rate_at(t: float) -> float:
        f = t / duration
        if f < 0.2:
            return rate * (0.3 + 0.7 * f / 0.2)
        if f > 0.8:
            return rate * (0.3 + 0.7 * (1 - f) / 0.2)
        return rate

    samples: list[Sample] = []
    big = [a for a in pop.active if a[0] == pop.active[0][0]]
    t, n = 0.0, 0
    kinds, weights = list(MIX), list(MIX.values())
    while True:
        t += rng.expovariate(max(rate_at(t), 0.1))
        if t >= duration:
            return samples
        # one big workspace (a clinic chain) sends a quarter of the traffic: it meets Slack's per-workspace limits
        team, user = rng.choice(big if big and rng.random() < BIG_SHARE else pop.active)
        kind = rng.choices(kinds, weights)[0]
        n += 1
        title = f"Load L{n:07d}" if kind in ("log", "modal") else None
        samples.append(Sample(kind=kind, at=t, team=team, user=user, title=title))


def is_peak(s: Sample, duration: float) -> bool:
    return 0.2 * duration <= s.at <= 0.8 * duration


class Driver:
    """Client threads sending the schedule over keep-alive connections; each request signed like Slack's."""

    def __init__(self, port: int, fake: RemoteFake, samples: list[Sample], clients: int, today: date) -> None:
        self.port, self.fake, self.samples, self.clients = port, fake, samples, clients
        self.signer = Signer(SECRET)
        self.today = today
        self._next = 0
        self._lock = threading.Lock()
        self.start = 0.0
        self.late: list[float] = []

    def _take(self) -> Sample | None:
        with self._lock:
            if self._next >= len(self.samples):
                return None
            s = self.samples[self._next]
            self._next += 1
            return s

    def _request(self, conn: http.client.HTTPConnection, s: Sample) -> tuple[int, bytes]:
        if s.kind == "home":
            body, ctype = home_body(s), "application/json"
        elif s.kind == "modal":
            body, ctype = modal_body(s, self.today - timedelta(days=3)), "application/x-www-form-urlencoded"
        else:
            s.response_url = self.fake.new_response_url()
            text = "progress" if s.kind == "progress" else f"log 1.5h {s.title} #ethics"
            body, ctype = command_body(s, text), "application/x-www-form-urlencoded"
        conn.request("POST", "/slack/events", body=body.encode(), headers=self.signer.headers(body, ctype))
        response = conn.getresponse()
        return response.status, response.read()

    def _worker(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        last_used = time.perf_counter()
        try:
            while (s := self._take()) is not None:
                delay = self.start + s.at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                else:
                    with self._lock:
                        self.late.append(-delay)
                if time.perf_counter() - last_used > IDLE_RECONNECT_S:
                    # gunicorn closes a keep-alive connection idle for 5 s: a request sent just then would be
                    # lost to the race (a client artefact, not a fault), so open a fresh one as HTTP clients do
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                s.sent = last_used = time.perf_counter()
                try:
                    status, body = self._request(conn, s)
                except (OSError, http.client.HTTPException):
                    s.status = "conn"
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                    continue
                s.ack_ms = (time.perf_counter() - s.sent) * 1000
                s.status = str(status)
                if s.kind != "modal" and status == 200:
                    s.reply = ack_reply(body)
                if s.kind == "modal" and status == 200:
                    text = body.decode("utf-8", "replace")
                    if not text.strip():
                        s.outcome = "saved"
                    elif any(m in text for m in SORRY_MARKS):
                        s.outcome = "not_saved"
                    else:
                        s.outcome = "other:" + text[:100]
        finally:
            conn.close()

    def run(self) -> float:
        self.start = time.perf_counter()
        threads = [threading.Thread(target=self._worker, name=f"client-{i}", daemon=True)
                   for i in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - self.start


# ---------------------------------------------------------------- memory


class MemorySampler:
    """Peak RSS of each process (web master, each worker, clock, fake) sampled every second."""

    def __init__(self, procs: Callable[[], dict[str, int]]) -> None:
        self.procs = procs
        self.peak: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.sample()

    def sample(self) -> None:
        for name, pid in self.procs().items():
            mb = _procs.rss_mb(pid)
            if mb is not None:
                self.last[name] = mb
                self.peak[name] = max(self.peak.get(name, 0.0), mb)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()


# ---------------------------------------------------------------- the stack


class Stack:
    """The running production shape: database URL, fake, web (gunicorn), clock."""

    def __init__(self, url: str, workdir: Path, fake: RemoteFake, workers: int, tick: float,
                 lease: float | None, backoff: float | None) -> None:
        self.url, self.workdir, self.fake, self.workers = url, workdir, fake, workers
        self.tick, self.lease, self.backoff = tick, lease, backoff
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CEBOT_"))}
        self.env.update(DATABASE_URL=url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url,
                        RUN_CLOCK="false", LOG_LEVEL="warning", PYTHONUNBUFFERED="1")
        self.web: Proc | None = None
        self.clocks: list[Proc] = []

    def start_web(self, wait: bool = True) -> float:
        self.web = _procs.start_gunicorn(self.env, self.workdir, self.workers)
        return _procs.wait_healthy(self.web) if wait else 0.0

    def start_clock(self) -> Proc:
        env = {**self.env, "LOG_LEVEL": "info"}
        clock = _procs.start_clock(env, self.workdir, seconds=self.tick, lease=self.lease, backoff=self.backoff,
                                   name=f"clock{len(self.clocks)}")
        self.clocks.append(clock)
        return clock

    @property
    def clock(self) -> Proc | None:
        alive = [c for c in self.clocks if c.alive()]
        return alive[-1] if alive else None

    def worker_pids(self) -> list[int]:
        return _procs.children(self.web.proc.pid) if self.web else []

    def pids(self) -> dict[str, int]:
        out: dict[str, int] = {}
        if self.web and self.web.alive():
            out["web master"] = self.web.proc.pid
            for i, pid in enumerate(self.worker_pids()):
                out[f"web worker {i + 1}"] = pid
        if self.clock:
            out["clock"] = self.clock.proc.pid
        out["fake slack"] = self.fake.proc.pid
        return out

    def healthy(self) -> bool:
        return bool(self.web and self.web.port and _procs.health(self.web.port) == 200)

    def stop(self) -> None:
        for c in self.clocks:
            c.stop()
        if self.web:
            self.web.stop()


# ---------------------------------------------------------------- checking afterwards


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def summarise(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"n": len(values), "p50": round(statistics.median(values), 1), "p99": round(percentile(values, 99), 1),
            "max": round(max(values), 1)}


def wait_replies(fake: RemoteFake, samples: list[Sample], timeout: float, quiet: float = 4.0) -> dict[str, Any]:
    """The fake's state once every acked slash command has its reply, or no reply came for ``quiet`` seconds
    (a reply lost with a killed worker never comes), or ``timeout`` passed."""
    owed = {s.response_url for s in samples if s.response_url and s.status == "200" and s.reply is None}
    deadline = time.monotonic() + timeout
    seen, changed = -1, time.monotonic()
    while True:
        state = fake.state()
        if owed <= set(state["replies"]) or time.monotonic() > deadline:
            return state
        if len(state["replies"]) != seen:
            seen, changed = len(state["replies"]), time.monotonic()
        elif time.monotonic() - changed > quiet:
            return state
        time.sleep(0.5)


def delivery_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT workspace_id, recipient, kind, period, status, attempts, last_error FROM delivery"))]


def wait_deliveries(engine: Engine, expected: set[tuple[int, str, str, str]], timeout: float) -> None:
    """Until every expected message's row is ``sent`` (or ``timeout``); tolerates the database being away."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            sent = {r[:4] for r in delivery_rows(engine) if r[4] == "sent"}
        except sa.exc.OperationalError:
            sent = set()
        if expected <= sent:
            return
        time.sleep(0.5)


def check_writes(engine: Engine, samples: list[Sample], replies: dict[str, Any]) -> dict[str, Any]:
    """Every write the user was told was saved is there once; none told 'not saved' is there; none twice."""
    with engine.connect() as conn:
        counts: dict[str, int] = dict(conn.execute(sa.text(
            "SELECT title, count(*) FROM ce_entry WHERE title LIKE 'Load L%' GROUP BY title")).all())
    out: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for s in samples:
        if s.title is None:
            continue
        n = int(counts.get(s.title, 0))
        if s.kind == "log":
            reply = replies.get(s.response_url or "")
            told = "" if reply is None else ("saved" if "Logged" in reply[3] else
                                             "not_saved" if reply[2] == "sorry" else "other")
        else:
            told = s.outcome if s.outcome in ("saved", "not_saved") else ("other" if s.outcome else "")
        if s.status != "200" and not (s.kind == "log" and told):
            told = "failed_request"  # Slack shows the user an error for a request that got no 200 (and no reply)
        key = {("saved", 1): "saved_and_present", ("not_saved", 0): "not_saved_and_absent",
               ("failed_request", 0): "failed_and_absent", ("", 0): "no_answer_and_absent",
               ("", 1): "no_answer_but_present"}.get((told, min(n, 1)))
        if n > 1:
            key = "duplicated"
        elif key is None:
            key = {"saved": "lost", "not_saved": "told_not_saved_but_present",
                   "failed_request": "failed_but_present"}.get(told, f"{told or 'other'}_{n}")
        out[key] += 1
        examples.setdefault(key, f"{s.kind} {s.title} status={s.status} told={told!r} in_db={n}")
    bad = out["lost"] + out["duplicated"] + out["told_not_saved_but_present"]
    return {"outcomes": dict(out), "examples": examples, "lost": out["lost"], "duplicated": out["duplicated"],
            "contradicted": out["told_not_saved_but_present"], "ok": bad == 0,
            "writes": sum(1 for s in samples if s.title)}


IN_FLIGHT_S = 3.0
"""A duplicate whose first copy reached Slack this soon before a clock was killed was in flight at the kill."""


def check_messages(engine: Engine, expected: set[tuple[int, str, str, str]], posts: list[list[Any]],
                   pop: Population, kills: list[float] | None = None) -> dict[str, Any]:
    """Every message due at the start was sent exactly once: delivery rows against the fake's record.

    A clock killed between Slack accepting a message and the clock marking it sent resends it after the lease:
    the at-least-once window of docs/clock.md. Duplicates whose first copy arrived within :data:`IN_FLIGHT_S`
    before a kill (``kills``: perf_counter times) are counted apart as ``in_flight_at_kill``, at most one per kill;
    any other duplicate fails the check."""
    rows = delivery_rows(engine)
    status = {r[:4]: r[4] for r in rows}
    sent_per_recipient: Counter[str] = Counter(r[1] for r in rows if r[4] == "sent")
    scheduled = set(pop.due_users) | set(pop.channels)
    posted: Counter[str] = Counter(p[0] for p in posts if p[0] in scheduled)
    missing = sorted(k for k in expected if status.get(k) != "sent")
    pending = [k for k in missing if status.get(k) == "claimed"]
    duplicated = sorted(r for r in posted if posted[r] > sent_per_recipient[r])
    duplicates = sum(posted[r] - sent_per_recipient[r] for r in duplicated)
    first_post: dict[str, float] = {}
    for p in posts:
        first_post.setdefault(p[0], p[3])
    in_flight = 0
    kills_left = list(kills or [])
    for r in duplicated:
        # in flight: sent shortly before the kill, or still being answered by Slack when the sender died
        hit = next((k for k in kills_left if -1.0 <= k - first_post[r] <= IN_FLIGHT_S), None)
        if hit is not None and posted[r] - sent_per_recipient[r] == 1:
            kills_left.remove(hit)
            in_flight += 1
    unexplained = duplicates - in_flight
    unposted = sum(max(0, sent_per_recipient[r] - posted[r]) for r in sent_per_recipient if r in scheduled)
    return {"expected": len(expected), "sent": sum(1 for k in expected if status.get(k) == "sent"),
            "extra_sent": sum(1 for r in rows if r[4] == "sent" and r[:4] not in expected),
            "not_sent": len(missing), "pending_retry": len(pending),
            "failed": sum(1 for k in missing if status.get(k) == "failed"),
            "duplicates": duplicates, "marked_sent_not_received": unposted,
            "posts_received": sum(posted.values()),
            "duplicated_recipients": {r: {"posts_t": [round(p[3], 2) for p in posts if p[0] == r],
                                          "rows": [list(x[2:6]) for x in rows if x[1] == r]}
                                      for r in duplicated[:10]},
            "kills_t": [round(k, 2) for k in kills or []],
            "examples_not_sent": [[*list(k), status.get(k)] for k in missing[:5]],
            "in_flight_at_kill": in_flight, "unexplained_duplicates": unexplained,
            "ok": not missing and unexplained == 0 and unposted == 0}


# ---------------------------------------------------------------- the run


@dataclass
class Options:
    database_url: str = DEFAULT_PG
    small: bool = False
    duration: float | None = None
    rate: float | None = None
    workers: int = 2
    seed: int = 7
    tick: float | None = None
    lease: float | None = None
    backoff: float | None = None
    settle: float | None = None
    quiet: bool = False


Fault = Callable[["Stack", "Context"], dict[str, Any]]


@dataclass
class Context:
    """What a drill's fault gets besides the stack."""

    engine: Engine
    expected: set[tuple[int, str, str, str]]
    duration: float
    started: float
    notes: dict[str, Any] = field(default_factory=dict)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def say(opts: Options, text: str) -> None:
    if not opts.quiet:
        print(text, flush=True)


def run(opts: Options, *, faults: list[tuple[float, str, Fault]] | None = None, name: str = "load",
        setup: Callable[[Stack, Context], None] | None = None) -> dict[str, Any]:
    """One run: start everything, seed, drive the mix (running each ``(at, name, fault)`` at ``at`` x the duration,
    each on its own thread), wait for the dust to settle, check the invariants, stop everything. ``setup`` runs
    after the web server is up and before the load (it may start the clock itself). Returns the results."""
    faults = faults or []
    size = SMALL if opts.small else FULL
    duration = opts.duration or size.duration
    rate = opts.rate or size.rate
    tick = opts.tick or size.tick
    rng = random.Random(opts.seed)
    info: dict[str, Any] = {
        "name": name, "started": datetime.now(UTC).isoformat(timespec="seconds"), "git": _procs.git_state(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average_before": _procs.load_average(), "duration_s": duration, "peak_rate": rate,
        "workers": opts.workers, "clock_tick_s": tick, "size": asdict(size),
    }
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cebot-load-")))
        url = stack.enter_context(_procs.database(opts.database_url))
        info["database"] = make_url(url).get_backend_name()
        upgrade(url)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        pop = seed(engine, size, now, rng)
        info["seed_s"] = round(time.perf_counter() - t0, 1)
        info["population"] = {"workspaces": size.workspaces, "active_members": len(pop.active),
                              "members_due": len(pop.due_users), "due_zone": pop.due_zone,
                              "active_zone": pop.active_zone}
        expected = expected_messages(engine, datetime.now(UTC))
        info["population"]["messages_due"] = len(expected)
        if pop.due_zone is None:
            info["population"]["note"] = "no timezone is in a weekday 09:00-11:00 window now: summaries only"
        say(opts, f"{name}: {info['database']}, {size.workspaces} workspaces, {len(pop.active)} active members, "
                  f"{len(expected)} messages due (reminders in {pop.due_zone}); seeded in {info['seed_s']} s")
        fake = RemoteFake(pop.fake_users, workdir)
        stack.callback(fake.close)
        st = Stack(url, workdir, fake, opts.workers, tick, opts.lease, opts.backoff)
        stack.callback(st.stop)
        t0 = time.perf_counter()
        st.start_web(wait=False)  # gunicorn boots while the drill's setup runs
        samples = schedule(size, duration, rate, pop, rng)
        driver = Driver(st.web.port if st.web and st.web.port else 0, fake, samples, size.clients,
                        now.astimezone(ZoneInfo(pop.active_zone)).date())
        ctx = Context(engine=engine, expected=expected, duration=duration, started=time.perf_counter())
        if setup is not None:
            t0 = time.perf_counter()
            setup(st, ctx)
            info["setup_s"] = round(time.perf_counter() - t0, 1)
        if not st.clocks:  # a drill's setup may have started it already; it boots beside gunicorn, as on a host
            st.start_clock()
        assert st.web is not None
        _procs.wait_healthy(st.web)
        info["web_start_s"] = round(time.perf_counter() - t0, 2)
        ctx.started = time.perf_counter()
        fault_result: dict[str, Any] = {}

        def do_fault(at: float, fault_name: str, fault: Fault) -> None:
            time.sleep(max(0.0, at * duration - ctx.elapsed()))
            started = ctx.elapsed()
            try:
                fault_result[fault_name] = {"at_s": round(started, 1), **fault(st, ctx)}
            except Exception as exc:  # report, never leave the run hanging
                fault_result[fault_name] = {"at_s": round(started, 1), "error": f"{type(exc).__name__}: {exc}"}

        fault_threads = [threading.Thread(target=do_fault, args=f, name=f"fault-{f[1]}", daemon=True)
                         for f in faults]
        with MemorySampler(st.pids) as memory:
            say(opts, f"  driving {len(samples)} requests over {duration:.0f} s (peak {rate:.0f}/s), "
                      f"{size.clients} clients; clock ticks every {tick:g} s")
            for t in fault_threads:
                t.start()
            driver.start = time.perf_counter()
            seconds = driver.run()
            for t in fault_threads:
                t.join(timeout=600)
            settle = opts.settle or (30.0 if opts.small else 120.0)
            t0 = time.perf_counter()
            state = wait_replies(fake, samples, timeout=20.0)
            wait_deliveries(engine, expected, timeout=settle)
            info["settle_s"] = round(time.perf_counter() - t0, 1)
            recovered_at = time.perf_counter()
            healthy = False
            while time.perf_counter() - recovered_at < 60:
                if st.healthy():
                    healthy = True
                    break
                time.sleep(0.2)
            info["healthy_after_s"] = round(time.perf_counter() - recovered_at, 2) if healthy else None
            state = fake.state()
        info["fault"] = fault_result
        info["fake"] = {"calls": state["counts"], "ratelimited_429": state["ratelimited"],
                        "faulted": state["faulted"], "rss_mb": state["rss_mb"]}
        info["rss_mb"] = {"peak": memory.peak, "end": memory.last}
        info["processes_alive"] = {"web": bool(st.web and st.web.alive()), "clock": st.clock is not None}
        replies = {**state["replies"], **{s.response_url: s.reply for s in samples if s.reply and s.response_url}}
        info["requests"] = results_by_kind(samples, replies, duration, seconds)
        info["late_starts"] = {"n": len(driver.late), "p99_ms": round(percentile(driver.late, 99) * 1000, 1)
                               if driver.late else 0.0}
        info["writes"] = check_writes(engine, samples, replies)
        found = [*fault_result.values(), *(v for f in fault_result.values() for v in f.values() if isinstance(v, dict))]
        kills = [f["killed_t"] for f in found if "killed_t" in f]
        info["messages"] = check_messages(engine, expected, state["posts"], pop, kills)
        info["logs"] = log_findings(st)
        info["load_average_after"] = _procs.load_average()
        info["verdict"] = verdict(info, deliberate_fault=bool(faults))
    return info


def results_by_kind(samples: list[Sample], replies: dict[str, Any], duration: float,
                    seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in KINDS:
        mine = [s for s in samples if s.kind == kind]
        acks = [s.ack_ms for s in mine if s.ack_ms is not None and s.status == "200"]
        peak = [s.ack_ms for s in mine if s.ack_ms is not None and s.status == "200" and is_peak(s, duration)]
        e2e, sorry, missing = [], 0, 0
        for s in mine:
            if not s.response_url or s.status != "200":
                continue
            reply = replies.get(s.response_url)
            if reply is None:
                missing += 1
                continue
            e2e.append((reply[0] - s.sent) * 1000)
            sorry += reply[2] == "sorry"
        statuses = Counter(s.status or "unsent" for s in mine)
        errors = sum(n for k, n in statuses.items() if k != "200")
        errors += sum(1 for s in mine if s.ack_ms is not None and s.ack_ms > SLACK_ACK_LIMIT_S * 1000)
        errors += sorry + missing + sum(1 for s in mine if s.kind == "modal" and s.outcome not in ("saved", ""))
        out[kind] = {"requests": len(mine), "per_s": round(len(mine) / seconds, 1) if seconds else 0.0,
                     "statuses": dict(statuses), "ack_ms": summarise(acks), "ack_ms_peak": summarise(peak),
                     "reply_ms": summarise(e2e) if e2e else None, "sorry_replies": sorry, "missing_replies": missing,
                     "over_3s": sum(1 for a in acks if a > SLACK_ACK_LIMIT_S * 1000), "errors": errors}
    out["all"] = {"requests": len(samples), "per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
                  "errors": sum(v["errors"] for v in out.values() if isinstance(v, dict) and "errors" in v)}
    return out


def log_findings(st: Stack) -> dict[str, Any]:
    """Tracebacks and errors in the processes' logs (a 'stack trace to the user' would show up here first)."""
    texts = {"web": st.web.log_text() if st.web else ""}
    for c in st.clocks:
        texts[c.name] = c.log_text()
    out: dict[str, Any] = {}
    for name, text in texts.items():
        lines = text.splitlines()
        out[name] = {"tracebacks": sum(1 for ln in lines if ln.startswith("Traceback")),
                     "error_lines": sum(1 for ln in lines if " ERROR " in ln or "level=ERROR" in ln
                                        or '"level": "ERROR"' in ln),
                     "worker_restarts": sum(1 for ln in lines if "Booting worker" in ln),
                     "sent": sum(1 for ln in lines if "sent " in ln and " to " in ln and "clock" in name)}
        out[name]["tail"] = lines[-12:]
        first = next((i for i, ln in enumerate(lines) if ln.startswith("Traceback")), None)
        if first is not None:
            out[name]["first_traceback"] = "\n".join(lines[max(0, first - 2):first + 40])
    return out


def verdict(info: dict[str, Any], *, deliberate_fault: bool) -> dict[str, Any]:
    progress = info["requests"]["progress"]["ack_ms_peak"] or {}
    p99 = progress.get("p99", float("nan"))
    return {"progress_p99_peak_ms": p99, "meets_p99": bool(p99 < TARGET_PROGRESS_P99_MS),
            "errors": info["requests"]["all"]["errors"], "zero_errors": info["requests"]["all"]["errors"] == 0,
            "writes_ok": info["writes"]["ok"], "messages_ok": info["messages"]["ok"],
            "healthy_again": info["healthy_after_s"] is not None,
            "deliberate_fault": deliberate_fault}


def report(info: dict[str, Any]) -> str:
    def ms(d: dict[str, float] | None, key: str) -> str:
        return f"{d[key]:8.0f}" if d else f"{'-':>8}"

    lines = [f"{info['name']}: {info['database']}, {info['workers']} web workers, {info['duration_s']:.0f} s, peak "
             f"{info['peak_rate']:.0f} req/s; load average before {info['load_average_before'][0]}, after "
             f"{info['load_average_after'][0]}; {info['git']}",
             f"{'kind':<10}{'reqs':>6}{'/s':>6}{'ack p50':>9}{'p99':>8}{'peak p99':>9}{'max':>8}{'reply p50':>10}"
             f"{'p99':>8}{'errors':>7}"]
    for kind in KINDS:
        r = info["requests"][kind]
        lines.append(f"{kind:<10}{r['requests']:>6}{r['per_s']:>6}{ms(r['ack_ms'], 'p50'):>9}{ms(r['ack_ms'], 'p99')}"
                     f"{ms(r['ack_ms_peak'], 'p99'):>9}{ms(r['ack_ms'], 'max')}{ms(r['reply_ms'], 'p50'):>10}"
                     f"{ms(r['reply_ms'], 'p99')}{r['errors']:>7}")
    a = info["requests"]["all"]
    lines.append(f"{'all':<10}{a['requests']:>6}{a['per_s']:>6}{'':>58}{a['errors']:>7}")
    w, m = info["writes"], info["messages"]
    lines.append(f"writes: {w['writes']}; " + ", ".join(f"{k} {v}" for k, v in sorted(w["outcomes"].items()))
                 + f" -> {'OK' if w['ok'] else 'FAILED'}")
    lines.append(f"messages due: {m['expected']}; sent {m['sent']}, not sent {m['not_sent']} (pending retry "
                 f"{m['pending_retry']}, failed {m['failed']}), duplicates {m['duplicates']} (of which in flight at a "
                 f"clock kill {m['in_flight_at_kill']}), marked sent but not "
                 f"received {m['marked_sent_not_received']} -> {'OK' if m['ok'] else 'FAILED'}")
    lines.append("fake Slack: " + ", ".join(f"{k} {v}" for k, v in sorted(info["fake"]["calls"].items()))
                 + "; 429s: " + (", ".join(f"{k} {v}" for k, v in info["fake"]["ratelimited_429"].items()) or "none")
                 + "; faulted: " + (", ".join(f"{k} {v}" for k, v in info["fake"]["faulted"].items()) or "none"))
    lines.append("RSS MiB peak: " + ", ".join(f"{k} {v:.0f}" for k, v in info["rss_mb"]["peak"].items())
                 )
    lines.append("logs: " + "; ".join(f"{k}: {v['tracebacks']} tracebacks, {v['error_lines']} errors, "
                                      f"{v['worker_restarts']} worker boots" for k, v in info["logs"].items()))
    if info["fault"]:
        lines.append("fault: " + json.dumps(info["fault"], default=str))
    v = info["verdict"]
    lines.append(f"verdict: /ce progress peak p99 {v['progress_p99_peak_ms']:.0f} ms "
                 f"({'ok' if v['meets_p99'] else 'MISSED'} < {TARGET_PROGRESS_P99_MS:.0f}); errors {v['errors']}"
                 f"{' (deliberate fault)' if v['deliberate_fault'] else ''}; "
                 f"writes {'ok' if v['writes_ok'] else 'FAILED'};"
                 f" messages {'ok' if v['messages_ok'] else 'FAILED'}; healthy again "
                 + (f"after {info['healthy_after_s']} s" if v["healthy_again"] else "NO"))
    return "\n".join(lines)


def save(info: dict[str, Any], out: Path | None) -> Path:
    if out is None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS_DIR / f"{info['name']}-{info['database']}-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(info, indent=2, default=str) + "\n")
    return out


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--small", action="store_true", help="CI size: ~10 s, 8 workspaces")
    parser.add_argument("--database-url", default=DEFAULT_PG,
                        help=f"a PostgreSQL server to create a fresh database on (default {DEFAULT_PG}), or 'sqlite'")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load (default 60; 10 with --small)")
    parser.add_argument("--rate", type=float, default=None, help="peak requests a second (default 20; 10 small)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="exit 1 when an invariant or target fails")


def options(args: argparse.Namespace) -> Options:
    return Options(database_url=args.database_url, small=args.small, duration=args.duration, rate=args.rate,
                   workers=args.workers, seed=args.seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add_common(parser)
    args = parser.parse_args(argv)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        info = run(options(args))
    except KeyboardInterrupt:
        print("interrupted; every process stopped", file=sys.stderr)
        return 130
    print(report(info))
    print(f"results: {save(info, args.json_out)}")
    v = info["verdict"]
    failed = not (v["writes_ok"] and v["messages_ok"] and v["healthy_again"] and v["zero_errors"] and v["meets_p99"])
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
