"""Property: every ledger reply, prompt and form Slack would accept, whatever text the person typed.

Titles, providers, approval numbers and notes are drawn up to their longest, heavy in ``&``, ``<``, ``>``, ``*``
and non-BMP characters; each payload is checked with :mod:`cebot.shell.slack_limits` (Slack's documented
limits and slack_sdk's models).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cebot.domain.cycles import CycleWindow
from cebot.domain.progress import NotCounted, Progress, Status
from cebot.models import CEEntry
from cebot.shell.slack_limits import describe, validate_message, validate_view
from cebot.slack.render import ledger as render
from cebot.slack.render import ledger_modal
from tests.helpers.examples import examples

TODAY = date(2026, 3, 20)
HOSTILE = st.sampled_from([*list("&<>*_~`|"), "&amp;", "<!channel>", "😀", "é", " ", "\n", "a", "Z", "9"])


def text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.lists(HOSTILE, min_size=min_size, max_size=max_size).map("".join).map(lambda s: s[:max_size])


@st.composite
def entries(draw: st.DrawFn) -> CEEntry:
    title = draw(text(200, 1)).strip() or "x"
    return CEEntry(id=draw(st.integers(1, 2**31 - 1)), workspace_id=1, member_id=1, title=title,
                   provider=draw(st.none() | text(200)), approval_number=draw(st.none() | text(64)),
                   notes=draw(st.none() | text(2000)), completed_on=date(2026, 3, 14),
                   hours_q=draw(st.integers(1, 160)), delivery_format="in_person",
                   subjects=draw(st.lists(st.sampled_from(["ethics", "laws_rules", "cpr", "hands_on"]),
                                          max_size=4, unique=True)))


def progresses(entry_id: int, reason: str) -> list[Progress]:
    window = CycleWindow(date(2025, 9, 1), date(2027, 8, 31))
    return [Progress(key=key, name=f"{key} & <licence>", status=Status.DUE_SOON, window=window,
                     deadline=date(2027, 8, 31), days_left=40, required=96, counted=12, remaining=84,
                     not_counted=(NotCounted(entry_id=entry_id, title="t", hours=4, reason=reason, partial=False),))
            for key in ("FL", "NCBTMB", "TX", "NY", "AMMA", "VA")]


def assert_accepted(payload: dict[str, Any], *, view: bool = False) -> None:
    found = validate_view(payload) if view else validate_message(payload)
    assert not found, describe(found)


@settings(max_examples=examples(60))
@given(entry=entries(), reason=text(300), log_text=text(2100))
def test_ledger_replies_of_any_entry_are_accepted(entry: CEEntry, reason: str, log_text: str) -> None:
    """Logged, duplicate, edited, delete prompt, deleted, undone, the list and the edit form: all accepted."""
    after = progresses(entry.id or 0, reason)
    assert_accepted(render.logged_message(entry, after, [], today=TODAY))
    assert_accepted(render.duplicate_message(entry, log_text))
    assert_accepted(render.edited_message(entry, ["hours", "title", "provider"], after, after))
    assert_accepted(render.unchanged_message(entry))
    assert_accepted(render.delete_prompt(entry))
    assert_accepted(render.deleted_message(entry, after, after))
    for action in ("logged", "deleted", "edited"):
        assert_accepted(render.undone_message(action, entry, after, after))
    assert_accepted(render.list_message([entry] * 20, 500, page=3, size=20))
    assert_accepted(render.list_message([entry] * 50, 500, page=1, size=50))
    assert_accepted(ledger_modal.log_modal(today=TODAY, entry=entry, channel_id="C1"), view=True)
    assert_accepted(ledger_modal.log_modal(today=TODAY, duplicate_of=entry), view=True)
