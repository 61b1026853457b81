"""How fast cebot answers ``/ce`` (the reply is the HTTP answer) at 50 commands/s and at saturation, beside a bare
Bolt app served the same way.

    python bench/answer_latency.py                   # SQLite temp file: 30 s at 50/s, then 2,000 at concurrency 16
    python bench/answer_latency.py --small           # CI size: a few seconds each
    python bench/answer_latency.py --database-url postgresql://postgres@127.0.0.1/test

Starts, as separate processes on 127.0.0.1: cebot with the production server (``gunicorn --config
python:cebot.web.gunicorn_conf cebot.web.wsgi:application``, 2 workers x 8 threads) over a fresh, migrated database
of a few hundred members who each track Florida and have a few entries; ``bench/bare_app.py`` (a Bolt app whose
one listener only calls ``ack()``) served the same way; and the bench's fake Slack Web API (``bench/_procs.py``)
for the Home refreshes cebot publishes after a log.

Two runs per app, each a mix of ``/ce log <h> <unique title> #ethics``, ``/ce progress`` and ``/ce list`` in equal
parts, as different members:

* **fixed rate**: an open-loop schedule of ``--rate`` commands a second (default 50) for ``--seconds``; each
  command is sent at its scheduled time (32 client threads, so a slow answer does not delay the next command), and
  the answer time runs from that moment to the last byte of the HTTP answer, which for cebot carries the reply;
* **saturation**: 16 clients each sending its next command as soon as its answer came, ``--requests`` in all.

Targets (issue 11): at 50/s, p99 under 250 ms on PostgreSQL and 400 ms on SQLite; at saturation no answer over
3 s (Slack's limit) and no error. Every cebot answer must be the reply ("Logged", the progress, the list), never
"Something went wrong". Prints a table, writes JSON to bench/results/, exits 1 with ``--check`` on a miss.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _procs import (  # noqa: E402  (the load and drill benches' helpers)
    SORRY_MARKS,
    Proc,
    RemoteFake,
    database,
    free_port,
    git_state,
    load_average,
    spawn,
    wait_healthy,
)

from cebot.core.db import make_engine, session_scope, upgrade  # noqa: E402
from cebot.domain.parsing import parse_log, parse_track  # noqa: E402
from cebot.services import credentials, ledger, workspaces  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
TEAM = "T1"
CONCURRENCY = 16
RATE_CLIENTS = 32
TARGET_P99_MS = {"postgresql": 250.0, "sqlite": 400.0}
SLACK_LIMIT_MS = 3000.0
RESULTS_DIR = ROOT / "bench" / "results"
MIX: tuple[tuple[str, Callable[[int], str]], ...] = (
    ("log", lambda i: f"log 1.5h Bench course {i} #ethics"),
    ("progress", lambda i: "progress"),
    ("list", lambda i: "list"),
)
EXPECTED = {"log": "Logged", "progress": "Florida", "list": "#"}


@dataclass(frozen=True)
class Size:
    members: int
    entries_per_member: int
    seconds: float
    requests: int


FULL = Size(members=300, entries_per_member=5, seconds=30.0, requests=2000)
SMALL = Size(members=40, entries_per_member=3, seconds=3.0, requests=90)


def user_id(i: int) -> str:
    return f"UB{i:05d}"


def seed(url: str, size: Size) -> float:
    """Members who each track Florida and have a few entries (service calls, as `/ce track` and `/ce log` do)."""
    start = time.perf_counter()
    engine = make_engine(url)
    today = datetime.now(UTC).date()
    try:
        with session_scope(engine) as session:
            workspace = workspaces.ensure_workspace(session=session, team_id=TEAM, name="Bench Clinic")
            for i in range(size.members):
                member = workspaces.ensure_member(session=session, workspace=workspace, slack_user_id=user_id(i),
                                                  display_name=f"therapist{i}", timezone="America/New_York",
                                                  is_slack_admin=False)
                credentials.track(session=session, member=member,
                                  request=parse_track("FL deadline:2027-08-31", today=today), today=today)
                for k in range(size.entries_per_member):
                    on = today - timedelta(days=20 * k + 1)
                    text = f"{(k % 3) + 1}h Seeded course {k} date:{on.isoformat()} #{('ethics', 'hands_on')[k % 2]}"
                    ledger.log_entry(session=session, member=member, request=parse_log(text, today=today))
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - start


# ---------------------------------------------------------------- clients


class Client:
    """One keep-alive connection sending signed ``/ce`` commands (reconnecting if the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.verifier = SignatureVerifier(SECRET)
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def command(self, text: str, user: str, trigger: str) -> tuple[int, bytes]:
        body = urlencode({
            "token": "legacy", "team_id": TEAM, "team_domain": "clinic", "channel_id": "C1",
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/ce",
            "text": text, "api_app_id": "A0BENCH", "is_enterprise_install": "false",
            "response_url": "http://127.0.0.1:9/unused", "trigger_id": trigger,
        }).encode()
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body.decode()) or ""}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            try:
                self.conn.request("POST", "/slack/events", body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()  # an idle keep-alive connection the server closed: reconnect once
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


@dataclass
class Sample:
    kind: str
    ms: float
    status: str
    reply: str


@dataclass
class RunResult:
    app: str
    mode: str
    seconds: float
    samples: list[Sample] = field(default_factory=list)

    def stats(self) -> dict[str, Any]:
        ok = [s for s in self.samples if s.status == "200"]
        out: dict[str, Any] = {"app": self.app, "mode": self.mode, "requests": len(self.samples), "ok": len(ok),
                               "errors": len(self.samples) - len(ok),
                               "throughput_per_s": round(len(ok) / self.seconds, 1) if self.seconds else 0.0,
                               "ms": summarise([s.ms for s in ok]),
                               "over_3s": sum(1 for s in ok if s.ms > SLACK_LIMIT_MS)}
        if self.app == "cebot":
            out["sorry"] = sum(1 for s in ok if any(m in s.reply for m in SORRY_MARKS))
            out["wrong_reply"] = sum(1 for s in ok if EXPECTED[s.kind] not in s.reply)
            out["by_kind"] = {kind: summarise([s.ms for s in ok if s.kind == kind]) for kind, _ in MIX}
        return out


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def summarise(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"p50": round(percentile(values, 50), 1), "p90": round(percentile(values, 90), 1),
            "p99": round(percentile(values, 99), 1), "max": round(max(values), 1),
            "mean": round(statistics.fmean(values), 1)}


def _send(client: Client, i: int, members: int, tag: str) -> tuple[str, int, bytes]:
    kind, text = MIX[i % len(MIX)]
    # log commands go to members in turn; a member's commands may still overlap (they are serialized per member)
    status, data = client.command(text(i), user_id((i // len(MIX)) % members), f"{tag}.{i}")
    return kind, status, data


def _sample(client: Client, i: int, members: int, tag: str, *, since: float) -> Sample:
    """Send command ``i`` and time its answer from ``since`` (a dropped connection is a sample too)."""
    try:
        kind, status, data = _send(client, i, members, tag)
        return Sample(kind, (time.perf_counter() - since) * 1000, str(status), data.decode("utf-8", "replace"))
    except OSError as exc:
        client.close()
        return Sample(MIX[i % len(MIX)][0], 0.0, type(exc).__name__, "")


def run_rate(app: str, port: int, *, rate: float, seconds: float, members: int, first: int) -> RunResult:
    """Open loop: command ``k`` is due at ``k / rate`` s; its time runs from then to the end of the answer."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    due = iter(range(total))
    lock = threading.Lock()
    result = RunResult(app, f"{rate:g}/s", seconds)

    def worker() -> None:
        client = Client(port)
        try:
            while True:
                with lock:
                    k = next(due, None)
                if k is None:
                    return
                at = start + k / rate
                if (delay := at - time.perf_counter()) > 0:
                    time.sleep(delay)
                sample = _sample(client, first + k, members, f"{app}-rate", since=at)
                with lock:
                    result.samples.append(sample)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(RATE_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - start
    return result


def run_saturation(app: str, port: int, *, requests: int, members: int, first: int) -> RunResult:
    """Closed loop: 16 clients, each sending its next command when its answer came."""
    todo = iter(range(requests))
    lock = threading.Lock()
    result = RunResult(app, f"saturation x{CONCURRENCY}", 0.0)

    def worker() -> None:
        client = Client(port)
        try:
            while True:
                with lock:
                    k = next(todo, None)
                if k is None:
                    return
                sample = _sample(client, first + k, members, f"{app}-sat", since=time.perf_counter())
                with lock:
                    result.samples.append(sample)
        finally:
            client.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - start
    return result


# ---------------------------------------------------------------- the run


def start_server(name: str, app: str, env: dict[str, str], workdir: Path, extra: list[str]) -> Proc:
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--config", "python:cebot.web.gunicorn_conf",
           "--bind", f"127.0.0.1:{port}", *extra, app]
    return spawn(name, cmd, {**env, "PORT": str(port)}, workdir, port)


def run(args: argparse.Namespace) -> dict[str, Any]:
    size = SMALL if args.small else FULL
    seconds = args.seconds or size.seconds
    requests = args.requests or size.requests
    info: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "rate": args.rate, "rate_seconds": seconds, "saturation_requests": requests, "members": size.members,
        "git": git_state(), "load_average_before": load_average(),
        "server": "gunicorn --config python:cebot.web.gunicorn_conf (gthread), WEB_CONCURRENCY=2 x 8 threads",
    }
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cebot-answer-")))
        url = stack.enter_context(database(args.database_url))
        info["database"] = make_url(url).get_backend_name()
        print(f"database: {info['database']}; migrating and seeding {size.members} members ...", flush=True)
        upgrade(url)
        info["seed_seconds"] = round(seed(url, size), 2)
        fake = RemoteFake([(user_id(i), TEAM, "America/New_York") for i in range(size.members)], workdir)
        stack.callback(fake.close)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        env.update(WEB_CONCURRENCY="2", DATABASE_URL=url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                   SLACK_API_URL=fake.url, RUN_CLOCK="false", LOG_LEVEL="warning", PYTHONUNBUFFERED="1")
        servers = {"bare": start_server("bare", "bare_app:application", env, workdir,
                                        ["--pythonpath", str(ROOT / "bench")]),
                   "cebot": start_server("cebot", "cebot.web.wsgi:application", env, workdir, [])}
        for server in servers.values():
            stack.callback(server.stop)
        for server in servers.values():
            wait_healthy(server)
        runs: list[dict[str, Any]] = []
        first = 0
        for name, server in servers.items():  # warm up: imports, catalog, connection pools (not measured)
            first += len(run_saturation(name, server.port or 0, requests=4 * CONCURRENCY, members=size.members,
                                        first=first).samples)
        for mode in ("rate", "saturation"):
            for name in ("bare", "cebot"):
                port = servers[name].port or 0
                if mode == "rate":
                    result = run_rate(name, port, rate=args.rate, seconds=seconds, members=size.members,
                                      first=first)
                else:
                    result = run_saturation(name, port, requests=requests, members=size.members, first=first)
                first += len(result.samples)
                runs.append(result.stats())
                print(f"  {name:<6} {result.mode:<15} {len(result.samples)} commands in {result.seconds:.1f} s",
                      flush=True)
        for server in servers.values():
            if not server.alive():
                raise RuntimeError(f"{server.name} died during the run:\n{server.log_tail()}")
        info["runs"] = runs
        info["load_average_after"] = load_average()
        info["verdict"] = verdict(info)
    return info


def verdict(info: dict[str, Any]) -> dict[str, Any]:
    target = TARGET_P99_MS[info["database"]]
    cebot = {r["mode"]: r for r in info["runs"] if r["app"] == "cebot"}
    rate = next(r for m, r in cebot.items() if m.endswith("/s"))
    sat = next(r for m, r in cebot.items() if m.startswith("saturation"))
    clean = all(r["errors"] == 0 and r["sorry"] == 0 and r["wrong_reply"] == 0 for r in cebot.values())
    return {"rate_p99_ms": rate["ms"].get("p99"), "rate_target_ms": target,
            "meets_rate": bool(rate["ms"]) and rate["ms"]["p99"] < target,
            "saturation_max_ms": sat["ms"].get("max"), "meets_saturation": sat["over_3s"] == 0 and sat["errors"] == 0,
            "every_answer_is_the_reply": clean}


def report(info: dict[str, Any]) -> str:
    lines = [f"answer latency, {info['database']}, {info['machine']['cpus']} CPUs; load average before "
             f"{info['load_average_before'][0]}, after {info['load_average_after'][0]}; {info['git']}",
             f"{'app':<7}{'run':<16}{'ok':>6}{'err':>5}{'req/s':>8}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}"
             f"{'>3s':>5}{'sorry':>6}{'wrong':>6}"]
    for r in info["runs"]:
        ms = r["ms"] or {}
        lines.append(f"{r['app']:<7}{r['mode']:<16}{r['ok']:>6}{r['errors']:>5}{r['throughput_per_s']:>8.0f}"
                     + "".join(f"{ms.get(k, 0):>8.1f}" for k in ("p50", "p90", "p99", "max"))
                     + f"{r['over_3s']:>5}{r.get('sorry', ''):>6}{r.get('wrong_reply', ''):>6}")
    v = info["verdict"]
    lines.append(f"cebot at {info['rate']:g}/s: p99 {v['rate_p99_ms']} ms "
                 f"({'ok' if v['meets_rate'] else 'MISSED'} < {v['rate_target_ms']:.0f} ms); saturation max "
                 f"{v['saturation_max_ms']} ms ({'ok' if v['meets_saturation'] else 'MISSED'}: none over 3 s, no "
                 f"error); every answer the reply: {'yes' if v['every_answer_is_the_reply'] else 'NO'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--small", action="store_true", help="CI size: a few seconds per run, 40 members")
    parser.add_argument("--rate", type=float, default=50.0, help="commands per second of the fixed-rate run")
    parser.add_argument("--seconds", type=float, default=0.0, help="length of the fixed-rate run (default 30)")
    parser.add_argument("--requests", type=int, default=0, help="commands in the saturation run (default 2,000)")
    parser.add_argument("--database-url", default="",
                        help="a SQLite URL, or a PostgreSQL server to create a database in")
    parser.add_argument("--json-out", type=Path, default=None, help="where to write the JSON (default bench/results/)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        info = run(args)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    print(report(info))
    out = args.json_out
    if out is None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"answer_latency-{info['database']}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(info, indent=2, default=str) + "\n")
    print(f"results: {out}")
    v = info["verdict"]
    missed = not (v["meets_rate"] and v["meets_saturation"] and v["every_answer_is_the_reply"])
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
