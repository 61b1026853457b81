"""The audit packet: /ce export audit KEY [cycle] sends a ZIP with the transcript, the certificate files, an index
and the counted courses without a certificate; it still holds a file Slack has deleted."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import date

import pytest
from certificate_helpers import MemoryStore, certificate_bytes, use_memory_store
from exports_helpers import TODAY, log, member, pdf_text, run_jobs, seed_maria, track, wait_upload
from slackharness import SlackHarness
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.domain.parsing import ParseError, parse_audit
from cebot.exports.audit import certificate_name, file_title
from cebot.models import Member
from cebot.services import audit, certificates
from cebot.settings import Settings
from cebot.slack.render import certificates as render


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    return use_memory_store(monkeypatch)


def keep(session: Session, m: Member, store: MemoryStore, entry_id: int, data: bytes, file_id: str) -> str:
    stored = store.put(data)
    row, _ = certificates.record_file(session=session, member=m, sha256=stored.sha256, media_type=stored.media_type,
                                      size=stored.size, original_name="c.pdf", shared_by=m.slack_user_id,
                                      slack_file_id=file_id, permalink=None, reading=None)
    certificates.link(session=session, member=m, certificate=row, entry_id=entry_id)
    return stored.sha256


def open_zip(data: bytes) -> tuple[zipfile.ZipFile, list[dict[str, str]]]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    index = list(csv.DictReader(io.StringIO(zf.read("index.csv").decode("utf-8-sig"))))
    return zf, index


def test_audit_packet_holds_transcript_files_index_and_missing_page(slack: SlackHarness, engine: Engine,
                                                                    slack_settings: Settings,
                                                                    store: MemoryStore) -> None:
    """The ZIP opens with zipfile; its transcript parses with pypdf; every file is in the index with its sha256;
    the counted courses without a stored certificate are listed on their own page."""
    ids = seed_maria(engine)
    with Session(engine, expire_on_commit=False) as s:
        maria = s.exec(select(Member).where(Member.slack_user_id == "U1")).one()
        sha = keep(s, maria, store, ids["ethics"], certificate_bytes("Ethics in Touch"), "F0ETH")
        s.commit()
    reply = slack.ask("export audit FL", user="U1")
    assert "audit packet" in reply.text
    run_jobs(engine, slack_settings)
    upload = wait_upload(slack.fake)
    assert upload.filename.startswith("cebot-audit-FL-current-")
    zf, index = open_zip(upload.data)
    names = set(zf.namelist())
    assert {"transcript.pdf", "index.csv", "missing-certificates.pdf"} <= names
    assert "Continuing education transcript" in pdf_text(zf.read("transcript.pdf"))
    files = [n for n in names if n.startswith("certificates/")]
    assert files == ["certificates/2025-11-03 Ethics in Touch.pdf"]
    rows = {r["file"]: r for r in index if r["file"]}
    assert set(rows) == set(files)
    for name, row in rows.items():
        assert hashlib.sha256(zf.read(name)).hexdigest() == row["sha256"] == sha
    assert {r["certificate"] for r in index if not r["file"]} <= {"none"}
    missing = pdf_text(zf.read("missing-certificates.pdf"))
    assert "Preventing Medical Errors" in missing
    assert "Ethics in Touch" not in missing
    comment = slack.fake.last("files.completeUploadExternal").get("initial_comment") or ""
    assert "1 certificate file" in comment


def test_a_stored_file_survives_slack_deleting_it(slack: SlackHarness, engine: Engine, slack_settings: Settings,
                                                  store: MemoryStore) -> None:
    """Saved from the DM, then deleted in Slack (the fake answers 404): the packet still holds the stored bytes."""
    seed_maria(engine)
    data = certificate_bytes("Myofascial Release", "6", "2026-01-05")
    file_id = str(slack.fake.share_file("U1", "mfr.pdf", data)["id"])
    slack.event({"type": "file_shared", "file_id": file_id, "user_id": "U1", "channel_id": "DU1",
                 "file": {"id": file_id}})
    slack.fake.wait_for("chat.postMessage")
    run_jobs(engine, slack_settings)
    proposal = slack.fake.wait_for("chat.postMessage", count=2)
    value = next(e["value"] for b in proposal["blocks"] for e in b.get("elements") or []
                 if e.get("action_id") == render.SAVE_ACTION)
    slack.action(render.SAVE_ACTION, value=value, channel="DU1")
    slack.fake.wait_for_response()
    slack.fake.delete_file(file_id)
    import urllib.error
    import urllib.request
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(urllib.request.Request(
            f"{slack.fake.base_url}/files/{file_id}/download", headers={"Authorization": "Bearer xoxb-test-token"}))
    assert gone.value.code == 404
    slack.ask("export audit NCBTMB", user="U1")
    run_jobs(engine, slack_settings)
    zf, index = open_zip(wait_upload(slack.fake).data)
    assert zf.read("certificates/2026-01-05 Myofascial Release.pdf") == data
    assert [r["certificate"] for r in index if r["title"] == "Myofascial Release"] == ["stored"]


def test_slack_only_certificates_are_listed_as_such(engine: Engine, store: MemoryStore) -> None:
    """A certificate attached before cebot kept files (a Slack link only) is marked so and listed as missing."""
    with Session(engine, expire_on_commit=False) as s:
        m = member(s, "U7", "Seven")
        track(s, m, "FL", date(2027, 8, 31))
        e = log(s, m, 3, "Old link course", date(2026, 1, 5), "ethics")
        e.certificate_ref, e.certificate_url = "F0OLD", "https://x.slack.com/files/F0OLD"
        s.add(certificates.Certificate(workspace_id=m.workspace_id, member_id=m.id or 0, entry_id=e.id,
                                       slack_file_id="F0OLD", stored=False))
        s.flush()
        packet = audit.audit_packet(session=s, member=m, store=store, key="FL", cycle="current", today=TODAY,
                                    filename="a.zip")
    zf, index = open_zip(packet.data)
    assert [r["certificate"] for r in index] == ["Slack only, not stored"]
    assert "Slack only" in pdf_text(zf.read("missing-certificates.pdf"))
    assert packet.missing == 1
    assert packet.files == 0


def test_a_named_cycle_is_the_one_ending_that_year(engine: Engine, store: MemoryStore) -> None:
    """``previous`` and a year pick the cycle before; a course of that cycle is in that packet only."""
    with Session(engine, expire_on_commit=False) as s:
        m = member(s, "U8", "Eight")
        track(s, m, "FL", date(2027, 8, 31))
        log(s, m, 3, "Last cycle course", date(2024, 3, 1), "ethics")
        log(s, m, 2, "This cycle course", date(2026, 1, 5), "ethics")
        current = audit.audit_transcript(session=s, member=m, key="FL", cycle="current", today=TODAY)
        previous = audit.audit_transcript(session=s, member=m, key="FL", cycle="previous", today=TODAY)
        by_year = audit.audit_transcript(session=s, member=m, key="FL", cycle="2025", today=TODAY)
        with pytest.raises(certificates.NotFound):
            audit.audit_transcript(session=s, member=m, key="FL", cycle="2020", today=TODAY)  # FL ends odd years
        with pytest.raises(certificates.NotFound):
            audit.audit_transcript(session=s, member=m, key="TX", cycle="current", today=TODAY)
    assert [r.entry.title for r in current.rows] == ["This cycle course"]
    assert [r.entry.title for r in previous.rows] == ["Last cycle course"]
    assert previous.title == by_year.title


def test_audit_request_grammar() -> None:
    """``/ce export audit KEY [current|previous|YYYY|YYYY-MM-DD]``; anything else says what to write."""
    assert parse_audit("fl").key == "FL"
    assert parse_audit("FL previous").cycle == "previous"
    assert parse_audit("FL 2025").cycle == "2025"
    assert parse_audit("FL 2025-06-30").cycle == "2025-06-30"
    for bad in ("", "FL someday", "FL 2025-13-01", "FL 2025 extra"):
        with pytest.raises(ParseError):
            parse_audit(bad)


def test_untracked_key_is_answered_at_once(slack: SlackHarness, engine: Engine) -> None:
    """/ce export audit for a credential the member does not track says so, and records no job."""
    seed_maria(engine)
    reply = slack.ask("export audit TX", user="U1")
    assert "not tracking TX" in reply.text


def test_certificate_file_names() -> None:
    """Files are named ``YYYY-MM-DD title.ext``, safe on every system, and never collide."""
    taken: set[str] = set()
    assert certificate_name(date(2026, 1, 5), "Ethics: A/B <1>", "application/pdf", taken) == \
        "2026-01-05 Ethics A B 1.pdf"
    assert certificate_name(date(2026, 1, 5), "Ethics: A/B <1>", "image/jpeg", taken) == "2026-01-05 Ethics A B 1.jpg"
    assert certificate_name(date(2026, 1, 5), "Ethics A B 1", "application/pdf", taken) == \
        "2026-01-05 Ethics A B 1 (2).pdf"
    assert file_title("...") == "course"
    assert len(file_title("x" * 300)) <= 80


def test_home_audit_button_sends_the_packet(slack: SlackHarness, engine: Engine, slack_settings: Settings,
                                            store: MemoryStore) -> None:
    """The Home tab's *Audit packet* button of a credential queues its packet, says so in the DM, and the job
    uploads the ZIP; a replay of the same click makes no second packet."""
    seed_maria(engine)
    view = {"type": "home", "id": "VHOME", "blocks": []}
    for _ in range(2):  # Slack retrying the same click (same trigger id)
        result = slack.action(render.AUDIT_ACTION, value="FL", user="U1", view=view,
                              extra={"trigger_id": "trigger-audit-1"})
        assert result.status == 200
    started = slack.fake.wait_for("chat.postMessage")
    assert "Making your FL audit packet" in started.text
    run_jobs(engine, slack_settings)
    upload = wait_upload(slack.fake)
    assert len(slack.fake.uploads) == 1
    assert upload.filename.startswith("cebot-audit-FL-current-")
    zf, _ = open_zip(upload.data)
    assert "transcript.pdf" in zf.namelist()
