"""Exports as jobs through Slack: recorded with the request, one job per trigger_id, the member told when the
job finally fails; and ``cebot worker --once``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.cli import main
from cebot.core.settings import Settings
from cebot.jobs.exports import EXPORT_TEAM, EXPORT_TRANSCRIPT, MYDATA_EXPORT, transcript_job
from cebot.models import Credential, Job, Member
from cebot.services import workspaces
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.exports_helpers import TODAY, make_manager, run_jobs, seed_maria, seed_sam, wait_upload
from tests.helpers.jobs_helpers import add_jobs, jobs
from tests.helpers.slackharness import SlackHarness


def test_export_records_a_job_and_answers_before_any_upload(slack: SlackHarness, engine: Engine) -> None:
    """/ce export pdf FL saves one queued job with its payload and says the PDF is on its way; nothing is uploaded
    until a worker runs it."""
    seed_maria(engine)
    reply = slack.ask("export pdf FL", user="U1")
    assert "Your PDF is on its way — I'll DM it in a moment" in reply.text
    [job] = jobs(engine)
    assert (job.kind, job.status) == (EXPORT_TRANSCRIPT, "queued")
    assert job.key is not None
    assert job.key.startswith("export:trigger-")
    assert (job.payload["fmt"], job.payload["key"], job.payload["retry_with"]) == ("pdf", "FL", "/ce export pdf FL")
    assert slack.fake.calls("files.getUploadURLExternal") == []


@pytest.mark.parametrize(("text", "kind"), [("export csv", EXPORT_TRANSCRIPT), ("export team csv", EXPORT_TEAM),
                                            ("mydata export", MYDATA_EXPORT)])
def test_a_replayed_command_makes_no_second_job(slack: SlackHarness, engine: Engine, slack_settings: Settings,
                                                text: str, kind: str) -> None:
    """The same command sent twice (same trigger_id: a replay or a double send) records one job and one file."""
    seed_maria(engine)
    make_manager(engine, "U1")
    for _ in range(2):
        result = slack.command("/ce", text, user="U1", trigger_id="trigger-same")
        assert result.status == 200
        assert "went wrong" not in slack.reply(result).text
    assert [j.kind for j in jobs(engine)] == [kind]
    run_jobs(engine, slack_settings)
    wait_upload(slack.fake)
    assert len(slack.fake.uploads) == 1


def test_two_commands_make_two_jobs(slack: SlackHarness, engine: Engine) -> None:
    """Two separate /ce export commands (two trigger_ids) are two exports."""
    seed_maria(engine)
    slack.ask("export csv", user="U1")
    slack.ask("export csv", user="U1")
    assert len(jobs(engine)) == 2


def test_a_key_untracked_before_the_job_runs_fails_it_and_says_why(slack: SlackHarness, engine: Engine,
                                                                   slack_settings: Settings) -> None:
    """When the member stops tracking the key between the command and the job, the job fails at once and their DM
    says why (the service's own words) and what to type."""
    seed_maria(engine)
    slack.ask("export pdf NCBTMB", user="U1")
    with Session(engine) as s:
        for c in s.exec(select(Credential).where(Credential.requirement_key == "NCBTMB")):
            s.delete(c)
        s.commit()
    run_jobs(engine, slack_settings)
    [job] = jobs(engine)
    assert (job.status, job.attempts) == ("failed", 1)
    dm = slack.fake.last("chat.postMessage")
    assert dm["channel"] == "D1"  # the DM conversations.open gave
    assert "not tracking NCBTMB" in dm["text"]
    assert "/ce export pdf NCBTMB" in dm["text"]
    assert slack.fake.uploads == []


def test_a_manager_demoted_before_the_job_runs_gets_no_team_csv(slack: SlackHarness, engine: Engine,
                                                                slack_settings: Settings) -> None:
    """The team CSV job checks the manager role again when it runs: a demoted member gets a DM, not the file."""
    seed_maria(engine)
    seed_sam(engine)
    make_manager(engine, "U2")
    slack.ask("export team csv", user="U2")
    with Session(engine) as s:
        sam = s.exec(select(Member).where(Member.slack_user_id == "U2")).one()
        sam.role = workspaces.MEMBER
        s.add(sam)
        s.commit()
    run_jobs(engine, slack_settings)
    assert jobs(engine)[0].status == "failed"
    assert "Only a clinic manager" in slack.fake.last("chat.postMessage")["text"]
    assert slack.fake.uploads == []


def test_slack_failing_for_a_while_retries_and_the_file_arrives(slack: SlackHarness, engine: Engine,
                                                                slack_settings: Settings) -> None:
    """A 500 from Slack on the upload fails the attempt; the retry after the backoff sends the file."""
    seed_maria(engine)
    slack.fake.fail_next("files.getUploadURLExternal", status=500)
    slack.ask("export csv", user="U1")
    run_jobs(engine, slack_settings)
    assert jobs(engine)[0].status == "queued"
    with engine.begin() as conn:  # the backoff is over
        conn.execute(Job.__table__.update().values(next_attempt_at=Job.created_at))  # type: ignore[attr-defined]
    run_jobs(engine, slack_settings)
    assert wait_upload(slack.fake).filename.endswith(".csv")
    assert (jobs(engine)[0].status, jobs(engine)[0].attempts) == ("done", 2)


def test_worker_once_runs_due_jobs_and_exits(monkeypatch: pytest.MonkeyPatch, database_url: str, engine: Engine,
                                             fake_slack: FakeSlack, tmp_path: Path) -> None:
    """``cebot worker --once`` runs every due job and exits 0; without a bot token it says what is missing."""
    seed_maria(engine)
    add_jobs(engine, EXPORT_TRANSCRIPT, [transcript_job("csv", None, TODAY)])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert main(["worker", "--once"]) == 2
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    assert main(["worker", "--once"]) == 0
    assert jobs(engine)[0].status == "done"
    assert len(fake_slack.uploads) == 1
