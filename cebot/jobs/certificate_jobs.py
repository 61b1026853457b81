"""Certificate jobs: take in a shared file (``certificate.fetch``), tell the member (``certificate.tell``), and
build and send the audit packet (``certificate.audit``). Registered by :mod:`cebot.jobs.kinds`.

``certificate.fetch`` records what it found in the job's transaction and, in that same transaction, enqueues
``certificate.tell`` with the message: the member hears "kept" or "read" only once the row is committed
(commit before you confirm), and a retried fetch enqueues the same tell job (its key is the fetch job's id), so
the member is told once.
"""

from __future__ import annotations

import logging
from typing import Any

from cebot.jobs import certificate_intake as intake
from cebot.jobs.exports import upload_to_dm
from cebot.jobs.registry import JobFailed, JobRun, RetryLater, job_handler
from cebot.services import audit, jobs
from cebot.services import certificate_files as files
from cebot.slack.context import member_today
from cebot.slack.dm import post_dm
from cebot.slack.render import certificates as render

log = logging.getLogger(__name__)

FETCH = "certificate.fetch"
TELL = "certificate.tell"
AUDIT = "certificate.audit"


def enqueue_fetch(*, session: Any, workspace: Any, member: Any, file_id: str, entry_id: int | None,
                  origin: str) -> bool:
    """Record the job that takes in Slack file ``file_id`` (once per member, file and way in: a replayed event
    makes no second job)."""
    return jobs.enqueue(session=session, workspace=workspace, member=member, kind=FETCH,
                        key=f"{workspace.id}:{member.id}:{file_id}:{origin}",
                        payload={"file_id": file_id, "entry_id": entry_id, "origin": origin, "what": "certificate"})


def enqueue_audit(*, session: Any, workspace: Any, member: Any, key: str, cycle: str, request_id: str) -> bool:
    return jobs.enqueue(session=session, workspace=workspace, member=member, kind=AUDIT,
                        key=f"{workspace.id}:{member.id}:{request_id}",
                        payload={"key": key, "cycle": cycle, "what": f"{key} audit packet",
                                 "retry_with": f"/ce export audit {key}"})


def _tell(run: JobRun, message: dict[str, Any]) -> None:
    assert run.member is not None
    jobs.enqueue(session=run.session, workspace=run.workspace, member=run.member, kind=TELL,
                 key=f"job:{run.job_id}", payload={"message": message, "what": "message"})


def _fetch_failed(run: JobRun, reason: str) -> None:
    """After the last attempt: say the file was not kept (nothing was: the job's writes rolled back)."""
    if run.member is not None:
        post_dm(run.client, run.member.slack_user_id, team_id=run.workspace.team_id, text=render.keep_failed(reason))


@job_handler(FETCH, on_failure=_fetch_failed)
def fetch(run: JobRun) -> None:
    if run.member is None:
        raise JobFailed("nobody to keep the certificate for.")
    entry_id = run.payload.get("entry_id")
    try:
        outcome = intake.take_in(
            session=run.session, member=run.member, client=run.client, store=files.open_store(run.settings),
            api_base_url=run.settings.slack_api_url, file_id=str(run.payload["file_id"]),
            entry_id=int(entry_id) if isinstance(entry_id, int) else None, today=member_today(run.member))
    except files.Transient as exc:
        raise RetryLater(f"Slack's file download failed ({exc}).") from exc
    if outcome.message:
        _tell(run, outcome.message)


def _tell_failed(run: JobRun, reason: str) -> None:
    """A DM that could not be sent after every retry: another DM to say so would fail the same way."""
    log.error("could not DM member %s about their certificate: %s", run.member.id if run.member else None, reason)


@job_handler(TELL, on_failure=_tell_failed)
def tell(run: JobRun) -> None:
    if run.member is not None:
        post_dm(run.client, run.member.slack_user_id, team_id=run.workspace.team_id, **dict(run.payload["message"]))


@job_handler(AUDIT)
def audit_packet(run: JobRun) -> None:
    if run.member is None:
        raise JobFailed("nobody to send the packet to.")
    key, cycle = str(run.payload["key"]), str(run.payload.get("cycle") or "current")
    today = member_today(run.member)
    name = f"cebot-audit-{files.safe_name(key)}-{files.safe_name(cycle)}-{today.isoformat()}.zip"
    packet = audit.audit_packet(session=run.session, member=run.member, store=files.open_store(run.settings),
                                key=key, cycle=cycle, today=today, filename=name)
    upload_to_dm(run.client, run.member.slack_user_id, content=packet.data, filename=packet.filename,
                 title=f"{key} audit packet",
                 comment=render.audit_comment(key, packet.title, files=packet.files, missing=packet.missing))
