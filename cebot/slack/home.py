"""The App Home tab: built from a member's progress and published on open and after every change.

Listeners that change a member's data call :func:`refresh_home_after_commit` with
their scope, so the Home tab is republished once the transaction has committed,
from a fresh read in its own short session (member progress is at most 3 queries,
the recent courses one more). A listener that has just computed the member's progress
as its transaction leaves it (``/ce log`` shows it in its reply) hands it over with
:func:`use_progress_for_home`, and only the recent courses are read. Publishing never fails the request: a Web API error
is logged and the tab is brought up to date on the next open.

The after-commit publish runs on a small pool of its own (:data:`HOME_PUBLISHER`), never on a listener thread, so a
hanging Slack cannot fill Bolt's listener threads and delay other requests' acks. Per member, the latest view wins:
a publish queued behind a running one for the same member is replaced by a newer one, and at most
``HOME_PUBLISH_BACKLOG`` members wait at once (more are dropped, logged; their tab catches up on the next open).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.db import session_scope
from cebot.domain.progress import Progress
from cebot.models import Member
from cebot.services import ledger
from cebot.services.progress import member_progress
from cebot.slack.context import MemberScope, member_today
from cebot.slack.render.home import RECENT_COUNT, RecentEntry, home_view

logger = logging.getLogger(__name__)

HOME_PUBLISH_THREADS = 4
HOME_PUBLISH_BACKLOG = 256

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
    progress = member_progress(session=session, member=member, today=today)
    recent, more = recent_entries(session=session, member=member)
    return home_view(name=member.display_name, progress=progress, recent=recent, today=today, more_entries=more)


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


class HomePublisher:
    """Runs Home-tab publishes off the listener threads: bounded, and per member only the latest one waits."""

    def __init__(self, *, threads: int = HOME_PUBLISH_THREADS, backlog: int = HOME_PUBLISH_BACKLOG) -> None:
        from cebot.slack.background import ContextThreadPoolExecutor

        self._executor = ContextThreadPoolExecutor(max_workers=threads, thread_name_prefix="cebot-home")
        self._backlog = backlog
        self._lock = threading.Condition()
        self._active: set[tuple[str, str]] = set()
        self._next: dict[tuple[str, str], Callable[[], object]] = {}

    def submit(self, key: tuple[str, str], job: Callable[[], object]) -> bool:
        """Run ``job`` for member ``key`` soon; False (logged) when too many members are waiting."""
        with self._lock:
            if key in self._active:
                self._next[key] = job
                return True
            if len(self._active) >= self._backlog:
                logger.warning("Home tab publish for %s dropped: %d publishes waiting", key[1], len(self._active))
                return False
            self._active.add(key)
        self._executor.submit(self._run, key, job)
        return True

    def _run(self, key: tuple[str, str], job: Callable[[], object] | None) -> None:
        while job is not None:
            try:
                job()
            except Exception:
                logger.exception("Home tab publish failed")
            with self._lock:
                job = self._next.pop(key, None)
                if job is None:
                    self._active.discard(key)
                    self._lock.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every queued publish to finish; True if none is left."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._active, timeout=timeout)


HOME_PUBLISHER = HomePublisher()


def use_progress_for_home(scope: MemberScope, progress: Sequence[Progress]) -> None:
    """Let this scope's Home refresh use ``progress`` instead of computing it again after the commit.

    ``progress`` must be the member's progress as the transaction leaves it: computed after its last change
    (``/ce log`` computes it for its reply). :func:`refresh_home_after_commit` then reads only the recent courses.
    """
    setattr(scope, _PROGRESS, tuple(progress))


def refresh_home_after_commit(scope: MemberScope) -> None:
    """Republish ``scope.member``'s Home tab after the transaction commits (once per scope, however often called).

    With progress handed over by :func:`use_progress_for_home`, the view is built now from it and the recent
    courses (one query in this transaction); otherwise it is built from a fresh read after the commit.
    """
    if getattr(scope, _SCHEDULED, False) or scope.member.id is None:
        return
    setattr(scope, _SCHEDULED, True)
    key = (scope.team_id, scope.member.slack_user_id)
    progress: tuple[Progress, ...] | None = getattr(scope, _PROGRESS, None)
    if progress is not None:
        member = scope.member
        recent, more = recent_entries(session=scope.session, member=member)
        view = home_view(name=member.display_name, progress=progress, recent=recent, today=scope.today,
                         more_entries=more)
        client_now, user_id = scope.client, member.slack_user_id
        scope.after_commit(lambda: HOME_PUBLISHER.submit(key, lambda: publish(client_now, user_id, view)))
        return
    bind = scope.session.get_bind()
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    member_id, client = scope.member.id, scope.client

    def refresh() -> None:
        publish_fresh(engine=engine, client=client, member_id=member_id)

    scope.after_commit(lambda: HOME_PUBLISHER.submit(key, refresh))


__all__ = ["HOME_PUBLISHER", "HomePublisher", "build_home_view", "publish",
           "publish_fresh", "publish_home", "recent_entries",
           "refresh_home_after_commit", "use_progress_for_home"]
