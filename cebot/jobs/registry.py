"""Job kinds and their handlers: what a handler gets (:class:`JobRun`), how it fails, and the registry.

Feature modules register their handlers with :func:`job_handler`; :mod:`cebot.jobs.kinds` imports every such
module, and :mod:`cebot.jobs.worker` runs them. (This module imports neither, so a feature module importing it
never makes an import cycle with the worker.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.core.settings import Settings
from cebot.models import Member, Workspace
from cebot.slack.dm import post_dm


@dataclass(frozen=True)
class JobRun:
    """What a handler gets: its own transaction, the workspace's bot client and the job's data."""

    engine: Engine
    settings: Settings
    session: Session
    """The job's own transaction: it commits with the job marked done, or rolls back if the handler raises."""
    workspace: Workspace
    member: Member | None
    payload: dict[str, Any]
    client: WebClient
    """The workspace's bot client (a fresh token in OAuth mode)."""
    attempt: int
    """1 for the first try."""
    job_id: int = 0
    kind: str = ""


Handler = Callable[[JobRun], None]
OnFailure = Callable[[JobRun, str], None]


class RetryLater(Exception):
    """Raise from a handler to try again after the backoff (logged as a warning, without a traceback)."""


class JobFailed(Exception):
    """Raise from a handler when no retry can help; ``str(exc)`` is the reason the member is told."""


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    on_failure: OnFailure


def notify_member(run: JobRun, reason: str) -> None:
    """The default ``on_failure``: DM the member who asked what failed, why, and what to do.

    The payload may name the work (``"what"``: "PDF transcript") and the command that asks for it again
    (``"retry_with"``: "/ce export pdf").
    """
    from cebot.slack.render.jobs import job_failed_dm

    if run.member is None:
        return
    what = str(run.payload.get("what") or "request")
    retry = run.payload.get("retry_with")
    post_dm(run.client, run.member.slack_user_id, team_id=run.workspace.team_id, text=job_failed_dm(what, reason,
                                                                                      str(retry) if retry else None))


JOB_HANDLERS: dict[str, JobKind] = {}
"""Every job kind this process can run, by name (filled by :mod:`cebot.jobs.kinds`)."""


def job_handler(kind: str, *, on_failure: OnFailure | None = None) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``kind`` (``on_failure``: default :func:`notify_member`).

    The handler raises to fail the attempt: :class:`RetryLater` or any exception retries with backoff,
    :class:`JobFailed` or a ``ServiceError`` fails at once. It must be safe to run again (see the module doc).
    """
    if len(kind) > 32:
        raise ValueError(f"job kind {kind!r} is longer than the column (32)")

    def register(handler: Handler) -> Handler:
        JOB_HANDLERS[kind] = JobKind(kind, handler, on_failure or notify_member)
        return handler

    return register
