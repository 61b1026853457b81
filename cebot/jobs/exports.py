"""Export jobs: a member's transcript (PDF or CSV), the team CSV and ``/ce mydata export``, sent to the DM.

The listeners check the request (format, tracked key, manager) and enqueue one of these kinds with the payload
built here; the handler builds the file from the data as it is when the job runs, and uploads it to the
member's DM with the app: ``conversations.open`` for the channel, then ``files_upload_v2``
(``files.getUploadURLExternal``, the upload, ``files.completeUploadExternal``). A Slack error fails the attempt
and the worker retries it; a permanent one (or a refusal such as a member no longer a manager) fails at once
and the member is told.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from slack_sdk import WebClient

from cebot.exports.csv_export import team_csv, transcript_csv
from cebot.exports.pdf import transcript_pdf
from cebot.jobs.registry import JobFailed, JobRun, job_handler
from cebot.models import Member
from cebot.services import exports, mydata
from cebot.slack.render import exports as render

EXPORT_TRANSCRIPT = "export.transcript"
EXPORT_TEAM = "export.team"
MYDATA_EXPORT = "mydata.export"
MYDATA_COUNTED_KEYS = ("credentials", "entries", "entry_changes", "milestones", "deliveries")


def safe_filename(text: str) -> str:
    """Letters, digits, dots and dashes only (names and keys come from users)."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")[:80] or "cebot"


def upload_to_dm(client: WebClient, user_id: str, *, content: bytes, filename: str, title: str,
                 comment: str) -> str | None:
    """Send a file to ``user_id``'s DM with the app; the file id. Slack's errors propagate (the job retries)."""
    opened = client.conversations_open(users=user_id)
    channel = (opened.get("channel") or {}).get("id")
    if not channel:
        raise RuntimeError(f"conversations.open gave no channel for {user_id}")
    response = client.files_upload_v2(channel=channel, content=content, filename=filename, title=title,
                                      initial_comment=comment)
    file = response.get("file") or {}
    return str(file.get("id")) if file.get("id") else None


def _member(run: JobRun) -> Member:
    if run.member is None:
        raise JobFailed("the member who asked for it is gone.")
    return run.member


# --------------------------------------------------------------------------- payloads (for the listeners)


def transcript_job(fmt: str, key: str | None, today: date) -> dict[str, Any]:
    """The payload of an ``export.transcript`` job: ``/ce export pdf|csv [KEY]`` as of the member's ``today``."""
    what = "PDF transcript" if fmt == "pdf" else "CSV transcript"
    retry = f"/ce export {fmt}" + (f" {key}" if key else "")
    return {"fmt": fmt, "key": key, "today": today.isoformat(), "what": what, "retry_with": retry}


def team_job(today: date) -> dict[str, Any]:
    """The payload of an ``export.team`` job (``/ce export team csv``)."""
    return {"today": today.isoformat(), "what": "team CSV", "retry_with": "/ce export team csv"}


def mydata_job(today: date) -> dict[str, Any]:
    """The payload of a ``mydata.export`` job (``/ce mydata export``)."""
    return {"today": today.isoformat(), "what": "copy of your data", "retry_with": "/ce mydata export"}


# --------------------------------------------------------------------------- handlers


@job_handler(EXPORT_TRANSCRIPT)
def send_transcript(run: JobRun) -> None:
    """Build the member's transcript (PDF or CSV) and upload it to their DM."""
    member = _member(run)
    fmt = str(run.payload.get("fmt") or "csv")
    key = run.payload.get("key")
    today = date.fromisoformat(str(run.payload["today"]))
    transcript = exports.member_transcript(session=run.session, member=member, today=today, key=key)
    who = safe_filename(member.display_name or member.slack_user_id)
    name = f"ce-transcript-{who}-{safe_filename(key or 'all')}-{today.isoformat()}.{fmt}"
    content = transcript_pdf(transcript) if fmt == "pdf" else transcript_csv(transcript)
    upload_to_dm(run.client, member.slack_user_id, content=content, filename=name,
                 title=f"CE transcript: {transcript.title}", comment=render.transcript_comment(transcript, fmt))


@job_handler(EXPORT_TEAM)
def send_team_csv(run: JobRun) -> None:
    """Build the team CSV (the member must still be a manager) and upload it to their DM."""
    member = _member(run)
    today = date.fromisoformat(str(run.payload["today"]))
    rows = exports.team_export_rows(session=run.session, workspace=run.workspace, acting=member, today=today)
    stamp = today.isoformat()
    upload_to_dm(run.client, member.slack_user_id, content=team_csv(rows), filename=f"cebot-team-{stamp}.csv",
                 title=f"Team CE progress {stamp}",
                 comment=f"The team's CE progress on {stamp}: {len(rows)} row{'s' if len(rows) != 1 else ''}.")


@job_handler(MYDATA_EXPORT)
def send_my_data(run: JobRun) -> None:
    """Everything cebot keeps about the member, as JSON, to their DM."""
    member = _member(run)
    today = date.fromisoformat(str(run.payload["today"]))
    data = mydata.export_member_data(session=run.session, member=member, workspace=run.workspace)
    content = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
    counts = {k: len(data[k]) for k in MYDATA_COUNTED_KEYS}
    name = f"cebot-my-data-{safe_filename(member.slack_user_id)}-{today.isoformat()}.json"
    upload_to_dm(run.client, member.slack_user_id, content=content, filename=name,
                 title="Everything cebot keeps about you", comment=render.mydata_export_comment(counts))
