"""Statuses in ``/ce progress`` through signed requests: fresh cycles read "Not started", hints name your keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from tests.helpers.slackharness import SlackHarness

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[object]:
    """Every test here runs on Dec 1, 2026 (time ticks, so signatures stay fresh)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_freshly_tracked_new_york_and_amta_are_not_started(slack: SlackHarness) -> None:
    """NY with 700 days left and AMTA with 942 days left read "Not started", never "At risk"."""
    slack.ask("track NY deadline:2028-10-31", user="U1")
    slack.ask("track AMTA deadline:2029-06-30", user="U1")
    text = slack.ask("progress", user="U1").text
    assert "Not started · deadline Oct 31, 2028 (700 days left)" in text
    assert "Not started · deadline Jun 30, 2029 (942 days left)" in text
    assert "At risk" not in text
    assert "Behind pace" not in text


def test_progress_footer_names_the_members_own_credential(slack: SlackHarness) -> None:
    """The footer suggests `/ce requirements NY` to someone tracking New York, not Florida."""
    slack.ask("track NY deadline:2028-10-31", user="U1")
    text = slack.ask("progress", user="U1").text
    assert "`/ce requirements NY`" in text
    assert "/ce requirements FL" not in text


def test_a_deadline_within_90_days_reads_due_soon(slack: SlackHarness) -> None:
    """Florida due in 60 days with nothing logged reads "Due soon" with a warning."""
    slack.ask("track FL deadline:2027-01-30", user="U1")
    text = slack.ask("progress", user="U1").text
    assert "Due soon · deadline Jan 30, 2027 (60 days left)" in text
