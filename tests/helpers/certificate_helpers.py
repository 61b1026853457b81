"""Helpers for the certificate flow tests: an in-memory store and a stand-in reader, patched into
``cebot.services.certificate_files`` (the real store and reader are tested in their own package's tests).

A stand-in certificate is text: ``%PDF-1.7`` then ``Field: value`` lines (Title, Hours, Date, Provider,
Approval, Format, Missing); anything else is refused as "not a certificate".
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fpdf import FPDF
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.certificates import store_from_settings
from cebot.core.settings import Settings
from cebot.services import certificate_files, certificates, tenancy
from tests.helpers.exports_helpers import member


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    media_type: str


class MemoryStore:
    """A content-addressed store in a dict (``put``/``get``/``delete`` like the real ones)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def put(self, data: bytes) -> StoredFile:
        sha = hashlib.sha256(data).hexdigest()
        with self.lock:
            self.objects[sha] = data
        return StoredFile(sha, len(data), "application/pdf" if data.startswith(b"%PDF") else "image/png")

    def get(self, sha256: str) -> bytes:
        with self.lock:
            return self.objects[sha256]  # KeyError, like the real stores' CertificateNotFound

    def delete(self, sha256: str) -> None:
        with self.lock:
            self.objects.pop(sha256, None)


def certificate_pdf(title: str = "Ethics in Massage") -> bytes:
    """A real one-page PDF (fpdf2) that the stores and the sniffer accept; the same title gives the same bytes."""
    doc = FPDF()
    doc.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))  # same title, same bytes
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.cell(0, 10, f"Course Title: {title}")
    return bytes(doc.output())


def certificate_bytes(title: str = "Ethics in Touch", hours: str = "3", day: str = "2026-01-05", *,
                      provider: str = "Acme Seminars", approval: str = "451234-18", fmt: str = "in_person",
                      missing: str = "") -> bytes:
    lines = ["%PDF-1.7", f"Title: {title}", f"Hours: {hours}", f"Date: {day}", f"Provider: {provider}",
             f"Approval: {approval}", f"Format: {fmt}"]
    if missing:
        lines.append(f"Missing: {missing}")
    return "\n".join(lines).encode()


def fake_inspect(data: bytes) -> certificate_files.Intake:
    if data.startswith(b"%PDF-encrypted"):
        raise certificate_files.Rejected("the PDF is password-protected, so I can't read it.")
    if not data.startswith(b"%PDF-1.7"):
        raise certificate_files.Rejected("it isn't a PDF, JPEG, PNG, HEIC or WebP file.")
    pairs = dict(line.split(": ", 1) for line in data.decode().splitlines()[1:] if ": " in line)
    if "Title" not in pairs:
        raise certificate_files.Rejected("it doesn't look like a CE certificate.")
    fields: dict[str, Any] = {"title": pairs["Title"], "completed_on": pairs.get("Date"),
                              "provider": pairs.get("Provider"), "approval_number": pairs.get("Approval"),
                              "delivery_format": pairs.get("Format")}
    if pairs.get("Hours"):
        fields["hours_q"] = int(float(pairs["Hours"]) * 4)
    missing = [m.strip() for m in pairs.get("Missing", "").split(",") if m.strip()]
    return certificate_files.Intake(media_type="application/pdf",
                                    reading={"fields": fields, "ncbtmb_missing": missing})


def use_memory_store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    """Patch the store and the reader the flow uses; returns the store."""
    store = MemoryStore()
    monkeypatch.setattr(certificate_files, "open_store", lambda settings: store)
    monkeypatch.setattr(certificate_files, "inspect", fake_inspect)
    return store


def uninstalled_with_a_file(engine: Engine, settings: Settings, team: str, uninstalled_at: datetime) -> str:
    """A workspace with a member whose certificate is in the settings' store, uninstalled at ``uninstalled_at``;
    the file's hash."""
    store = store_from_settings(settings)
    with Session(engine, expire_on_commit=False) as s:
        m = member(s, "U1", team_id=team)
        stored = store.put(certificate_pdf(f"Course of {team}"))
        certificates.record_file(session=s, member=m, sha256=stored.sha256, media_type=stored.media_type,
                                 size=stored.size, original_name="c.pdf", shared_by="U1", slack_file_id=None,
                                 permalink=None, reading=None)
        tenancy.mark_uninstalled(session=s, team_id=team, now=uninstalled_at)
        s.commit()
    return stored.sha256
