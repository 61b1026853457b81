"""The App Home tab: built from a member's progress and published on open and after every change.

Listeners that change a member's data call :func:`refresh_home_after_commit` with
their scope, so the Home tab is republished once the transaction has committed,
from a fresh read in its own short session (member progress is at most 3 queries,
the recent courses one more). A listener that has just computed the member's progress
as its transaction leaves it (``/ce log`` shows it in its reply) hands it over with
:func:`use_progress_for_home`, and only the recent courses are read. Publishing never fails the request: a Web API error
is logged and the tab is brought up to date on the next open.

The after-commit publish runs on a small pool of its own (:data:`HOME_PUBLISHER`), never on a listener thread, so a
hanging Slack cannot fill Bolt's listener threads and delay other requests' acks. Per member, publishes are
coalesced: at most one every :data:`HOME_MIN_INTERVAL_SECONDS`. A change in a quiet member's tab is published at
once; the changes that follow within that time become one publish at its end, built from the database then, so the
tab always ends up showing the latest state. At most ``HOME_PUBLISH_BACKLOG`` members are tracked at once (more are
dropped, logged; their tab catches up on the next open).
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.core.db import session_scope
from cebot.domain.plan import Plan, Target, make_plan
from cebot.domain.progress import Progress, compute_progress
from cebot.models import Member
from cebot.services import ledger
from cebot.services.plan import member_plan
from cebot.services.progress import CredentialLedger, member_ledgers
from cebot.slack.background import ContextThreadPoolExecutor
from cebot.slack.context import MemberScope, member_today
from cebot.slack.render.home import RECENT_COUNT, RecentEntry, home_view

logger = logging.getLogger(__name__)

HOME_PUBLISH_THREADS = 4
HOME_PUBLISH_BACKLOG = 256
HOME_MIN_INTERVAL_SECONDS = 3.0
"""At most one ``views.publish`` per member this often: a burst of changes is one publish at once and one at the
end (``views.publish`` is rate tier 4, about 100 a minute per workspace)."""

_SCHEDULED = "_cebot_home_refresh_scheduled"
_PROGRESS = "_cebot_home_progress"


def recent_entries(*, session: Session, member: Member, limit: int = RECENT_COUNT) -> tuple[list[RecentEntry], bool]:
    """The member's ``limit`` latest courses, and whether there are more (one query)."""
    rows = ledger.list_entries(session=session, member=member, limit=limit + 1)
    recent = [RecentEntry(id=e.id or 0, title=e.title, completed_on=e.completed_on, hours=e.hours_q,
                          subjects=tuple(e.subjects or ())) for e in rows[:limit]]
    return recent, len(rows) > limit


def build_home_view(*, session: Session, member: Member, today: date | None = None) -> dict[str, Any]:
    """The member's Home tab view as of ``today`` (their local date by default); at most 4 queries."""
    today = today or member_today(member)
    ledgers = member_ledgers(session=session, member=member, today=today)
    progress = [compute_progress(c.requirement_set, c.facts, c.entries, today) for c in ledgers]
    plan = _plan_of(ledgers, today)
    recent, more = recent_entries(session=session, member=member)
    return home_view(name=member.display_name, progress=progress, recent=recent, today=today, more_entries=more,
                     plan=plan)


def publish(client: WebClient, user_id: str, view: dict[str, Any]) -> bool:
    """``views.publish`` the view to ``user_id``'s Home tab; False (logged) when Slack refuses or is unreachable."""
    try:
        client.views_publish(user_id=user_id, view=view)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("views.publish for %s failed: %s", user_id, exc)
        return False
    return True


def publish_home(*, client: WebClient, session: Session, member: Member, today: date | None = None) -> bool:
    """Build ``member``'s Home tab from ``session`` and publish it."""
    return publish(client, member.slack_user_id, build_home_view(session=session, member=member, today=today))


def publish_fresh(*, engine: Engine, client: WebClient, member_id: int) -> bool:
    """Read the member afresh in a short session of its own, then publish their Home tab."""
    with session_scope(engine) as session:
        member = session.get(Member, member_id)
        if member is None:
            return False
        view = build_home_view(session=session, member=member)
        user_id = member.slack_user_id
    return publish(client, user_id, view)


@dataclass
class _Member:
    """One member's publishing state."""

    next_at: float = 0.0
    """No publish for them starts before this (``time.monotonic``)."""
    busy: bool = False
    """A publish is running, or one waits for ``next_at``."""
    waiting: Callable[[], object] | None = None
    """The latest publish asked for meanwhile (it reads the database when it runs)."""


class HomePublisher:
    """Runs Home-tab publishes off the listener threads, at most one per member every ``interval`` seconds.

    The first change in a quiet member's tab is published at once; later ones within ``interval`` are coalesced
    into one publish at its end (the latest asked for, which reads the database then). One timer thread wakes
    those up; a pool of ``threads`` runs the publishes. At most ``backlog`` members are tracked at once (more are
    dropped, logged: their tab catches up on the next open).
    """

    def __init__(self, *, threads: int = HOME_PUBLISH_THREADS, backlog: int = HOME_PUBLISH_BACKLOG,
                 interval: float = HOME_MIN_INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._executor = ContextThreadPoolExecutor(max_workers=threads, thread_name_prefix="cebot-home")
        self._backlog = backlog
        self._clock = clock
        self._lock = threading.Condition()
        self._members: dict[tuple[str, str], _Member] = {}
        self._due: list[tuple[float, tuple[str, str]]] = []
        """Heap of (when, member) for waiting publishes."""
        self._flushing = 0
        """Callers of ``wait_idle(flush=True)`` waiting: waiting publishes are due at once meanwhile."""
        self._timer: threading.Thread | None = None

    def submit(self, key: tuple[str, str], job: Callable[[], object],
               later: Callable[[], object] | None = None) -> bool:
        """Publish member ``key``'s tab: ``job`` now if none of theirs started in the last ``interval`` seconds,
        else ``later`` (default ``job``) at the end of that quiet period, replacing one already waiting.
        False (logged) when too many members are tracked."""
        with self._lock:
            now = self._clock()
            member = self._members.get(key) or self._track(key, now)
            if member is None:
                return False
            if not member.busy and now >= member.next_at:
                member.busy, member.next_at = True, now + self.interval
                self._executor.submit(self._run, key, job)
                return True
            member.waiting = later or job
            if not member.busy:  # idle in its quiet period: wake it at the end
                member.busy = True
                self._schedule(member.next_at, key)
        return True

    def _track(self, key: tuple[str, str], now: float) -> _Member | None:
        if len(self._members) >= self._backlog:  # forget members idle past their quiet period
            for old in [k for k, m in self._members.items() if not m.busy and m.next_at <= now]:
                del self._members[old]
        if len(self._members) >= self._backlog:
            logger.warning("Home tab publish for %s dropped: %d members publishing", key[1], len(self._members))
            return None
        member = self._members[key] = _Member()
        return member

    def _schedule(self, when: float, key: tuple[str, str]) -> None:
        """Wake ``key``'s waiting publish at ``when`` (lock held)."""
        heapq.heappush(self._due, (min(when, self._clock()) if self._flushing else when, key))
        if self._timer is None:
            self._timer = threading.Thread(target=self._wake_loop, name="cebot-home-timer", daemon=True)
            self._timer.start()
        self._lock.notify_all()

    def _wake_loop(self) -> None:
        with self._lock:
            while True:
                now = self._clock()
                if self._due and self._due[0][0] <= now:
                    _, key = heapq.heappop(self._due)
                    member = self._members[key]
                    job, member.waiting = member.waiting, None
                    member.next_at = now + self.interval
                    if job is None:  # pragma: no cover - a scheduled member always has a waiting publish
                        member.busy = False
                        continue
                    self._executor.submit(self._run, key, job)
                    continue
                self._lock.wait(timeout=self._due[0][0] - now if self._due else None)

    def _run(self, key: tuple[str, str], job: Callable[[], object]) -> None:
        try:
            job()
        except Exception:
            logger.exception("Home tab publish failed")
        with self._lock:
            member = self._members[key]
            if member.waiting is None:
                member.busy = False
            else:  # asked for while this one ran: once more, at the end of the quiet period
                self._schedule(max(member.next_at, self._clock()), key)
            self._lock.notify_all()

    def forget_quiet_periods(self) -> None:
        """Forget the quiet periods of members with nothing running or waiting (tests start afresh)."""
        with self._lock:
            for key in [k for k, m in self._members.items() if not m.busy]:
                del self._members[key]

    def wait_idle(self, timeout: float, *, flush: bool = False) -> bool:
        """Wait up to ``timeout`` seconds for every running and waiting publish; True if none is left.

        ``flush``: run the waiting ones now instead of at the end of their quiet period (``cebot shell``, one
        person at a terminal, shows each command's Home update with it).
        """
        with self._lock:
            if flush:
                self._flushing += 1
                now = self._clock()
                self._due = sorted((min(when, now), key) for when, key in self._due)
                self._lock.notify_all()
            try:
                return self._lock.wait_for(lambda: not any(m.busy for m in self._members.values()), timeout=timeout)
            finally:
                if flush:
                    self._flushing -= 1


HOME_PUBLISHER = HomePublisher()


def use_progress_for_home(scope: MemberScope, progress: Sequence[Progress],
                          ledgers: Sequence[CredentialLedger] | None = None) -> None:
    """Let this scope's Home refresh use ``progress`` instead of computing it again after the commit.

    ``progress`` must be the member's progress as the transaction leaves it: computed after its last change
    (``/ce log`` computes it for its reply), from ``ledgers`` when given (the plan is then worked out from them
    off the request thread). :func:`refresh_home_after_commit` then reads only the recent courses.
    """
    setattr(scope, _PROGRESS, (tuple(progress), None if ledgers is None else tuple(ledgers)))


def _plan_of(ledgers: Sequence[CredentialLedger], today: date) -> Plan:
    return make_plan([Target(c.requirement_set, c.facts, c.entries) for c in ledgers], today)


def refresh_home_after_commit(scope: MemberScope) -> None:
    """Republish ``scope.member``'s Home tab after the transaction commits (once per scope, however often called).

    With progress handed over by :func:`use_progress_for_home`, the view is built from it and the recent
    courses (one query in this transaction); otherwise it is built from a fresh read after the commit.
    """
    if getattr(scope, _SCHEDULED, False) or scope.member.id is None:
        return
    setattr(scope, _SCHEDULED, True)
    key = (scope.team_id, scope.member.slack_user_id)
    handed: tuple[tuple[Progress, ...], tuple[CredentialLedger, ...] | None] | None = getattr(scope, _PROGRESS, None)
    if handed is not None:
        progress, ledgers = handed
        member = scope.member
        recent, more = recent_entries(session=scope.session, member=member)
        today = scope.today
        plan = None if ledgers is not None else member_plan(session=scope.session, member=member, today=today)
        name, client_now, user_id, fresh = member.display_name, scope.client, member.slack_user_id, _fresh(scope)

        def build_and_publish() -> object:
            view = home_view(name=name, progress=progress, recent=recent, today=today, more_entries=more,
                             plan=plan if ledgers is None else _plan_of(ledgers, today))
            return publish(client_now, user_id, view)

        # A publish that has to wait for the member's quiet period reads the database then, not this view.
        scope.after_commit(lambda: HOME_PUBLISHER.submit(key, build_and_publish, later=fresh))
        return
    refresh = _fresh(scope)
    scope.after_commit(lambda: HOME_PUBLISHER.submit(key, refresh))


def _fresh(scope: MemberScope) -> Callable[[], object]:
    """A publish of ``scope.member``'s tab that reads the database when it runs."""
    bind = scope.session.get_bind()
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    member_id, client = scope.member.id or 0, scope.client
    return lambda: publish_fresh(engine=engine, client=client, member_id=member_id)


__all__ = ["HOME_MIN_INTERVAL_SECONDS", "HOME_PUBLISHER", "HomePublisher", "build_home_view", "publish",
           "publish_fresh", "publish_home", "recent_entries",
           "refresh_home_after_commit", "use_progress_for_home"]
