"""A certificate file's way in, after Slack shared it: download, check, store, read, record; then what to tell
the member. Run by the ``certificate.fetch`` job (:mod:`cebot.jobs.certificate_jobs`) in the job's transaction.

Every outcome is one :class:`Outcome`: the message for the member's DM, and whether a retry could help.
Nothing is recorded for a refused file (not a certificate, too big, corrupt, encrypted, gone from Slack); the
bytes are put in the store only once they passed the checks, and the store is content-addressed, so a retried
job writes the same object again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from cebot.models import Member
from cebot.services import certificate_files as files
from cebot.services import certificates
from cebot.services.credentials import list_credentials
from cebot.services.errors import InvalidRequest
from cebot.services.progress import member_progress
from cebot.slack.render import certificates as render

log = logging.getLogger(__name__)

NCBTMB = "NCBTMB"
GONE_ERRORS = frozenset({"file_not_found", "file_deleted", "access_denied", "not_visible"})


@dataclass(frozen=True)
class Outcome:
    message: dict[str, Any]
    """Keyword arguments for ``chat.postMessage`` (``text``, maybe ``blocks``)."""
    certificate_id: int | None = None
    entry_id: int | None = None
    kept: bool = False


def _text(text: str) -> dict[str, Any]:
    return {"text": text}


def file_info(client: WebClient, file_id: str) -> dict[str, Any] | None:
    """``files.info`` of ``file_id``; None when Slack says it is gone (other errors raise, to be retried)."""
    try:
        response = client.files_info(file=file_id)
    except SlackApiError as exc:
        if str(exc.response.get("error")) in GONE_ERRORS:
            return None
        raise
    return dict(response.get("file") or {})


def tracks_ncbtmb(session: Session, member: Member) -> bool:
    return any(c.requirement_key == NCBTMB for c in list_credentials(session=session, member=member))


def counted_without_certificate(session: Session, member: Member, today: Any) -> int:
    """Counted courses (toward any tracked credential) still without a certificate."""
    ids = sorted({i for p in member_progress(session=session, member=member, today=today)
                  for i in p.counted_entry_ids})
    return len(certificates.entries_without_certificate(session=session, member=member, entry_ids=ids))


def take_in(*, session: Session, member: Member, client: WebClient, store: files.Store, api_base_url: str,
            file_id: str, entry_id: int | None, today: Any) -> Outcome:
    """Download Slack file ``file_id`` with the bot token, check, store and read it, and record it: linked to
    ``entry_id`` (``/ce attach``, the logging form) or as a proposal. Raises :class:`files.Transient` (and Slack
    errors) when a retry may help; every other outcome is a message."""
    info = file_info(client, file_id)
    if info is None:
        return Outcome(_text(render.download_failed("", gone=True)))
    name = str(info.get("name") or info.get("title") or "your file")
    if info.get("user") and info.get("user") != member.slack_user_id:
        return Outcome({})  # not the member's own file (e.g. one cebot sent them): nothing to do
    if int(info.get("size") or 0) > files.MAX_BYTES:
        return Outcome(_text(render.refused(name, "it is over 10 MB.")))
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    try:
        data = files.download(url, token=str(client.token or ""), api_base_url=api_base_url)
        intake = files.inspect(data)
    except files.Gone as exc:
        log.info("file %s could not be downloaded: %s", file_id, exc)
        return Outcome(_text(render.download_failed(name, gone=True)))
    except files.Rejected as exc:
        return Outcome(_text(render.refused(name, exc.reason)))
    stored = store.put(data)
    row, created = certificates.record_file(
        session=session, member=member, sha256=stored.sha256, media_type=stored.media_type or intake.media_type,
        size=stored.size, original_name=name, shared_by=str(info.get("user") or member.slack_user_id),
        slack_file_id=file_id, permalink=info.get("permalink"), reading=intake.reading)
    assert row.id is not None
    missing_fields = list((row.reading or {}).get("ncbtmb_missing") or []) if tracks_ncbtmb(session, member) else []
    if entry_id is not None:
        try:
            attached = certificates.link(session=session, member=member, certificate=row, entry_id=entry_id)
        except InvalidRequest as exc:
            return Outcome(_text(exc.message), certificate_id=row.id, kept=True)
        entry = attached.entry
        missing = counted_without_certificate(session, member, today)
        text = render.attached(entry.id or 0, entry.title, replaced=attached.replaced, missing=missing)
        if missing_fields:
            text += "\n:warning: For NCBTMB this certificate seems to lack: " + ", ".join(missing_fields) + "."
        return Outcome(_text(text), certificate_id=row.id, entry_id=entry.id, kept=True)
    if row.entry_id is not None:
        linked = session.get(certificates.CEEntry, row.entry_id)
        title = linked.title if linked else ""
        return Outcome(_text(render.already_linked(row.entry_id, title)), certificate_id=row.id,
                       entry_id=row.entry_id, kept=True)
    fields = dict((row.reading or {}).get("fields") or {})
    message = render.proposal(certificate_id=row.id, name=name, request=certificates.proposal_request(row),
                              fields=fields, ncbtmb_missing=missing_fields, duplicate=not created,
                              notes=[str(n) for n in (row.reading or {}).get("notes") or []])
    return Outcome(message, certificate_id=row.id, kept=True)
