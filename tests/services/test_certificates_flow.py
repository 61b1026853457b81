"""A certificate shared in cebot's DM: downloaded with the bot token, stored, read, proposed, saved once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cebot.core.settings import Settings
from cebot.models import CEEntry, Certificate, Job
from cebot.services import certificate_files
from cebot.shell.fake_records import Call
from cebot.slack.render import certificates as render
from cebot.slack.render import ledger as ledger_render
from cebot.slack.render.exports import CERTIFICATE_BLOCK
from cebot.testing.certificate_corpus import make_truths, render_pdf
from tests.helpers.certificate_helpers import MemoryStore, certificate_bytes, use_memory_store
from tests.helpers.exports_helpers import member, run_jobs, seed_maria
from tests.helpers.slackharness import SlackHarness, date_value, multi_select_value, select_value, text_value


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    return use_memory_store(monkeypatch)


def share(slack: SlackHarness, data: bytes, name: str = "cert.pdf", *, user: str = "U1") -> str:
    """``user`` shares a file in cebot's DM; returns its id once cebot said it is reading it."""
    before = len(slack.fake.calls("chat.postMessage"))
    file_id = str(slack.fake.share_file(user, name, data)["id"])
    result = slack.event({"type": "file_shared", "file_id": file_id, "user_id": user, "channel_id": "D" + user,
                          "file": {"id": file_id}})
    assert result.status == 200
    slack.fake.wait_for("chat.postMessage", count=before + 1)
    return file_id


def dm_after(slack: SlackHarness, engine: Engine, settings: Settings) -> Call:
    """Run the jobs, then the last DM cebot sent."""
    before = len(slack.fake.calls("chat.postMessage"))
    run_jobs(engine, settings)
    return slack.fake.wait_for("chat.postMessage", count=before + 1)


def button(call: Call, action_id: str) -> dict[str, Any]:
    for block in call.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} button in {call.text}")


def certificates_of(engine: Engine) -> list[Certificate]:
    with Session(engine) as s:
        return list(s.exec(select(Certificate).order_by(col(Certificate.id))))


def titled(engine: Engine, title: str) -> list[CEEntry]:
    with Session(engine) as s:
        return list(s.exec(select(CEEntry).where(CEEntry.title == title)))


def test_shared_file_is_proposed_and_nothing_saved_until_save(slack: SlackHarness, engine: Engine,
                                                             slack_settings: Settings, store: MemoryStore) -> None:
    """A certificate shared in the DM is downloaded with the bot token, stored, and proposed with Save and Edit;
    no course is logged before the click."""
    seed_maria(engine)
    data = certificate_bytes("Myofascial Release", "6", "2026-01-05")
    file_id = share(slack, data)
    proposal = dm_after(slack, engine, slack_settings)
    assert "Myofascial Release" in json.dumps(proposal.get("blocks"))
    assert "6 h" in json.dumps(proposal.get("blocks"))
    button(proposal, render.SAVE_ACTION)
    button(proposal, render.EDIT_ACTION)
    downloads = [d for d in slack.fake.downloads if d[0] == file_id]
    assert downloads == [(file_id, "Bearer xoxb-test-token")]
    [row] = certificates_of(engine)
    assert row.entry_id is None
    assert row.stored
    assert row.size == len(data)
    assert store.get(row.sha256 or "") == data
    assert titled(engine, "Myofascial Release") == []


def test_save_logs_the_course_as_read_exactly_once(slack: SlackHarness, engine: Engine, slack_settings: Settings,
                                                   store: MemoryStore) -> None:
    """Save logs the course with the fields read and links the stored file; a replayed click logs nothing more."""
    seed_maria(engine)
    share(slack, certificate_bytes("Myofascial Release", "6", "2026-01-05", approval="AP-77"))
    proposal = dm_after(slack, engine, slack_settings)
    value = button(proposal, render.SAVE_ACTION)["value"]
    first = slack.action(render.SAVE_ACTION, value=value, channel="DU1")
    assert "Logged" in slack.fake.wait_for_response(first.response_url).payload["text"]
    second = slack.action(render.SAVE_ACTION, value=value, channel="DU1")
    assert "Already saved" in slack.fake.wait_for_response(second.response_url).payload["text"]
    [entry] = titled(engine, "Myofascial Release")
    assert (entry.hours_q, entry.completed_on, entry.approval_number) == (24, date(2026, 1, 5), "AP-77")
    [row] = certificates_of(engine)
    assert row.entry_id == entry.id
    assert entry.certificate_ref == row.slack_file_id


def test_attach_then_share_keeps_a_copy_with_that_course(slack: SlackHarness, engine: Engine,
                                                         slack_settings: Settings, store: MemoryStore) -> None:
    """/ce attach N, then a file shared in the DM: the stored file becomes course N's certificate."""
    ids = seed_maria(engine)
    reply = slack.ask(f"attach {ids['ethics']}", user="U1")
    assert "keep a copy" in reply.text
    slack.fake.wait_for("chat.postMessage")  # the prompt in the DM
    share(slack, certificate_bytes("Ethics in Touch"))
    done = dm_after(slack, engine, slack_settings)
    assert "Kept the certificate of #" in done.text
    [row] = certificates_of(engine)
    assert row.entry_id == ids["ethics"]
    assert row.stored


def test_a_file_that_is_not_a_certificate_is_not_kept(slack: SlackHarness, engine: Engine,
                                                      slack_settings: Settings, store: MemoryStore) -> None:
    """A file that is no certificate gets a short answer; nothing is stored or recorded."""
    seed_maria(engine)
    share(slack, b"hello, this is a note", "note.txt")
    answer = dm_after(slack, engine, slack_settings)
    assert "didn't keep *note.txt*" in answer.text
    assert certificates_of(engine) == []
    assert store.objects == {}


def test_an_encrypted_pdf_gets_a_clear_answer(slack: SlackHarness, engine: Engine, slack_settings: Settings,
                                              store: MemoryStore) -> None:
    """A password-protected PDF is refused with the reason; nothing is kept."""
    seed_maria(engine)
    share(slack, b"%PDF-encrypted ...", "locked.pdf")
    answer = dm_after(slack, engine, slack_settings)
    assert "password-protected" in answer.text
    assert certificates_of(engine) == []


def test_a_file_over_10_mb_is_refused_without_downloading(slack: SlackHarness, engine: Engine,
                                                          slack_settings: Settings, store: MemoryStore) -> None:
    """Slack says the file is over 10 MB: it is refused before any download."""
    seed_maria(engine)
    file_id = share(slack, b"%PDF-1.7" + b"x" * (certificate_files.MAX_BYTES + 1), "huge.pdf")
    answer = dm_after(slack, engine, slack_settings)
    assert "over 10 MB" in answer.text
    assert [d for d in slack.fake.downloads if d[0] == file_id] == []
    assert certificates_of(engine) == []


def test_a_file_deleted_before_the_download_is_not_half_saved(slack: SlackHarness, engine: Engine,
                                                              slack_settings: Settings, store: MemoryStore) -> None:
    """The file is gone from Slack by the time the job runs: a clear DM, nothing recorded, the job done."""
    seed_maria(engine)
    file_id = share(slack, certificate_bytes())
    slack.fake.delete_file(file_id)
    answer = dm_after(slack, engine, slack_settings)
    assert "wouldn't give me" in answer.text
    assert certificates_of(engine) == []
    with Session(engine) as s:
        assert {j.status for j in s.exec(select(Job))} == {"done"}


def test_a_failing_download_is_retried_then_reported_and_never_stuck(
        slack: SlackHarness, engine: Engine, slack_settings: Settings, store: MemoryStore) -> None:
    """Slack's file host answers 500 every time: the job retries with backoff, then fails and says so."""
    from datetime import UTC, datetime, timedelta

    from cebot.jobs import queue
    from cebot.jobs.worker import run_due_jobs

    seed_maria(engine)
    share(slack, certificate_bytes())
    slack.fake.fail_next("files.download", status=500, times=queue.MAX_ATTEMPTS)
    now = datetime.now(UTC)
    for _attempt in range(queue.MAX_ATTEMPTS):
        run_due_jobs(engine=engine, settings=slack_settings, now=now)
        now += timedelta(hours=1)
    answer = slack.fake.wait_for("chat.postMessage", where=lambda c: "couldn't keep" in c.text)
    assert "Nothing was saved" in answer.text
    assert certificates_of(engine) == []
    assert store.objects == {}
    with Session(engine) as s:
        assert [j.status for j in s.exec(select(Job))] == ["failed"]


def test_the_bot_token_only_goes_to_slack() -> None:
    """A file URL on another host never gets the bot token."""
    api = "http://127.0.0.1:9999/api/"
    assert certificate_files.allowed_url("https://files.slack.com/files-pri/T1-F1/download/a.pdf", api)
    assert certificate_files.allowed_url("http://127.0.0.1:9999/files/F1/download", api)
    assert not certificate_files.allowed_url("https://evil.example/files.slack.com/a.pdf", api)
    assert not certificate_files.allowed_url("http://files.slack.com/a.pdf", api)
    with pytest.raises(certificate_files.Gone):
        certificate_files.download("https://evil.example/a.pdf", token="xoxb-secret", api_base_url=api)


def test_ncbtmb_trackers_see_the_missing_field_flag(slack: SlackHarness, engine: Engine, slack_settings: Settings,
                                                    store: MemoryStore) -> None:
    """A member tracking NCBTMB is told which field NCBTMB requires is missing; others are not."""
    seed_maria(engine)  # Maria tracks NCBTMB
    with Session(engine) as s:
        member(s, "U2", "Sam")  # Sam tracks nothing
        s.commit()
    flagged = certificate_bytes("Cupping", missing="approved provider number")
    share(slack, flagged)
    maria = dm_after(slack, engine, slack_settings)
    assert "For NCBTMB a certificate must show approved provider number" in json.dumps(maria.get("blocks"))
    share(slack, flagged, user="U2")
    sam = dm_after(slack, engine, slack_settings)
    assert "NCBTMB" not in json.dumps(sam.get("blocks"))


def test_edit_opens_the_form_prefilled_and_its_save_logs_once(slack: SlackHarness, engine: Engine,
                                                              slack_settings: Settings, store: MemoryStore) -> None:
    """Edit opens the logging form with what was read; its submission saves the proposal (once), as edited."""
    seed_maria(engine)
    share(slack, certificate_bytes("Cuping", "2", "2026-01-20"))
    proposal = dm_after(slack, engine, slack_settings)
    value = button(proposal, render.EDIT_ACTION)["value"]
    slack.action(render.EDIT_ACTION, value=value, channel="DU1")
    view = slack.fake.wait_for("views.open")["view"]
    title = next(b for b in view["blocks"] if b.get("block_id") == ledger_render.TITLE)
    assert title["element"]["initial_value"] == "Cuping"
    values = {
        ledger_render.TITLE: {"value": text_value("Cupping")},
        ledger_render.HOURS: {"value": text_value("2")},
        ledger_render.DATE: {"value": date_value(date(2026, 1, 20))},
        ledger_render.FORMAT: {"value": select_value("in_person")},
        ledger_render.SUBJECTS_BLOCK: {"value": multi_select_value([])},
        ledger_render.PROVIDER: {"value": text_value(None)},
        ledger_render.APPROVAL: {"value": text_value(None)},
        ledger_render.NOTES: {"value": text_value(None)},
    }
    for _ in range(2):
        result = slack.view_submission(ledger_render.MODAL_CALLBACK, values, user="U1",
                                       private_metadata=view["private_metadata"])
        assert result.status == 200
    [entry] = titled(engine, "Cupping")
    [row] = certificates_of(engine)
    assert row.entry_id == entry.id
    assert titled(engine, "Cuping") == []


def test_the_logging_forms_file_becomes_the_new_courses_certificate(
        slack: SlackHarness, engine: Engine, slack_settings: Settings, store: MemoryStore) -> None:
    """A file in the logging form's certificate input is fetched by a job and kept with the course just logged."""
    seed_maria(engine)
    file_id = str(slack.fake.share_file("U1", "form.pdf", certificate_bytes("Form course"))["id"])
    values = {
        ledger_render.TITLE: {"value": text_value("Form course")},
        ledger_render.HOURS: {"value": text_value("3")},
        ledger_render.DATE: {"value": date_value(date(2026, 1, 5))},
        ledger_render.FORMAT: {"value": select_value("in_person")},
        ledger_render.SUBJECTS_BLOCK: {"value": multi_select_value(["ethics"])},
        ledger_render.PROVIDER: {"value": text_value(None)},
        ledger_render.APPROVAL: {"value": text_value(None)},
        ledger_render.NOTES: {"value": text_value(None)},
        CERTIFICATE_BLOCK: {"value": {"type": "file_input", "files": [{"id": file_id, "name": "form.pdf"}]}},
    }
    assert slack.view_submission(ledger_render.MODAL_CALLBACK, values, user="U1").status == 200
    slack.fake.wait_for("chat.postMessage")
    done = dm_after(slack, engine, slack_settings)
    assert "Kept the certificate of" in done.text
    [entry] = titled(engine, "Form course")
    [row] = certificates_of(engine)
    assert row.entry_id == entry.id
    assert entry.certificate_ref == file_id


def test_the_same_event_twice_makes_one_job(slack: SlackHarness, engine: Engine, slack_settings: Settings,
                                            store: MemoryStore) -> None:
    """Slack delivering file_shared twice (a new event id each time) still makes one job and one proposal."""
    seed_maria(engine)
    file_id = str(slack.fake.share_file("U1", "c.pdf", certificate_bytes())["id"])
    for _ in range(2):
        slack.event({"type": "file_shared", "file_id": file_id, "user_id": "U1", "channel_id": "DU1",
                     "file": {"id": file_id}})
    slack.fake.wait_for("chat.postMessage")
    run_jobs(engine, slack_settings)
    with Session(engine) as s:
        assert len(list(s.exec(select(Job).where(Job.kind == "certificate.fetch")))) == 1
    assert len(certificates_of(engine)) == 1


def test_a_real_pdf_through_the_real_reader_and_folder_store(slack: SlackHarness, engine: Engine,
                                                             slack_settings: Settings, tmp_path: Path) -> None:
    """End to end with cebot.certificates: a generated text PDF is stored in a folder (content-addressed),
    read, proposed with its title and hours, and still in the folder after Slack deleted it."""
    truth = next(t for t in make_truths() if t.kind == "pdf" and t.hours)
    data = render_pdf(truth)
    settings = slack_settings.model_copy(update={"certificate_store": f"file://{tmp_path / 'store'}"})
    seed_maria(engine)
    file_id = share(slack, data, "real.pdf")
    proposal = dm_after(slack, engine, settings)
    shown = json.dumps(proposal.get("blocks"))
    assert truth.title in shown
    [row] = certificates_of(engine)
    assert row.media_type == "application/pdf"
    slack.fake.delete_file(file_id)
    assert certificate_files.open_store(settings).get(row.sha256 or "") == data


def test_two_concurrent_saves_log_one_course(engine: Engine) -> None:
    """Two clicks on Save at the same moment (two transactions): one logs the course, the other logs nothing."""
    import threading

    from cebot.services import certificates

    with Session(engine, expire_on_commit=False) as s:
        m = member(s, "U1", "Maria")
        row, _ = certificates.record_file(
            session=s, member=m, sha256="cd" * 32, media_type="application/pdf", size=1, original_name="c.pdf",
            shared_by="U1", slack_file_id="F1", permalink=None,
            reading={"fields": {"title": "Race", "hours_q": 8, "completed_on": "2026-01-05"}})
        s.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click() -> None:
        with Session(engine, expire_on_commit=False) as s:
            mine = s.get(type(m), m.id)
            assert mine is not None
            barrier.wait()
            try:
                saved = certificates.save_proposal(session=s, member=mine, certificate_id=row.id or 0)
                s.commit()
                outcomes.append("created" if saved.created else "already")
            except certificates.AlreadySaved:
                s.rollback()
                outcomes.append("lost")

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) in (["already", "created"], ["created", "lost"])
    assert len(titled(engine, "Race")) == 1
