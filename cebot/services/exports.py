"""What the exports are built from: a member's transcript, the team's rows, the team chart's rows.

Each function reads in a constant number of queries (progress as
:mod:`cebot.services.progress` computes it, plus one query for the member's
courses with every column an auditor asks about) and returns plain data that
``cebot.exports`` turns into a PDF, a CSV or a PNG.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from cebot.domain.hours import format_hours
from cebot.domain.progress import Progress
from cebot.domain.transcript import Transcript, TranscriptEntry, build_transcript
from cebot.exports.chart import ChartRow
from cebot.exports.csv_export import TeamRow
from cebot.models import CEEntry, Credential, Member, Workspace
from cebot.services.credentials import list_credentials
from cebot.services.errors import NotFound
from cebot.services.progress import LOOKBACK_MONTHS, MemberProgress, member_progress, team_progress
from cebot.services.workspaces import require_manager

log = logging.getLogger(__name__)


def transcript_entries(*, session: Session, member: Member) -> list[TranscriptEntry]:
    """Every live course of the member, oldest first, with the fields a transcript shows (one query)."""
    rows = session.exec(
        select(CEEntry).where(
            CEEntry.workspace_id == member.workspace_id,
            CEEntry.member_id == member.id,
            col(CEEntry.deleted_at).is_(None),
        ).order_by(col(CEEntry.completed_on), col(CEEntry.id))
    )
    return [
        TranscriptEntry(
            id=e.id or 0, title=e.title, completed_on=e.completed_on, hours=e.hours_q,
            delivery_format=e.delivery_format, subjects=tuple(e.subjects or ()), provider=e.provider,
            approval_number=e.approval_number, certificate_ref=e.certificate_ref,
            certificate_url=e.certificate_url, notes=e.notes,
        )
        for e in rows
    ]


def _licence_numbers_of(session: Session, member: Member, key: str | None) -> tuple[dict[str, str | None],
                                                                                    str | None]:
    credentials = list_credentials(session=session, member=member)
    numbers = {c.requirement_key: c.licence_number for c in credentials}
    if key is not None:
        key = key.strip().upper()
        if key not in numbers:
            tracked = ", ".join(sorted(numbers)) or "nothing yet"
            raise NotFound(f"You're not tracking {key} (you track: {tracked}). Start with /ce track {key}, or "
                           "export every course with /ce export pdf.")
    return numbers, key


def require_tracked(*, session: Session, member: Member, key: str | None) -> None:
    """NotFound when the member does not track ``key`` (None: every course, always fine); one query."""
    _licence_numbers_of(session, member, key)


def member_transcript(*, session: Session, member: Member, today: date, key: str | None = None) -> Transcript:
    """The member's transcript for ``key``'s current cycle, or of every course when ``key`` is None.

    NotFound when the member does not track ``key``.
    """
    numbers, key = _licence_numbers_of(session, member, key)
    progress = member_progress(session=session, member=member, today=today, lookback_months=LOOKBACK_MONTHS)
    entries = transcript_entries(session=session, member=member)
    return build_transcript(member_name=member.display_name or member.slack_user_id, entries=entries,
                            progress=progress, generated_on=today, key=key, licence_numbers=numbers)


def _missing_text(p: Progress) -> str:
    parts = [f"{r.label} {format_hours(r.remaining)} h" for r in p.subject_rows if r.remaining > 0]
    if p.in_person is not None and p.in_person.remaining > 0:
        parts.append(f"in person {format_hours(p.in_person.remaining)} h")
    if p.needs:
        parts.append(p.needs)
    return "; ".join(parts)


def _team(session: Session, workspace: Workspace, today: date) -> list[MemberProgress]:
    return team_progress(session=session, workspace=workspace, today=today)


def team_export_rows(*, session: Session, workspace: Workspace, acting: Member, today: date) -> list[TeamRow]:
    """One row per member and tracked credential, those who need help first (managers only)."""
    require_manager(acting, "export the team's progress")
    team = _team(session, workspace, today)
    numbers = _licence_numbers(session, workspace)
    rows = []
    for mp in team:
        name = mp.member.display_name or mp.member.slack_user_id
        for p in mp.progress:
            rows.append(TeamRow(
                member=name, slack_user_id=mp.member.slack_user_id, credential=p.key, credential_name=p.name,
                licence_number=numbers.get((mp.member.id or 0, p.key)), status=p.status.value,
                deadline=p.deadline, days_left=p.days_left, required=p.required, counted=p.counted,
                remaining=p.remaining, missing=_missing_text(p), without_certificate=p.entries_without_certificate,
            ))
    return rows


def _licence_numbers(session: Session, workspace: Workspace) -> dict[tuple[int, str], str | None]:
    rows = session.exec(select(col(Credential.member_id), col(Credential.requirement_key),
                               col(Credential.licence_number)).where(Credential.workspace_id == workspace.id))
    return {(m, k): n for m, k, n in rows}


def chart_rows(team: Sequence[MemberProgress]) -> list[ChartRow]:
    """The team chart's rows from :func:`cebot.services.progress.team_progress` (credentials with hours)."""
    out = []
    for mp in team:
        name = mp.member.display_name or mp.member.slack_user_id
        for p in mp.progress:
            if p.status.value == "exempt" and p.required == 0 and p.counted == 0:
                continue
            out.append(ChartRow(member=name, credential=p.key, counted=p.counted,
                                required=p.required, status=p.status.value))
    return out


def team_chart_rows(*, session: Session, workspace: Workspace, today: date) -> list[ChartRow]:
    """:func:`chart_rows` for the workspace as of ``today`` (at most 4 queries)."""
    return chart_rows(_team(session, workspace, today))


def summary_chart_rows(*, session: Session, workspace_id: int, today: date) -> list[ChartRow]:
    """The weekly summary's chart rows (empty when the workspace is gone or the chart cannot be built)."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        return []
    try:
        return team_chart_rows(session=session, workspace=workspace, today=today)
    except Exception:  # a chart must never stop the summary itself
        log.exception("team chart rows failed for workspace %s", workspace_id)
        return []
