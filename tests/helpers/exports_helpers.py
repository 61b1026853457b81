"""Seeding for the export, certificate and my-data tests: members with courses and credentials."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.settings import Settings
from cebot.domain.facts import LogRequest
from cebot.domain.parsing import TrackRequest
from cebot.jobs.worker import run_due_jobs
from cebot.models import CEEntry, Member, Workspace
from cebot.services import credentials, ledger, workspaces
from cebot.shell.fake_records import Upload
from cebot.shell.fake_slack import FakeSlack

TODAY = date(2026, 3, 2)


def member(session: Session, user_id: str, name: str = "", *, team_id: str = "T1", role: str = "member") -> Member:
    ws = workspaces.ensure_workspace(session=session, team_id=team_id)
    m = workspaces.ensure_member(session=session, workspace=ws, slack_user_id=user_id, display_name=name or user_id,
                                 timezone="America/New_York")
    m.role = role
    session.add(m)
    session.flush()
    return m


def log(session: Session, m: Member, hours: float, title: str, on: date, *subjects: str, fmt: str = "in_person",
        provider: str | None = "Acme Seminars", approval: str | None = "451234-18") -> CEEntry:
    return ledger.log_entry(session=session, member=m, request=LogRequest(
        hours=int(hours * 4), title=title, completed_on=on, provider=provider, approval_number=approval,
        delivery_format=fmt, subjects=tuple(subjects)))


def track(session: Session, m: Member, key: str, deadline: date, number: str | None = None) -> None:
    credentials.track(session=session, member=m, request=TrackRequest(key=key, deadline=deadline,
                                                                      licence_number=number), today=TODAY)


def seed_maria(engine: Engine) -> dict[str, int]:
    """U1 Maria: FL and NCBTMB tracked, five courses (one over NCBTMB's self-care cap, one with no approval no.)."""
    with Session(engine, expire_on_commit=False) as s:
        maria = member(s, "U1", "Maria Lopez")
        track(s, maria, "FL", date(2027, 8, 31), "MA12345")
        track(s, maria, "NCBTMB", date(2027, 6, 30), "BC998877")
        ids = {
            "ethics": log(s, maria, 3, "Ethics in Touch", date(2025, 11, 3), "ethics").id or 0,
            "selfcare": log(s, maria, 6, "Self-care for Therapists", date(2025, 12, 1), "self_care").id or 0,
            "errors": log(s, maria, 2, "Preventing Medical Errors", date(2026, 1, 10), "medical_errors",
                          fmt="live_online", approval=None).id or 0,
            "injection": log(s, maria, 1.5, "=HYPERLINK(\"x\") <!channel> & Co", date(2026, 2, 1),
                             provider="Ünïcode Académie").id or 0,
            "old": log(s, maria, 4, "Old Course", date(2019, 5, 1)).id or 0,
        }
        s.commit()
        return ids


def seed_sam(engine: Engine) -> int:
    """U2 Sam: FL tracked, one course; returns Sam's member id."""
    with Session(engine, expire_on_commit=False) as s:
        sam = member(s, "U2", "Sam Lee")
        track(s, sam, "FL", date(2027, 8, 31), "MA555")
        log(s, sam, 2, "Sam's Ethics", date(2026, 1, 5), "ethics")
        s.commit()
        assert sam.id is not None
        return sam.id


def make_manager(engine: Engine, user_id: str) -> None:
    with Session(engine) as s:
        ws = s.exec(select(Workspace)).first()
        assert ws is not None
        m = workspaces.ensure_member(session=s, workspace=ws, slack_user_id=user_id)
        m.role = workspaces.MANAGER
        s.add(m)
        s.commit()


def run_jobs(engine: Engine, settings: Settings) -> int:
    """Run every job due now, as ``cebot worker`` would (exports are built and uploaded there); how many ran."""
    return run_due_jobs(engine=engine, settings=settings)


def wait_upload(fake: FakeSlack, *, count: int = 1) -> Upload:
    """The ``count``-th file uploaded through the v2 sequence, after ``files.completeUploadExternal``."""
    fake.wait_for("files.completeUploadExternal", count=count)
    return fake.uploads[count - 1]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
