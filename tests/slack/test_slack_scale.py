"""Issue 16's sizes through the served app: a member with 500 entries and 6 credentials, a team of 1,000.

Every reply and view goes through the validating fake Slack (tests/helpers/slack_fixtures.py), so these tests also
prove each one stays within Slack's limits at these sizes; the block counts are asserted too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.core.settings import Settings
from cebot.services.summary import weekly_summary
from cebot.shell.slack_limits import MESSAGE_BLOCKS_MAX, VIEW_BLOCKS_MAX, validate_message
from cebot.slack.render import ledger as render
from cebot.slack.render.summary import render_summary
from cebot.slack.render.team import TEAM_PAGE, TEAM_PAGE_SIZE
from cebot.testing.scale import HEAVY_CREDENTIALS, HEAVY_ENTRIES, TEAM_MEMBERS, Seeded, seed_scale
from tests.helpers.exports_helpers import run_jobs, wait_upload
from tests.helpers.ledger_helpers import click, element, elements
from tests.helpers.slackharness import SlackHarness

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def big(slack: SlackHarness, engine: Engine) -> Seeded:
    """Workspace T1 with U1 (500 entries, 6 credentials) and 1,000 more members."""
    return seed_scale(engine, team_id="T1", heavy_user="U1", today=TODAY)


def entry_ids(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\*#(\d+)\*", text)]


def test_list_pages_through_500_entries(slack: SlackHarness, big: Seeded) -> None:
    """``/ce list`` shows the newest 10 and says how to page on; ``page:N`` reaches every entry, within 50
    blocks; a page past the end says where the last one is."""
    first = slack.ask("list")
    assert len(first.blocks) <= MESSAGE_BLOCKS_MAX
    assert f"of {HEAVY_ENTRIES} in your log" in first.text
    assert "Older: `/ce list page:2` · page 1 of 50" in first.text
    second = slack.ask("list page:2")
    assert "Entries 11–20 of 500" in second.text
    assert "newer: `/ce list page:1`" in second.text
    assert not set(entry_ids(first.text)) & set(entry_ids(second.text))
    seen: set[int] = set()
    for page in range(1, 11):
        reply = slack.ask(f"list 50 page:{page}")
        assert len(reply.blocks) <= MESSAGE_BLOCKS_MAX
        seen |= set(entry_ids(reply.text))
    assert len(seen) == HEAVY_ENTRIES
    assert "Older" not in reply.text
    assert "Newer: `/ce list 50 page:9` · page 10 of 10" in reply.text
    past = slack.ask("list page:51")
    assert "no page 51" in past.text
    assert "`/ce list page:50`" in past.text


def test_list_buttons_page_older_and_newer(slack: SlackHarness, big: Seeded) -> None:
    """*Older* under a page replaces it with the next one; *Newer* brings the first back; no *Newer* on page 1."""
    first = slack.ask("list 20")
    [older] = [e for e in elements(first.blocks) if e.get("action_id") == render.LIST_PAGE]
    assert older["value"] == "20:2"
    _, second = click(slack, render.LIST_PAGE, older["value"])
    assert second.payload["replace_original"] is True
    assert "Entries 21–40 of 500" in second.text
    newer = [e for e in elements(second.blocks) if e.get("text", {}).get("text") == "← Newer"]
    _, again = click(slack, render.LIST_PAGE, newer[0]["value"])
    assert entry_ids(again.text) == entry_ids(first.text)
    result = slack.action(render.LIST_PAGE, value="20:x")
    assert "out of date" in slack.reply(result).text


def test_progress_and_home_of_six_credentials_and_500_entries(slack: SlackHarness, big: Seeded) -> None:
    """``/ce progress`` names all six credentials within 50 blocks; the Home tab stays under 100 blocks."""
    reply = slack.ask("progress")
    assert len(reply.blocks) <= MESSAGE_BLOCKS_MAX
    for key in HEAVY_CREDENTIALS:
        assert key in reply.text
    slack.home_opened("U1")
    home = slack.fake.wait_for("views.publish")["view"]
    assert len(home["blocks"]) < VIEW_BLOCKS_MAX
    assert "/ce list" in slack.fake.last("views.publish").text


def test_team_of_1000_pages_at_risk_first_and_offers_the_csv(
    slack: SlackHarness, big: Seeded, engine: Engine, slack_settings: Settings
) -> None:
    """``/ce team`` lists 50 people a page, overdue and at-risk first, says how to page on and offers the CSV;
    the last page still fits; the CSV has everyone."""
    reply = slack.ask("team", user="UADMIN")
    assert len(reply.blocks) <= MESSAGE_BLOCKS_MAX
    pages = -(-(TEAM_MEMBERS + 1) // TEAM_PAGE_SIZE)
    assert f"Page 1 of {pages} · next: `/ce team page:2`" in reply.text
    assert "/ce export team csv" in reply.text
    people = [line for line in reply.text.splitlines() if line.startswith("<@U")]
    assert len(people) == TEAM_PAGE_SIZE
    assert all(":red_circle:" in line.split(" · ")[1] for line in people)  # the overdue come first
    _, second = click(slack, TEAM_PAGE, element(reply, TEAM_PAGE)["value"], user="UADMIN")
    assert f"Page 2 of {pages}" in second.text
    assert "Only clinic managers" in slack.reply(slack.action(TEAM_PAGE, value="2", user="U2")).text
    last = slack.ask(f"team page:{pages}", user="UADMIN")
    assert len(last.blocks) <= MESSAGE_BLOCKS_MAX
    assert f"back: `/ce team page:{pages - 1}`" in last.text
    assert ":large_green_circle:" in last.text
    export = slack.ask("export team csv", user="UADMIN")
    assert "team CSV is on its way" in export.text
    assert run_jobs(engine, slack_settings) == 1  # the job `cebot worker` runs builds and uploads it
    upload = wait_upload(slack.fake)
    assert upload.data.count(b"\n") > TEAM_MEMBERS  # a row per member and credential, plus the header


def test_weekly_summary_of_1000_members_stays_within_the_limits(engine: Engine, big: Seeded) -> None:
    """The weekly summary of 1,000 members (a third behind) fits one message: the longest lists are cut to
    the most urgent, with a pointer to ``/ce team`` and the CSV for the rest."""
    with Session(engine) as s:
        summary = weekly_summary(session=s, workspace_id=big.workspace_id, today=TODAY,
                                 week_start=TODAY - timedelta(days=7), week_end=TODAY - timedelta(days=1))
    payload = render_summary(summary)
    assert validate_message(payload) == []
    assert len(payload["blocks"]) <= MESSAGE_BLOCKS_MAX
    text = "\n".join(str(b.get("text", {}).get("text", "")) for b in payload["blocks"] if isinstance(b, dict))
    assert "more: `/ce team`" in text
