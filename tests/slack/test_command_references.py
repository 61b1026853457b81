"""Every ``/ce <word>`` the app or its docs tell people to type names a subcommand that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session

from cebot.domain.parsing import SUBCOMMANDS, parse_command
from cebot.services import credentials
from cebot.services.errors import NotFound
from cebot.slack.listeners.commands import help as help_module
from cebot.slack.listeners.commands.help import SUBJECT_TOPICS
from tests.helpers.services_helpers import workspace_with
from tests.helpers.slackharness import SlackHarness

ROOT = Path(__file__).resolve().parents[2]
PROSE = {"is", "commands", "slash"}
"""English words that follow "/ce" in sentences about the command itself ("the /ce is optional")."""


def referenced_commands() -> list[tuple[str, int, str, str]]:
    """(file, line, subcommand word, the word after it) for each ``/ce <word>`` in the code and docs."""
    files = [*ROOT.joinpath("cebot").rglob("*.py"), *ROOT.joinpath("cebot").rglob("*.toml"),
             *ROOT.joinpath("docs").glob("*.md"), ROOT / "README.md", ROOT / "manifest.yml"]
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in re.finditer(r"/ce\s+([A-Za-z?][\w-]*)(?:\s+#?([\w-]+))?", line):
                found.append((str(path.relative_to(ROOT)), number, m.group(1), m.group(2) or ""))
    return found


def test_every_referenced_subcommand_exists_by_its_canonical_name() -> None:
    """Replies and docs name subcommands by their canonical names (no `/ce status`), and help topics exist."""
    refs = referenced_commands()
    assert len(refs) > 100  # the scan sees the code and the docs
    bad = [(f, n, w) for f, n, w, _ in refs if w.lower() not in SUBCOMMANDS and w.lower() not in PROSE]
    assert bad == []
    bad_topics = []
    for f, n, w, topic in refs:
        # "Type /ce help to start." is a sentence, not a topic.
        if w.lower() == "help" and topic and topic.lower() not in SUBJECT_TOPICS and topic != "to":
            try:
                parse_command(topic)
            except ValueError:
                bad_topics.append((f, n, topic))
    assert bad_topics == []


def test_untracking_what_you_do_not_track_points_to_progress(session: Session) -> None:
    """The service's not-found message names `/ce progress`, the command that lists what you track."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    with pytest.raises(NotFound) as info:
        credentials.untrack(session=session, member=ana, key="FL")
    assert info.value.message == "You're not tracking FL. `/ce progress` shows what you track."


def test_help_subjects_lists_every_subject_tag(slack: SlackHarness) -> None:
    """`/ce help subjects`, which the unknown-subject message points to, lists every subject with its #tag."""
    reply = slack.ask("help subjects")
    assert reply.response_type == "ephemeral"
    assert "Ethics: `#ethics`" in reply.text
    assert "Laws &amp; rules: `#laws_rules`" in reply.text
    assert "Hands-on technique: `#hands_on`" in reply.text
    assert "`/ce log 3h Ethics in Touch #ethics" in reply.text
    unknown = slack.ask("log 3h Ethics in Touch #etiks")
    assert "`/ce help subjects` lists them all" in unknown.text


def test_every_subcommand_in_help_has_a_description(slack: SlackHarness) -> None:
    """`/ce help` gives every subcommand its example and a one-line description, registered or not."""
    for name in SUBCOMMANDS:
        assert help_module.SUMMARIES.get(name), name  # help never depends on which listeners registered
        assert help_module.summary(name), name
    lines = [line for line in slack.ask("help").text.splitlines() if line.startswith("• `/ce ")]
    assert len(lines) == len(SUBCOMMANDS)
    for line in lines:
        what = line.partition("` – ")[2]
        assert len(what) >= 10, line
    assert "• `/ce attach 12` – attach a certificate to a course" in "\n".join(lines)
    assert [line for line in help_module.help_text().splitlines() if line.startswith("• `/ce ")] == lines
