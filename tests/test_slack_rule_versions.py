"""A changed shipped rule is announced in the member's next ``/ce progress`` reply and Home, then not again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from slackharness import SlackHarness
from sqlalchemy.engine import Engine
from sqlmodel import select

from cebot.db import session_scope
from cebot.models import Credential

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[object]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_progress_announces_a_changed_rule_once(slack: SlackHarness, engine: Engine) -> None:
    """A Florida credential from before rule versions: the next progress reply says what changed, the one after not."""
    slack.ask("track FL deadline:2027-08-31", user="U1")
    with session_scope(engine) as s:  # as if tracked before rule versions existed
        for credential in s.exec(select(Credential)):
            credential.rule_version_seen = None
            s.add(credential)
    first = slack.ask("progress", user="U1")
    assert ":mega: Rule update for FL (version 2)" in first.text
    again = slack.ask("progress", user="U1")
    assert "Rule update" not in again.text


def test_a_freshly_tracked_rule_is_not_announced(slack: SlackHarness) -> None:
    """Tracking Florida today: the progress reply has no rule update, the rule is new to the member anyway."""
    slack.ask("track FL deadline:2027-08-31", user="U1")
    assert "Rule update" not in slack.ask("progress", user="U1").text
