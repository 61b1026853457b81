"""Fault drills: the production shape of ``bench/load.py`` under load, with one fault injected at the worst moment.

    python bench/drills.py                          # every drill, full size (60 s of load each), PostgreSQL
    python bench/drills.py --small                  # a few seconds each
    python bench/drills.py --only kill-clock,slack-outage
    python bench/drills.py --small --combined       # one run with kill-clock, kill-worker, slack-outage in turn (CI)

Drills (loopback only, each bounded in time, each repeatable with the same ``--seed``):

``kill-worker``   ``kill -9`` one gunicorn worker at the peak of the mix, while requests are in flight; gunicorn's
                  master starts a new one.
``kill-clock``    ``kill -9`` the clock in the middle of its fan-out of reminders and summaries (Slack made slow enough
                  that the fan-out takes a while), then start a new clock. The delivery lease is shortened to seconds
                  so the messages the dead clock had claimed are sent again inside the drill.
``pg-restart``    restart the local PostgreSQL cluster under load (``pg_ctlcluster --skip-systemctl-redirect <version>
                  main restart``) while the clock is fanning out; the cluster is started again at the end in any case.
``slack-outage``  the fake Slack Web API answers ``500`` for half the outage and lets calls time out (no answer) for
                  the other half: a minute in all (``--small``: a few seconds); the retry backoff is shortened to
                  seconds so the clock's retries land inside the drill.

After each: nothing lost (every write the user was told was saved is in the database once; none they were told was
not saved is there), nothing sent twice (delivery table against the fake's record), every message that was due
sent, and ``/healthz`` answering 200 again, without a human. Errors the users saw during the fault are counted and
reported (they are expected); anything else fails the drill. JSON per drill in ``bench/results/``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _procs
import load
from load import Context, Options, Stack

DRILLS = ("kill-worker", "kill-clock", "pg-restart", "slack-outage")
LEASE_S = 6.0
BACKOFF_S = 2.0


def sent_count(ctx: Context) -> int:
    try:
        with ctx.engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM delivery WHERE status = 'sent'")).scalar() or 0)
    except sa.exc.OperationalError:
        return -1


def fan_out_first(st: Stack, ctx: Context) -> None:
    """Make each ``chat.postMessage`` slow enough that the clock's fan-out spans most of the run, start the clock,
    and let the load begin only once its first message is out (its first tick draws the summary charts first),
    so a fault at a point of the run hits the web peak and the fan-out at once."""
    per_message = min(0.25, max(0.01, 0.8 * ctx.duration / max(1, len(ctx.expected))))
    st.fake.set_latency("chat.postMessage", round(per_message, 3))
    st.start_clock()
    deadline = time.monotonic() + 120
    while sent_count(ctx) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)


def wait_mid_fan_out(ctx: Context, timeout: float) -> int:
    """Until a fifth of the due messages are sent (the fan-out is under way); returns how many were."""
    target = max(1, len(ctx.expected) // 5)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = sent_count(ctx)
        if n >= target:
            return n
        time.sleep(0.05)
    return sent_count(ctx)


# ---------------------------------------------------------------- the faults


def kill_worker(st: Stack, ctx: Context) -> dict[str, Any]:
    before = st.worker_pids()
    if not before:
        return {"error": "no gunicorn worker found"}
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    replaced = None
    while time.monotonic() - killed < 60:
        now = st.worker_pids()
        if victim not in now and len(now) >= len(before):
            replaced = round(time.monotonic() - killed, 2)
            break
        time.sleep(0.05)
    return {"killed_pid": victim, "workers_before": len(before), "replaced_after_s": replaced}


def kill_clock(st: Stack, ctx: Context) -> dict[str, Any]:
    sent_before = wait_mid_fan_out(ctx, timeout=ctx.duration)
    clock = st.clock
    if clock is None:
        return {"error": "no clock running"}
    killed_t = time.perf_counter()
    os.kill(clock.proc.pid, signal.SIGKILL)
    clock.proc.wait(timeout=10)
    killed_at = time.monotonic()
    with ctx.engine.connect() as conn:
        claimed = int(conn.execute(sa.text("SELECT count(*) FROM delivery WHERE status = 'claimed'")).scalar() or 0)
    time.sleep(1.0)
    st.start_clock()
    return {"killed_t": killed_t, "sent_when_killed": sent_before, "claimed_unsent_when_killed": claimed,
            "expected": len(ctx.expected), "restarted_after_s": round(time.monotonic() - killed_at, 2)}


def pg_restart(st: Stack, ctx: Context) -> dict[str, Any]:
    if _procs.pg_cluster() is None:
        return {"error": "no local PostgreSQL cluster"}
    sent_before = sent_count(ctx)
    started = time.monotonic()
    try:
        result = _procs.pg_ctl("restart", timeout=120)
    finally:
        _procs.ensure_postgres_running()
    restarted = round(time.monotonic() - started, 2)
    healthy_after = None
    while time.monotonic() - started < 60:
        if st.healthy():
            healthy_after = round(time.monotonic() - started, 2)
            break
        time.sleep(0.1)
    return {"pg_ctlcluster_rc": result.returncode, "restart_took_s": restarted, "sent_before": sent_before,
            "healthz_200_after_s": healthy_after}


def slack_outage(seconds: float) -> load.Fault:
    def fault(st: Stack, ctx: Context) -> dict[str, Any]:
        sent_before = sent_count(ctx)
        st.fake.set_mode("500")
        time.sleep(seconds / 2)
        st.fake.set_mode("timeout")
        time.sleep(seconds / 2)
        st.fake.set_mode("normal")
        return {"outage_s": seconds, "sent_before": sent_before, "sent_right_after": sent_count(ctx)}

    return fault


# ---------------------------------------------------------------- running them


def drill_plan(name: str, small: bool, duration: float) -> tuple[list[tuple[float, str, load.Fault]], Any]:
    """(faults, setup) for one drill: when in the run (a fraction of its duration) each fault starts."""
    outage = 4.0 if small else 60.0
    if name == "kill-worker":
        return [(0.5, name, kill_worker)], None
    if name == "kill-clock":
        return [(0.2, name, kill_clock)], fan_out_first
    if name == "pg-restart":
        return [(0.4, name, pg_restart)], fan_out_first
    if name == "slack-outage":
        return [(0.2, name, slack_outage(min(outage, duration * 0.6)))], fan_out_first
    raise ValueError(name)


def slow_fan_out(st: Stack, ctx: Context) -> None:
    """Only the slow ``chat.postMessage`` of :func:`fan_out_first`; the clock starts with the load."""
    per_message = min(0.25, max(0.01, 0.5 * ctx.duration / max(1, len(ctx.expected))))
    st.fake.set_latency("chat.postMessage", round(per_message, 3))


def outage_then_kill_clock(outage: float) -> load.Fault:
    """As the fan-out starts, Slack answers 500s and then times out for ``outage`` seconds; once a fifth of the
    messages are out, the clock is killed and restarted."""
    down = slack_outage(outage)

    def fault(st: Stack, ctx: Context) -> dict[str, Any]:
        deadline = time.monotonic() + 2 * ctx.duration + 30
        while sent_count(ctx) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        return {"slack-outage": down(st, ctx), "kill-clock": kill_clock(st, ctx)}

    return fault


def combined_plan(duration: float) -> tuple[list[tuple[float, str, load.Fault]], Any]:
    """The CI drill in one short run: a web worker killed at the load's peak, and, once the clock's fan-out has
    begun, a Slack outage and then the clock killed mid fan-out."""
    return [(0.4, "kill-worker", kill_worker),
            (0.0, "clock", outage_then_kill_clock(max(1.0, duration * 0.3)))], slow_fan_out


def run_drill(name: str, opts: Options) -> dict[str, Any]:
    duration = opts.duration or (load.SMALL.duration if opts.small else load.FULL.duration)
    if name == "slack-outage" and not opts.small:
        duration = max(duration, 110.0)  # the minute-long outage plus time before and after it
        opts = Options(**{**opts.__dict__, "duration": duration})
    faults, setup = combined_plan(duration) if name == "combined" else drill_plan(name, opts.small, duration)
    try:
        return load.run(opts, faults=faults, setup=setup, name=f"drill-{name}")
    finally:
        if name == "pg-restart":
            _procs.ensure_postgres_running()


def passed(info: dict[str, Any]) -> bool:
    v = info["verdict"]
    fault_errors = [f for f in flat_faults(info["fault"]).values() if "error" in f]
    return bool(v["writes_ok"] and v["messages_ok"] and v["healthy_again"] and not fault_errors)


def flat_faults(faults: dict[str, Any]) -> dict[str, Any]:
    """``{"clock": {"slack-outage": {...}, "kill-clock": {...}}}`` -> one level, by fault name."""
    out: dict[str, Any] = {}
    for name, result in faults.items():
        nested = {k: v for k, v in result.items() if isinstance(v, dict)}
        if nested:
            out.update(nested)
            if "error" in result:
                out[name] = result
        else:
            out[name] = result
    return out


def summary_line(info: dict[str, Any]) -> str:
    w, m, r = info["writes"], info["messages"], info["requests"]["all"]
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(w["outcomes"].items()))
    return (f"{info['name']}: {'PASS' if passed(info) else 'FAIL'}; requests {r['requests']}, user-visible errors "
            f"{r['errors']}; writes: {outcomes}; messages: {m['sent']}/{m['expected']} sent, {m['duplicates']} "
            f"duplicated ({m['in_flight_at_kill']} in flight at a clock kill), {m['not_sent']} not sent; "
            f"healthy again after {info['healthy_after_s']} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    load.add_common(parser)
    parser.add_argument("--only", default="", help=f"comma-separated drills (default all: {', '.join(DRILLS)})")
    parser.add_argument("--combined", action="store_true",
                        help="one run with kill-clock, kill-worker and slack-outage in turn (the CI drill)")
    args = parser.parse_args(argv)
    opts = load.options(args)
    opts.lease, opts.backoff = (LEASE_S / 2, BACKOFF_S / 2) if args.small else (LEASE_S, BACKOFF_S)
    names = ["combined"] if args.combined else [n.strip() for n in args.only.split(",") if n.strip()] or list(DRILLS)
    unknown = set(names) - set(DRILLS) - {"combined"}
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(sorted(unknown))}")
    if "pg-restart" in names and (args.database_url == "sqlite" or args.database_url.startswith("sqlite")):
        names.remove("pg-restart")
        print("pg-restart skipped: the run is on SQLite")

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    failed = 0
    lines = []
    try:
        for name in names:
            info = run_drill(name, opts)
            print(load.report(info))
            print(f"results: {load.save(info, args.json_out)}")
            lines.append(summary_line(info))
            failed += not passed(info)
    except KeyboardInterrupt:
        print("interrupted; every process stopped", file=sys.stderr)
        return 130
    finally:
        _procs.ensure_postgres_running()
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
