"""How fast cebot acknowledges ``/ce log`` and ``/ce progress`` under load, against a bare Bolt app.

    python bench/ack_latency.py                      # SQLite temp file, 2,000 requests per scenario
    python bench/ack_latency.py --small              # CI size: ~100 requests, 40 members
    python bench/ack_latency.py --database-url postgresql://postgres@127.0.0.1/test
    python bench/ack_latency.py --no-wait            # clients do not wait for the reply (ack flood)

Starts, as separate processes on 127.0.0.1:

* cebot with the production server: ``gunicorn --config python:cebot.gunicorn_conf cebot.wsgi:application``
  (2 workers), over a fresh, migrated database seeded with a few hundred members who each track
  Florida and have a few entries; ``SLACK_API_URL`` points at a fake Slack Web API (its own process);
* ``bench/bare_app.py`` (a Bolt app whose one listener only calls ``ack()``) served the same way.

Then, for ``/ce log <h> <title> #subject`` and ``/ce progress`` in turn, 16 client threads (one keep-alive
connection each) send signed slash commands as different members, first to the bare app, then to cebot,
and record the HTTP response time (the ack). For cebot it also records when the reply reaches the fake's
``response_url`` (end-to-end). By default each client waits for that reply before its next command
(16 users each waiting for their answer); ``--no-wait`` sends the next command as soon as the ack
arrives, which offers far more work than the server can do and shows what queueing does to acks.

Prints a table and the ratio of cebot's p99 ack to the bare app's (targets: at most 1.5x and under
250 ms; Slack's limit is 3 s), and writes JSON to bench/results/. A PostgreSQL ``--database-url`` names the
server: the bench creates a fresh database there and drops it at the end. Every server process is
stopped on exit, Ctrl-C or failure, and ``--time-limit`` bounds the whole run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cebot.db import make_engine, session_scope, upgrade  # noqa: E402
from cebot.domain.parsing import parse_log, parse_track  # noqa: E402
from cebot.services import credentials, ledger, workspaces  # noqa: E402
from cebot.testing.fake_slack import FakeSlack, flatten_text  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _procs import database, free_port, git_state, load_average, stop_process  # noqa: E402  (the load and drill benches' helpers)

DEFAULT_PG = "postgresql://postgres@127.0.0.1/test"
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
TEAM = "T1"
CONCURRENCY = 16
TARGET_RATIO = 1.5
TARGET_P99_MS = 250.0
RESULTS_DIR = ROOT / "bench" / "results"
FAKE_NICENESS = 10
SORRY_MARK = b"Something went wrong"
SCENARIOS: dict[str, Callable[[int], str]] = {
    "log": lambda i: f"log 1.5h Bench course {i} #ethics",
    "progress": lambda i: "progress",
}


@dataclass(frozen=True)
class Size:
    members: int
    entries_per_member: int
    requests: int
    warmup: int


FULL = Size(members=300, entries_per_member=5, requests=2000, warmup=64)
SMALL = Size(members=40, entries_per_member=3, requests=100, warmup=16)


# ---------------------------------------------------------------- the fake Slack, with arrival times


class ReportingFakeSlack(FakeSlack):
    """The fake, run in its own process (``--serve-fake``): each first ``response_url`` post is reported as a
    JSON line on stdout with its arrival time (``time.perf_counter()``, CLOCK_MONOTONIC on Linux, which
    every process shares). In its own process its work (decoding App Home views, answering replies) does not
    compete with the clients' timing for one interpreter lock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._seen: set[str] = set()
        self._out = threading.Lock()

    def start(self) -> ReportingFakeSlack:
        # http.server's listen backlog is 5: with 16 replies at once the kernel drops SYNs and the client
        # retries a second later, which showed up as 1 s end-to-end outliers. Real Slack has no such limit.
        saved = ThreadingHTTPServer.request_queue_size
        ThreadingHTTPServer.request_queue_size = 256
        try:
            super().start()
        finally:
            ThreadingHTTPServer.request_queue_size = saved
        return self

    def _response_url(self, http: Any, path: str, headers: dict[str, str], body: bytes) -> Any:
        answer = super()._response_url(http, path, headers, body)
        now = time.perf_counter()
        url = self.base_url + path
        with self._out:
            if url in self._seen:
                return answer
            self._seen.add(url)
            try:
                text = flatten_text(json.loads(body or b"{}"))
            except ValueError:
                text = body.decode("utf-8", "replace")
            sys.stdout.write(json.dumps({"url": url, "t": now, "sorry": SORRY_MARK in body, "text": text[:300]})
                             + "\n")
            sys.stdout.flush()
        self.reset()  # keep the fake's memory flat over long runs; the bench has what it needs
        return answer


def serve_fake(members: int) -> int:
    """``--serve-fake N``: run the fake with N bench users until stdin closes; first line: its base URL.

    It runs at nice +10: it stands in for Slack's servers, which in production do not share the app's CPUs, so
    it takes the CPU only when the app and the clients leave some (end-to-end times include that wait)."""
    os.nice(FAKE_NICENESS)
    with ReportingFakeSlack(team_id=TEAM, team_name="Bench Clinic") as fake:
        for i in range(members):
            fake.add_user(user_id(i), f"therapist{i}", tz="America/New_York")
        sys.stdout.write(json.dumps({"base_url": fake.base_url}) + "\n")
        sys.stdout.flush()
        sys.stdin.read()
    return 0


class RemoteFake:
    """The bench's side of the fake process: its URLs, fresh response URLs, and the arrivals it reports."""

    def __init__(self, members: int) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve-fake", str(members)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT,
                                     start_new_session=True)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        if not first:
            raise RuntimeError("the fake Slack process did not start")
        self.base_url: str = json.loads(first)["base_url"]
        self.arrivals: dict[str, float] = {}
        self.sorry: set[str] = set()
        """Response URLs whose first reply was the router's "Something went wrong" (a failed request)."""
        self.texts: dict[str, str] = {}
        self._ids = iter(range(1, 1 << 62))
        self._lock = threading.Lock()
        self._arrived = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="fake-reader", daemon=True)
        self._reader.start()

    @property
    def url(self) -> str:
        """``SLACK_API_URL`` for the servers."""
        return self.base_url + "/api/"

    def new_response_url(self) -> str:
        with self._lock:
            return f"{self.base_url}/response/B{next(self._ids):08d}"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            with self._arrived:
                self.arrivals[event["url"]] = event["t"]
                self.texts[event["url"]] = event["text"]
                if event["sorry"]:
                    self.sorry.add(event["url"])
                self._arrived.notify_all()

    def wait_arrival(self, url: str, timeout: float) -> float | None:
        with self._arrived:
            self._arrived.wait_for(lambda: url in self.arrivals, timeout=timeout)
            return self.arrivals.get(url)

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        stop_process(self.proc)


# ---------------------------------------------------------------- databases and processes


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def host(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def stop(server: Server) -> None:
    stop_process(server.proc)


def start_server(name: str, app: str, env: dict[str, str], workdir: Path, extra: list[str]) -> Server:
    """``gunicorn --config python:cebot.gunicorn_conf <app>`` on a free loopback port, in its own process group."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    cmd = [sys.executable, "-m", "gunicorn", "--config", "python:cebot.gunicorn_conf",
           "--bind", f"127.0.0.1:{port}", *extra, app]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env={**env, "PORT": str(port)}, cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    return Server(name, port, proc, log_path)


def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}:\n{server.log_tail()}")
        try:
            conn = http.client.HTTPConnection(*server.host, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} did not become healthy:\n{server.log_tail()}")
        time.sleep(0.1)


# ---------------------------------------------------------------- seeding


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


# ---------------------------------------------------------------- load


@dataclass
class PhaseResult:
    app: str
    scenario: str
    requests: int
    ok: int
    errors: int
    seconds: float
    ack_ms: dict[str, float]
    e2e_ms: dict[str, float] | None = None
    replies_missing: int = 0
    replies_failed: int = 0
    """Replies that were the router's "Something went wrong" (the request failed after the ack)."""
    sample_reply: str = ""
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


@dataclass
class Raw:
    """What one run of clients measured."""

    acks: list[float]
    e2es: list[float]
    urls: list[str]
    statuses: dict[str, int]
    missing: int
    seconds: float
    expect_reply: bool


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 2,000 samples is the 1,980th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def summarise(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"p50": percentile(values, 50), "p90": percentile(values, 90), "p99": percentile(values, 99),
            "max": max(values), "mean": statistics.fmean(values)}


class Client:
    """One keep-alive connection sending signed ``/ce`` commands (reconnecting if the server closes it)."""

    def __init__(self, host: tuple[str, int], fake: RemoteFake, timeout: float) -> None:
        self.host = host
        self.fake = fake
        self.timeout = timeout
        self.verifier = SignatureVerifier(SECRET)
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def command(self, text: str, user: str, trigger: int) -> tuple[int, float, float, str]:
        """Send ``/ce <text>`` as ``user``; (status, ack seconds, send time, response_url)."""
        response_url = self.fake.new_response_url()
        body = urlencode({
            "token": "legacy", "team_id": TEAM, "team_domain": "clinic", "channel_id": "C1",
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/ce",
            "text": text, "api_app_id": "A0BENCH", "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": f"trigger-{trigger}",
        }).encode()
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body.decode()) or ""}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(*self.host, timeout=self.timeout)
            sent = time.perf_counter()
            try:
                self.conn.request("POST", "/slack/events", body=body, headers=headers)
                resp = self.conn.getresponse()
                resp.read()
                acked = time.perf_counter()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, acked - sent, sent, response_url
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: reconnect once, do not count the failed try.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def run_phase(app: str, server: Server, fake: RemoteFake, scenario: str, *, requests: int, members: int,
              wait_reply: bool, expect_reply: bool, deadline: float, first: int) -> Raw:
    """``requests`` commands from CONCURRENCY clients; ``first`` numbers them so titles and users vary."""
    make_text = SCENARIOS[scenario]
    counter = iter(range(first, first + requests))
    lock = threading.Lock()
    acks: list[float] = []
    e2es: list[float] = []
    owed: list[tuple[float, str]] = []
    urls: list[str] = []
    statuses: dict[str, int] = {}
    reply_timeout = 10.0

    def next_index() -> int | None:
        with lock:
            if time.monotonic() > deadline:
                return None
            return next(counter, None)

    def count(key: str) -> None:
        with lock:
            statuses[key] = statuses.get(key, 0) + 1

    def worker() -> None:
        client = Client(server.host, fake, timeout=15.0)
        try:
            while (i := next_index()) is not None:
                try:
                    status, ack, sent, url = client.command(make_text(i), user_id(i % members), i)
                except OSError as exc:
                    count(type(exc).__name__)
                    client.close()
                    continue
                count(str(status))
                if status != 200:
                    continue
                with lock:
                    acks.append(ack * 1000)
                    urls.append(url)
                if not expect_reply:
                    continue
                if not wait_reply:
                    with lock:
                        owed.append((sent, url))
                    continue
                arrived = fake.wait_arrival(url, reply_timeout)
                with lock:
                    if arrived is not None:
                        e2es.append((arrived - sent) * 1000)
                    else:
                        owed.append((sent, url))
        finally:
            client.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix=f"client-{app}") as pool:
        for future in [pool.submit(worker) for _ in range(CONCURRENCY)]:
            future.result()
    seconds = time.perf_counter() - start
    missing = 0
    if expect_reply and not wait_reply:  # --no-wait: collect the replies still owed, within the time limit
        for sent, url in owed:
            arrived = fake.wait_arrival(url, max(0.5, min(deadline - time.monotonic(), 120.0)))
            if arrived is None:
                missing += 1
            else:
                e2es.append((arrived - sent) * 1000)
    elif expect_reply:
        missing = len(owed)
    return Raw(acks=acks, e2es=e2es, urls=urls, statuses=statuses, missing=missing, seconds=seconds,
               expect_reply=expect_reply)


def combine(app: str, scenario: str, raws: list[Raw], fake: RemoteFake) -> PhaseResult:
    """One row of the table from the runs of one app and command (pooled samples)."""
    acks = [a for r in raws for a in r.acks]
    urls = [u for r in raws for u in r.urls]
    statuses: dict[str, int] = {}
    for r in raws:
        for key, n in r.statuses.items():
            statuses[key] = statuses.get(key, 0) + n
    result = PhaseResult(app=app, scenario=scenario, requests=sum(statuses.values()), ok=len(acks),
                         errors=sum(v for k, v in statuses.items() if k != "200"),
                         seconds=sum(r.seconds for r in raws), ack_ms=summarise(acks), statuses=statuses)
    if raws and raws[0].expect_reply:
        result.e2e_ms = summarise([e for r in raws for e in r.e2es])
        result.replies_missing = sum(r.missing for r in raws)
        result.replies_failed = sum(1 for u in urls if u in fake.sorry)
        result.sample_reply = fake.texts.get(urls[-1], "") if urls else ""
    return result


# ---------------------------------------------------------------- the run


def server_env(database_url: str, fake: RemoteFake) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(WEB_CONCURRENCY="2", DATABASE_URL=database_url, SLACK_BOT_TOKEN=TOKEN,
               SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url, RUN_CLOCK="false", LOG_LEVEL="warning",
               PYTHONUNBUFFERED="1")
    env.pop("SLACK_APP_TOKEN", None)
    return env


def run(args: argparse.Namespace) -> dict[str, Any]:
    size = SMALL if args.small else FULL
    requests = args.requests or size.requests
    deadline = time.monotonic() + args.time_limit
    info: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine()},
        "concurrency": CONCURRENCY, "requests_per_phase": requests, "members": size.members,
        "entries_per_member": size.entries_per_member, "wait_for_reply": not args.no_wait,
        "git": git_state(),
        "load_average_before": load_average(),
        "server": "gunicorn --config python:cebot.gunicorn_conf (gthread), WEB_CONCURRENCY=2",
    }
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cebot-ack-logs-")))
        url = stack.enter_context(database(args.database_url))
        info["database"] = make_url(url).get_backend_name()
        print(f"database: {info['database']}; migrating and seeding {size.members} members ...", flush=True)
        upgrade(url)
        info["seed_seconds"] = round(seed(url, size), 2)
        fake = RemoteFake(size.members)
        stack.callback(fake.close)
        env = server_env(url, fake)
        servers = {
            "bare": start_server("bare", "bare_app:application", env, workdir,
                                 ["--pythonpath", str(ROOT / "bench")]),
            "cebot": start_server("cebot", "cebot.wsgi:application", env, workdir, []),
        }
        for server in servers.values():
            stack.callback(stop, server)
        for server in servers.values():
            wait_healthy(server)
        print("servers up: " + ", ".join(f"{n} on :{s.port}" for n, s in servers.items()), flush=True)
        phases: list[PhaseResult] = []
        first = 0
        for scenario in SCENARIOS:
            raws: dict[str, list[Raw]] = {name: [] for name in servers}
            # A B B A: each app runs twice, half the requests each time, so drift in the machine's speed
            # over the run (other processes, caches, the database growing) falls on both alike.
            for i, name in enumerate(("bare", "cebot", "cebot", "bare")):
                server = servers[name]
                expect_reply = name == "cebot"
                if i < 2:
                    run_phase(name, server, fake, scenario, requests=size.warmup, members=size.members,
                              wait_reply=True, expect_reply=expect_reply, deadline=deadline, first=first)
                    first += size.warmup
                half = requests // 2 if i in (0, 1) else requests - requests // 2
                raws[name].append(run_phase(name, server, fake, scenario, requests=half, members=size.members,
                                            wait_reply=not args.no_wait, expect_reply=expect_reply,
                                            deadline=deadline, first=first))
                first += half
            for name in ("bare", "cebot"):
                result = combine(name, scenario, raws[name], fake)
                phases.append(result)
                print(f"  /ce {scenario:<9} {name:<6} {result.ok} acks in {result.seconds:.1f} s", flush=True)
        for server in servers.values():
            if server.proc.poll() is not None:
                raise RuntimeError(f"{server.name} died during the run:\n{server.log_tail()}")
        info["timed_out"] = time.monotonic() > deadline
        info["load_average_after"] = load_average()
        info["phases"] = [asdict(p) | {"throughput_per_s": round(p.throughput, 1)} for p in phases]
        info["verdict"] = verdict(phases)
    return info


def verdict(phases: list[PhaseResult]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for scenario in SCENARIOS:
        ours = next((p for p in phases if p.app == "cebot" and p.scenario == scenario), None)
        bare = next((p for p in phases if p.app == "bare" and p.scenario == scenario), None)
        if not ours or not bare or not ours.ack_ms or not bare.ack_ms:
            continue
        ratio = ours.ack_ms["p99"] / bare.ack_ms["p99"] if bare.ack_ms["p99"] else float("inf")
        out[scenario] = {"p99_ratio": round(ratio, 2), "cebot_p99_ms": round(ours.ack_ms["p99"], 1),
                         "meets_ratio": ratio <= TARGET_RATIO, "meets_p99": ours.ack_ms["p99"] < TARGET_P99_MS,
                         "all_acked": ours.errors == 0 and bare.errors == 0,
                         "all_replied": not ours.replies_missing and not ours.replies_failed,
                         "not_implemented": "isn't ready yet" in ours.sample_reply}
    return out


def report(info: dict[str, Any]) -> str:
    def ms(d: dict[str, float] | None, key: str) -> str:
        return f"{d[key]:8.1f}" if d and key in d else f"{'-':>8}"

    lines = [f"ack latency, {info['database']}, {info['machine']['cpus']} CPUs, concurrency {info['concurrency']}, "
             f"{info['requests_per_phase']} requests per row, "
             + ("each client waits for its reply" if info["wait_for_reply"] else "clients do not wait for replies")
             + f"; load average before {info['load_average_before'][0]}, after {info['load_average_after'][0]}"
             + f"; {info['git']}",
             f"{'command':<14}{'app':<7}{'ok':>6}{'err':>5}{'req/s':>8}{'ack p50':>9}{'p90':>8}{'p99':>8}{'max':>8}"
             f"{'e2e p50':>9}{'p99':>8}{'missing':>8}{'failed':>7}"]
    for p in info["phases"]:
        lines.append(f"{'/ce ' + p['scenario']:<14}{p['app']:<7}{p['ok']:>6}{p['errors']:>5}"
                     f"{p['throughput_per_s']:>8.0f}{ms(p['ack_ms'], 'p50'):>9}{ms(p['ack_ms'], 'p90')}"
                     f"{ms(p['ack_ms'], 'p99')}{ms(p['ack_ms'], 'max')}{ms(p['e2e_ms'], 'p50'):>9}"
                     f"{ms(p['e2e_ms'], 'p99')}{(p['replies_missing'] if p['e2e_ms'] is not None else ''):>8}"
                     f"{(p['replies_failed'] if p['e2e_ms'] is not None else ''):>7}")
    for scenario, v in info["verdict"].items():
        flags = []
        if v["not_implemented"]:
            flags.append("cebot answered 'isn't ready yet': the subcommand is not registered (measured the router)")
        if not v["all_replied"]:
            flags.append("some replies were missing or 'Something went wrong'")
        if not v["all_acked"]:
            flags.append("some requests failed (see statuses in the JSON)")
        ratio_ok = "ok" if v["meets_ratio"] else "MISSED"
        p99_ok = "ok" if v["meets_p99"] else "MISSED"
        lines.append(f"/ce {scenario}: cebot p99 / bare p99 = {v['p99_ratio']:.2f}x ({ratio_ok} <= {TARGET_RATIO}x); "
                     f"cebot p99 {v['cebot_p99_ms']:.1f} ms ({p99_ok} < {TARGET_P99_MS:.0f} ms)"
                     + "".join(f"; {f}" for f in flags))
    if info.get("timed_out"):
        lines.append("the time limit cut the run short: fewer requests than asked")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--small", action="store_true", help="CI size: ~100 requests per row, 40 members")
    parser.add_argument("--requests", type=int, default=0, help="requests per row (default 2,000; 100 with --small)")
    parser.add_argument("--database-url", default="",
                        help=f"a SQLite URL to use, or a PostgreSQL server (e.g. {DEFAULT_PG}) to create a database in")
    parser.add_argument("--no-wait", action="store_true", help="send the next command without waiting for the reply")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds for the whole run (default 900)")
    parser.add_argument("--json-out", type=Path, default=None, help="where to write the JSON (default bench/results/)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--serve-fake", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_fake is not None:
        return serve_fake(args.serve_fake)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        info = run(args)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    text = report(info)
    print(text)
    out = args.json_out
    if out is None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS_DIR / f"ack_latency-{info['database']}-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(info, indent=2, default=str) + "\n")
    print(f"results: {out}")
    missed = any(not (v["meets_ratio"] and v["meets_p99"] and v["all_acked"]) for v in info["verdict"].values())
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
