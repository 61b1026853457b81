"""Listener work in separate processes, so a web process does little more than acknowledge.

Heavy listeners (the ``/ce`` command, App Home, buttons) are registered the way Bolt's FaaS adapters register
them: a tiny ack function and the work as a *lazy* listener (``app.command("/ce")(ack=ack_now, lazy=[...])``,
see :func:`cebot.slack.listeners.ack_then`). The app runs with ``process_before_response=True``, so the ack
function runs on the request's thread and the response goes out as soon as it returns (Bolt's default polls for
the ack every 10 ms), and Bolt hands each lazy call to the app's lazy listener runner.

Bolt's default runner uses threads in the same process. There the work holds the process's GIL and its share
of the CPUs, and a new request's ack waits behind it: with 16 users at once on a 2-CPU host, cebot's p99 ack
was 3-14 times a bare Bolt app's. :class:`ProcessLazyListenerRunner` sends each lazy call instead to a small
pool of worker processes (``LISTENER_PROCESSES`` per web process, default 1), like Bolt's AWS Lambda runner
sends it to another invocation: the request's raw body and headers plus Bolt's ``x-slack-bolt-lazy-only`` and
``x-slack-bolt-lazy-function-name`` headers. The worker process holds its own app (``create_app(...,
worker=True)``) and dispatches the request through the same middleware and listener, which runs only that
lazy function. Workers run at a lower CPU priority (nice +10), so acks win the CPU when both want it.

Details:

* The pool starts after gunicorn forks a web worker (``post_fork``), or at the first call. When a worker dies,
  the calls it had not taken yet go to a fresh pool (once; then to a thread here). A worker takes a call by
  queueing it on its threads and answering at once, so only a death in those microseconds could run a call
  twice; work it was doing when it died is lost, as it would be with a crashed web process.
* Each worker process runs calls on a few threads, so one that waits on Slack or the database does not hold
  up the next.
* Worker processes trust the web process that verified the request (they skip the signature check, so
  a call queued for more than Slack's five minutes is still done) and reuse its ``auth.test`` answer.
* A web worker that exits waits for its queued calls to finish (``shutdown``); a worker process whose web process
  was killed outright (gunicorn's timeout) notices within a second, finishes the calls it took and exits.
* ``LISTENER_PROCESSES=0`` keeps Bolt's threads (tests, ``cebot shell``).
"""

from __future__ import annotations

import contextvars
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.lazy_listener import LazyListenerRunner

from cebot.logging_setup import request_id_var, team_id_var
from cebot.settings import Settings

logger = logging.getLogger(__name__)

WORKER_NICENESS = 10
"""How much lower a worker's CPU priority is (nice +10: Linux gives it about a tenth of the CPU weight of the web
process, so an ack waits for a CPU hardly at all; the work still gets every CPU cycle the acks leave)."""
WORKER_THREADS = 8
"""Threads per worker process that run calls (most of a call's time is waiting on Slack or the database)."""
PARENT_CHECK_SECONDS = 1.0
"""How often a worker checks that its web process is still there."""
LAZY_ONLY_HEADER = "x-slack-bolt-lazy-only"
LAZY_NAME_HEADER = "x-slack-bolt-lazy-function-name"


@dataclass(frozen=True)
class LazyCall:
    """What a worker needs to run one lazy listener: the request as Slack sent it, and which function."""

    body: str | dict[str, Any]
    query: str | dict[str, Any] | None
    headers: dict[str, str | Sequence[str]]
    mode: str
    function_name: str
    request_id: str = ""


def lazy_call_for(request: BoltRequest) -> LazyCall:
    """The :class:`LazyCall` for a lazy request Bolt built (``lazy_only`` set, ``lazy_function_name`` named)."""
    headers: dict[str, str | Sequence[str]] = {key: list(values) for key, values in request.headers.items()}
    name = request.lazy_function_name or ""
    headers[LAZY_ONLY_HEADER] = ["1"]
    headers[LAZY_NAME_HEADER] = [name]
    body: str | dict[str, Any] = request.raw_body if request.mode == "http" else request.body
    return LazyCall(body=body, query=request.query, headers=headers, mode=request.mode, function_name=name,
                    request_id=request_id_var.get())


class ProcessLazyListenerRunner(LazyListenerRunner):
    """Bolt's lazy listener runner, sending each call to this process's pool of worker processes."""

    def __init__(self, *, settings: Settings, processes: int, fallback: LazyListenerRunner,
                 auth_test: dict[str, Any] | None = None, log: logging.Logger | None = None) -> None:
        self.logger = log or logger
        self._settings = settings
        self._processes = max(processes, 1)
        self._fallback = fallback
        self._auth_test = auth_test
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._pid = 0

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        self._submit(function, request, lazy_call_for(request), retries=1)

    def _submit(self, function: Callable[..., None], request: BoltRequest, call: LazyCall, *, retries: int) -> None:
        pool = self._current_pool()
        try:
            future = pool.submit(run_call, call)
        except (BrokenProcessPool, RuntimeError):  # a worker died, or the pool is shutting down
            self._retry(function, request, call, pool, retries=retries)
            return
        future.add_done_callback(lambda done: self._check(done, function, request, call, pool, retries=retries))

    def _check(self, future: Future[None], function: Callable[..., None], request: BoltRequest, call: LazyCall,
               pool: ProcessPoolExecutor, *, retries: int) -> None:
        """A call whose worker died before taking it goes to a fresh pool; other failures are logged."""
        error = None if future.cancelled() else future.exception()
        if isinstance(error, BrokenProcessPool):
            self._retry(function, request, call, pool, retries=retries)
        elif error is not None:
            logger.error("could not hand %s to a work process", call.function_name, exc_info=error)

    def _retry(self, function: Callable[..., None], request: BoltRequest, call: LazyCall,
               pool: ProcessPoolExecutor, *, retries: int) -> None:
        logger.error("a listener work process is gone; starting a new one for %s", call.function_name)
        self._discard(pool)
        if retries > 0:
            self._submit(function, request, call, retries=retries - 1)
            return
        logger.error("running %s in the web process: no work process could take it", call.function_name)
        self._fallback.start(function, request)

    def prestart(self) -> None:
        """Start the worker processes now (after a fork) rather than at the first call."""
        pool = self._current_pool()
        for _ in range(self._processes):
            pool.submit(_warm_up)

    def worker_pids(self) -> list[int]:
        """The process ids of this process's live workers (none before the first call or :meth:`prestart`)."""
        with self._lock:
            pool = self._pool if self._pid == os.getpid() else None
        processes = getattr(pool, "_processes", None) or {}  # the executor keeps no public list of them
        return sorted(pid for pid, process in processes.items() if process.is_alive())

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the worker processes of this process, after the calls already queued (``wait``)."""
        with self._lock:
            pool, self._pool = (self._pool, None) if self._pid == os.getpid() else (None, None)
        if pool is not None:
            pool.shutdown(wait=wait)

    def _current_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():  # none yet, or inherited from before a fork
                self._pool = ProcessPoolExecutor(
                    max_workers=self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_worker,
                    initargs=(self._settings, self._auth_test),
                )
                self._pid = os.getpid()
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=False)


# -- in the worker process -------------------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def init_worker(settings: Settings, auth_test: dict[str, Any] | None = None) -> None:
    """Worker process start: lower priority, logging, and this process's own app and threads."""
    from concurrent.futures import ThreadPoolExecutor

    from cebot.logging_setup import configure_logging
    from cebot.slack.app import create_app

    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # pragma: no cover - not permitted here: run at the same priority
        logger.warning("could not lower the priority of a listener work process")
    configure_logging(level=settings.log_level, fmt=settings.log_format, secrets=settings.secrets())
    _worker["app"] = create_app(settings, worker=True, auth_test=auth_test)
    _worker["threads"] = ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="cebot-work")
    parent = multiprocessing.parent_process()  # the web process that spawned this one, even if it is gone already
    threading.Thread(target=_exit_with_parent, args=(parent.pid if parent else os.getppid(),),
                     name="cebot-parent-watch", daemon=True).start()


def _exit_with_parent(parent: int, every: float = PARENT_CHECK_SECONDS) -> None:
    """Exit once the web process that started this worker is gone (killed, say, by gunicorn's timeout), after the
    calls already taken: the pool's queue never reports it, since this process holds an end of its pipe too."""
    while os.getppid() == parent:
        time.sleep(every)
    logger.warning("the web process %s is gone; this listener work process finishes its calls and exits", parent)
    _worker["threads"].shutdown(wait=True)
    os._exit(0)


def _warm_up() -> int:
    return os.getpid()


def run_call(call: LazyCall) -> None:
    """Queue ``call`` on this worker's threads (the pool's process is free for the next one at once)."""
    _worker["threads"].submit(contextvars.Context().run, dispatch_call, _worker["app"], call)


def dispatch_call(app: App, call: LazyCall) -> None:
    """Run one lazy listener: dispatch the request through ``app`` with Bolt's lazy-only headers."""
    if call.request_id:
        request_id_var.set(call.request_id)
    try:
        request = BoltRequest(body=call.body, query=call.query, headers=call.headers, mode=call.mode)
        if request.context.team_id:
            team_id_var.set(str(request.context.team_id)[:32])
        response = app.dispatch(request)
    except Exception:
        logger.exception("lazy listener %s failed", call.function_name)
        return
    if response.status >= 400:
        logger.error("lazy listener %s was not run: %s %s", call.function_name, response.status, response.body)
