"""Process helpers shared by ``bench/load.py`` and ``bench/drills.py``, and the two helper processes they start.

* :class:`BenchFake`: the fake Slack Web API (``cebot.shell.fake_slack.FakeSlack``) answering like Slack under
  load: ``429`` with ``Retry-After`` at Slack's documented rates (``chat.postMessage`` about one message per second
  per channel with a short burst; ``views.publish`` and ``users.info`` Tier 4, 100 a minute per workspace), a fault
  switch (``500`` answers, or timeouts: no answer until the client gives up), and a compact record of what was
  posted (it keeps no request bodies, so its memory stays flat over a long run). It runs in its own process
  (``python bench/_procs.py fake USERS.json``), controlled over ``/_bench/...`` on its own port.
* ``python bench/_procs.py clock --seconds S``: ``cebot clock`` (the same :func:`cebot.jobs.clock.run_clock`,
  the same ``SlackSender``) ticking every ``S`` seconds instead of minutes; ``--lease``/``--backoff`` shrink the
  delivery lease and retry backoff (minutes in production) so a drill sees the retry within its time bound.
* Process plumbing: fresh databases (PostgreSQL database created and dropped; SQLite temp file), gunicorn started
  like the Procfile's ``web:``, health polling, RSS per process, stopping only the process groups we started.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cebot.shell.fake_slack import FakeSlack  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1/test"
SORRY_MARKS = ("Something went wrong", "try again in a moment", "Try again in a moment")


# ---------------------------------------------------------------- databases


@contextmanager
def database(url: str) -> Iterator[str]:
    """A fresh database: ``sqlite`` (a temp file), or a new database on the PostgreSQL server ``url`` names
    (created here, dropped at the end, also on failure)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from cebot.core.db import make_engine
    from cebot.core.settings import load_settings

    if not url or url == "sqlite":
        with tempfile.TemporaryDirectory(prefix="cebot-load-db-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'load.sqlite3'}"
        return
    normalised = load_settings(database_url=url).database_url
    if normalised.startswith("sqlite"):
        yield normalised
        return
    base = make_url(normalised)
    name = f"cebot_load_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        ensure_postgres_running()
        for _ in range(30):
            try:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                break
            except sa.exc.OperationalError:
                time.sleep(1)
        admin.dispose()


# ---------------------------------------------------------------- PostgreSQL on this machine


def pg_cluster() -> tuple[str, str] | None:
    """(version, cluster) of the local PostgreSQL cluster (Debian's ``pg_ctlcluster``), or None."""
    etc = Path("/etc/postgresql")
    if not etc.is_dir():
        return None
    for version in sorted(etc.iterdir(), reverse=True):
        for cluster in sorted(version.iterdir()):
            if (cluster / "postgresql.conf").exists():
                return version.name, cluster.name
    return None


def pg_ctl(action: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    found = pg_cluster()
    if found is None:
        raise RuntimeError("no local PostgreSQL cluster under /etc/postgresql")
    version, cluster = found
    return subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action],
                          capture_output=True, text=True, timeout=timeout)


def postgres_running() -> bool:
    try:
        return pg_ctl("status", timeout=15).returncode == 0
    except (RuntimeError, OSError, subprocess.SubprocessError):
        return False


def ensure_postgres_running() -> None:
    """Start the local cluster if a drill left it stopped (idempotent; a no-op without a local cluster)."""
    if pg_cluster() is None or postgres_running():
        return
    pg_ctl("start")


def wait_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """SIGTERM the process group we started (e.g. gunicorn and its workers), SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    out: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            out.append(int(entry.name))
    return sorted(out)


def rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MiB (VmRSS), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


@dataclass
class Proc:
    """A server process we started (in its own process group), with its log file."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        stop_process(self.proc)


def spawn(name: str, cmd: list[str], env: dict[str, str], workdir: Path, port: int | None = None) -> Proc:
    log_path = workdir / f"{name}.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    return Proc(name, proc, log_path, port)


def start_gunicorn(env: dict[str, str], workdir: Path, workers: int) -> Proc:
    """The Procfile's ``web:`` on a free loopback port: ``gunicorn --config python:cebot.web.gunicorn_conf``."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--config", "python:cebot.web.gunicorn_conf",
           "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "cebot.web.wsgi:application"]
    return spawn("web", cmd, {**env, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}, workdir, port)


def start_clock(env: dict[str, str], workdir: Path, *, seconds: float, lease: float | None = None,
                backoff: float | None = None, name: str = "clock") -> Proc:
    cmd = [sys.executable, str(Path(__file__).resolve()), "clock", "--seconds", str(seconds)]
    if lease is not None:
        cmd += ["--lease", str(lease)]
    if backoff is not None:
        cmd += ["--backoff", str(backoff)]
    return spawn(name, cmd, env, workdir)


def health(port: int, timeout: float = 2.0) -> int | None:
    """``GET /healthz`` status, or None when nothing answers."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


def wait_healthy(server: Proc, timeout: float = 60.0) -> float:
    """Poll ``/healthz`` until 200; returns the seconds it took. Raises with the log tail on failure."""
    assert server.port is not None
    start = time.monotonic()
    while True:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}:\n{server.log_tail()}")
        if health(server.port) == 200:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"{server.name} did not become healthy in {timeout:.0f} s:\n{server.log_tail()}")
        time.sleep(0.1)


def git_state() -> str:
    """The commit measured, with ``+dirty`` when ``cebot/`` has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "cebot"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + ("+dirty" if dirty else "")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ---------------------------------------------------------------- the fake Slack under load


class _Bucket:
    """A token bucket: ``capacity`` calls at once, refilled at ``rate`` per second."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate, self.capacity = rate, capacity
        self.tokens, self.at = capacity, time.monotonic()

    def take(self) -> float:
        """0 when a call may go now, else the seconds until one may."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


RATE_LIMITS: dict[str, tuple[str, float, float]] = {
    # method: (scope, calls per second, burst)
    "chat.postMessage": ("channel", 1.0, 3.0),  # "1 message per second per channel, short bursts allowed"
    "views.publish": ("team", 100 / 60, 100.0),  # Tier 4: 100+ per minute
    "users.info": ("team", 100 / 60, 100.0),  # Tier 4
    "conversations.open": ("team", 50 / 60, 50.0),  # Tier 3: 50+ per minute
}
FAULT_HANG_SECONDS = 20.0
"""Timeout mode: a request gets no answer for this long (or until the fault ends), then the connection closes."""


class BenchFake(FakeSlack):
    """The fake under load: Slack's rate limits, a fault switch, a compact record (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mode = "normal"
        self.mode_changed = threading.Event()
        self.latency: dict[str, float] = {}
        """Seconds each call of a method takes before it is answered (Slack is not on loopback)."""
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._stats_lock = threading.Lock()
        self.counts: dict[str, int] = defaultdict(int)
        self.ratelimited: dict[str, int] = defaultdict(int)
        self.faulted: dict[str, int] = defaultdict(int)
        self.posts: list[tuple[str, str, str, float]] = []
        """Accepted ``chat.postMessage`` calls: (channel, or the person for a DM, ts, first 80 characters of the text,
        perf_counter)."""
        self.publishes: dict[str, list[float]] = defaultdict(list)
        self.replies: dict[str, list[Any]] = {}
        """response_url -> [first arrival (perf_counter), number of posts, 'ok'|'sorry'|'other', text start]."""

    def start(self) -> BenchFake:
        saved = ThreadingHTTPServer.request_queue_size
        ThreadingHTTPServer.request_queue_size = 512  # http.server's default backlog of 5 drops SYNs under load
        try:
            super().start()
        finally:
            ThreadingHTTPServer.request_queue_size = saved
        return self

    def _team_of(self, args: dict[str, Any]) -> str:
        user = self.users.get(str(args.get("user_id") or args.get("user") or ""))
        return user.team_id if user else self.team_id

    def _limited(self, method: str, query: str, body: bytes, headers: dict[str, str]) -> float:
        rule = RATE_LIMITS.get(method)
        if rule is None:
            return 0.0
        scope, rate, burst = rule
        args: dict[str, Any] = dict(parse_qsl(query))
        if body:
            if "json" in headers.get("content-type", ""):
                try:
                    decoded = json.loads(body)
                except ValueError:
                    decoded = {}
                if isinstance(decoded, dict):
                    args.update(decoded)
            else:
                args.update(parse_qsl(body.decode("utf-8", "replace")))
        key = str(args.get("channel") or "") if scope == "channel" else self._team_of(args)
        with self._stats_lock:
            bucket = self._buckets.get((method, key))
            if bucket is None:
                bucket = self._buckets[(method, key)] = _Bucket(rate, burst)
            return bucket.take()

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        path = urlsplit(http.path).path
        if path.startswith("/_bench/"):
            self._control(http, path[8:])
            return
        if path.startswith("/api/") and self.mode == "timeout" and path[5:] not in ("auth.test",):
            length = int(http.headers.get("Content-Length") or 0)
            if length:
                http.rfile.read(length)
            with self._stats_lock:
                self.faulted[path[5:]] += 1
            self.mode_changed.wait(FAULT_HANG_SECONDS)
            http.close_connection = True  # no answer at all: the client times out or sees the connection drop
            return
        super()._handle(http)

    def _api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> Any:
        latency = self.latency.get(method, 0.0)
        if latency:
            time.sleep(latency)
        if self.mode == "500" and method != "auth.test":
            with self._stats_lock:
                self.faulted[method] += 1
            return 500, {"ok": False, "error": "internal_error"}, {}
        wait = self._limited(method, query, body, headers)
        if wait > 0:
            with self._stats_lock:
                self.ratelimited[method] += 1
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(max(1, math.ceil(wait)))}
        status, answer, extra = super()._api(method, query, headers, body)
        with self._cond:
            calls = list(self._calls)
            self._calls.clear()  # keep memory flat: the compact record below is all the bench needs
        with self._stats_lock:
            self.counts[method] += 1
            for call in calls:
                if call.method == "chat.postMessage" and call.answer.get("ok"):
                    self.posts.append((self.dm_user(str(call.args.get("channel"))), str(call.answer.get("ts")),
                                       str(call.args.get("text") or "")[:80], time.perf_counter()))
                elif call.method == "views.publish" and call.answer.get("ok"):
                    self.publishes[str(call.args.get("user_id"))].append(time.perf_counter())
        return status, answer, extra

    def _response_url(self, path: str, headers: dict[str, str], body: bytes) -> Any:
        now = time.perf_counter()
        try:
            payload = json.loads(body or b"{}")
            text = str(payload.get("text") or "")
        except ValueError:
            text = body.decode("utf-8", "replace")
        kind = "sorry" if any(m in text for m in SORRY_MARKS) else "ok"
        url = self.base_url + path
        with self._stats_lock:
            seen = self.replies.get(url)
            if seen is None:
                self.replies[url] = [now, 1, kind, text[:120]]
            else:
                seen[1] += 1
            self.counts["response_url"] += 1
        return 200, {"ok": True}, {}

    def _control(self, http: BaseHTTPRequestHandler, action: str) -> None:
        query = dict(parse_qsl(urlsplit(http.path).query))
        if action == "mode":
            self.mode = query.get("mode", "normal")
            self.mode_changed.set()
            self.mode_changed = threading.Event()
            answer: dict[str, Any] = {"ok": True, "mode": self.mode}
        elif action == "latency":
            self.latency[query.get("method", "")] = float(query.get("seconds", "0"))
            answer = {"ok": True, "latency": self.latency}
        elif action == "state":
            with self._stats_lock:
                answer = {"counts": dict(self.counts), "ratelimited": dict(self.ratelimited),
                          "faulted": dict(self.faulted), "posts": list(self.posts),
                          "publishes": {k: len(v) for k, v in self.publishes.items()},
                          "replies": dict(self.replies), "rss_mb": rss_mb(os.getpid())}
        else:
            answer = {"ok": False, "error": "unknown"}
        data = json.dumps(answer).encode()
        http.send_response(200)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        http.wfile.write(data)


def serve_fake(users_file: str) -> int:
    """``_procs.py fake USERS.json``: users are [user_id, team_id, tz]; prints {"base_url": ...}; runs until stdin
    closes."""
    users = json.loads(Path(users_file).read_text())
    with BenchFake(team_id="T1", team_name="Load Clinic") as fake:
        for user_id, team_id, tz in users:
            fake.add_user(user_id, user_id.lower(), tz=tz, team_id=team_id)
        sys.stdout.write(json.dumps({"base_url": fake.base_url}) + "\n")
        sys.stdout.flush()
        sys.stdin.read()
    return 0


class RemoteFake:
    """The bench's handle on the fake process."""

    def __init__(self, users: list[tuple[str, str, str]], workdir: Path) -> None:
        users_file = workdir / "fake-users.json"
        users_file.write_text(json.dumps(users))
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "fake", str(users_file)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT,
                                     start_new_session=True)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        if not first:
            raise RuntimeError("the fake Slack process did not start")
        self.base_url: str = json.loads(first)["base_url"]
        self.port = int(self.base_url.rsplit(":", 1)[1])
        self._ids = iter(range(1, 1 << 62))
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.base_url + "/api/"

    def new_response_url(self) -> str:
        with self._lock:
            return f"{self.base_url}/response/B{next(self._ids):08d}"

    def _get(self, path: str, timeout: float = 30.0) -> dict[str, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            result: dict[str, Any] = json.loads(conn.getresponse().read())
            return result
        finally:
            conn.close()

    def set_mode(self, mode: str) -> None:
        self._get(f"/_bench/mode?mode={mode}")

    def set_latency(self, method: str, seconds: float) -> None:
        self._get(f"/_bench/latency?method={method}&seconds={seconds}")

    def state(self) -> dict[str, Any]:
        return self._get("/_bench/state")

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        stop_process(self.proc)


# ---------------------------------------------------------------- `cebot clock` with a seconds interval


def run_clock_seconds(seconds: float, lease: float | None, backoff: float | None) -> int:
    """``cebot clock`` (same settings, engine, sender, scheduler) ticking every ``seconds``."""
    from datetime import UTC, datetime, timedelta

    from cebot.core.logs import configure_logging
    from cebot.core.settings import load_settings
    from cebot.jobs import clock, delivery
    from cebot.services.bootstrap import prepare_database

    if lease is not None:  # drills only: a lease/backoff of seconds, so the retry happens inside the drill
        delivery.LEASE = timedelta(seconds=lease)
    if backoff is not None:
        delivery.BACKOFF = tuple(timedelta(seconds=backoff * 2 ** i) for i in range(4))
    settings = load_settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format, secrets=settings.secrets())
    engine = prepare_database(settings)
    # run_clock's scheduler and job (cebot.jobs.clock._job: the tick with its snapshot cache), with an interval of
    # seconds: run_clock itself takes whole minutes (APScheduler wants an integer misfire grace time).
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    from cebot.jobs.sender import SlackSender

    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(clock._job(engine, SlackSender(settings), settings),
                      IntervalTrigger(seconds=seconds, timezone=UTC),
                      id=clock.JOB_ID, name="cebot clock tick", max_instances=1, coalesce=True,
                      misfire_grace_time=max(1, int(seconds)), next_run_time=datetime.now(UTC))
    clock.log.info("clock started: ticking every %g seconds", seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        clock.log.info("clock stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="helper processes for bench/load.py and bench/drills.py")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("fake")
    p.add_argument("users_file")
    p = sub.add_parser("clock")
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--lease", type=float, default=None)
    p.add_argument("--backoff", type=float, default=None)
    args = parser.parse_args(argv)
    if args.what == "fake":
        return serve_fake(args.users_file)

    def on_term(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    import faulthandler

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>` prints every thread's stack to the log
    return run_clock_seconds(args.seconds, args.lease, args.backoff)


if __name__ == "__main__":
    sys.exit(main())
