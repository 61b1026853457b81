"""Renderers for progress, track, requirements, AMMA and team replies: Slack limits and escaping (pure, no Slack)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cebot.domain.amma import pathway_status
from cebot.domain.catalog import parse_requirement_set
from cebot.domain.cycles import CycleWindow
from cebot.domain.progress import ConditionRow, InPersonRow, NotCounted, Progress, Status, SubjectRow
from cebot.models import Member
from cebot.services.credentials import shipped_catalog
from cebot.services.progress import MemberProgress
from cebot.slack.blocks import MAX_BLOCKS_MESSAGE, SECTION_TEXT_MAX
from cebot.slack.render import amma as amma_render
from cebot.slack.render import progress as pr
from cebot.slack.render import requirements as rq
from cebot.slack.render import team as tm

TODAY = date(2026, 3, 20)
EVIL = "<!channel> & <@U999> <https://evil.example|click>"


def progress(key: str = "FL", *, name: str = "Florida massage therapist licence", status: Status = Status.ON_PACE,
             required: int = 96, counted: int = 12, days_left: int = 529, **extra: Any) -> Progress:
    deadline = date(2027, 8, 31)
    return Progress(key=key, name=name, status=status, window=CycleWindow(date(2025, 9, 1), deadline),
                    deadline=deadline, days_left=days_left, required=required, counted=counted,
                    remaining=max(required - counted, 0), **extra)


def mrkdwn_texts(node: Any) -> list[str]:
    """Every string Slack would parse as mrkdwn (plain_text is never parsed)."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            found.append(node["text"])
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                found.extend(mrkdwn_texts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(mrkdwn_texts(item))
    return found


def assert_within_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= MAX_BLOCKS_MESSAGE
    for text in mrkdwn_texts(blocks):
        assert len(text) <= SECTION_TEXT_MAX


def assert_no_markup_from(blocks: list[dict[str, Any]]) -> None:
    """No text could ping, mention or link: every user ``<`` arrives as ``&lt;``."""
    for text in mrkdwn_texts(blocks):
        assert "<!" not in text
        assert "<@" not in text
        assert "<https://evil" not in text


# -- /ce progress ---------------------------------------------------------------------------------


def test_full_progress_detail_escapes_every_user_text() -> None:
    """Set names, labels, course titles, conditions, notes and unconfirmed parts are escaped."""
    p = progress(
        name=EVIL,
        subject_rows=(SubjectRow("ethics", EVIL, 8, 0, 8, False, unconfirmed=True),),
        in_person=InPersonRow(required=48, counted=12, remaining=36),
        not_counted=(NotCounted(7, EVIL, 8, "outside this cycle"),),
        conditions=(ConditionRow("cpr", EVIL, unconfirmed=True, met=None),),
        unconfirmed=(EVIL,), notes=(EVIL,), entries_without_certificate=2,
        needs=f"Tell me {EVIL}: /ce track FL deadline:YYYY-MM-DD",
    )
    blocks = pr.progress_blocks([p], today=TODAY)
    assert_within_limits(blocks)
    assert_no_markup_from(blocks)
    text = "\n".join(mrkdwn_texts(blocks))
    assert "&lt;!channel&gt; &amp; &lt;@U999&gt;" in text
    assert "`/ce track FL deadline:YYYY-MM-DD`" in text
    assert "Still missing: " in text
    assert "in person 9 h" in text
    assert "2 counted courses have no certificate on file" in text
    assert "☐" in text


@pytest.mark.parametrize("count", [1, 9, 10, 60, 3000])
def test_progress_blocks_stay_within_slack_limits(count: int) -> None:
    """Any number of credentials fits in 50 blocks of at most 3,000 characters; extra lines are summed up."""
    items = [progress(f"K{i}", name=f"Credential number {i} " + "x" * 60, not_counted=tuple(
        NotCounted(j, "A long course title " * 5, 4, "outside this cycle") for j in range(6)))
        for i in range(count)]
    blocks = pr.progress_blocks(items, today=TODAY)
    assert_within_limits(blocks)
    text = "\n".join(mrkdwn_texts(blocks))
    if count <= 9:
        assert "Many credentials" not in text
        assert "and 3 more" in text  # not-counted list cut to three
    else:
        assert "Many credentials" in text
    if count == 3000:
        assert "more." in text


def test_no_credentials_shows_how_to_start() -> None:
    """With nothing tracked, the reply shows the track command."""
    blocks = pr.progress_blocks([])
    text = "\n".join(mrkdwn_texts(blocks))
    assert "`/ce track FL deadline:2027-08-31`" in text


@pytest.mark.parametrize(("days", "words"), [(0, "due today"), (1, "1 day left"), (30, "30 days left"),
                                             (-1, "1 day ago"), (-12, "12 days ago")])
def test_days_phrase(days: int, words: str) -> None:
    """Days left read naturally, including the deadline day and past deadlines."""
    assert pr.days_phrase(days) == words


def test_bar_line_counts_on_top_hours_and_exempt() -> None:
    """On-top hours are part of the bar; an exempt set shows a full bar and no hours needed."""
    p = progress(required=72, counted=72, on_top_required=12,
                 subject_rows=(SubjectRow("bias", "Implicit bias", 12, 0, 12, False, on_top=True),))
    p = Progress(**{**p.__dict__, "remaining": 12})
    assert pr.bar_line(p).startswith("▰▰▰▰▰▰▰▰▱▱ 18 of 18 h + 3 h on top · 3 h to go")
    exempt = Progress(key="OH", name="Ohio", status=Status.EXEMPT, window=None, deadline=None, days_left=None,
                      required=0, counted=0, remaining=0)
    assert pr.bar_line(exempt) == "▰▰▰▰▰▰▰▰▰▰ no CE hours needed"


def test_with_commands_shows_commands_as_code() -> None:
    """Commands inside the service's sentences become code; the rest is escaped."""
    text = pr.with_commands("Tell me your birthday (/ce track VA birthday:MM-DD) or <b> (/ce track VA deadline:X)")
    assert text == ("Tell me your birthday (`/ce track VA birthday:MM-DD`) or &lt;b&gt; "
                    "(`/ce track VA deadline:X`)")


def test_pack_lines_never_exceeds_the_block_budget() -> None:
    """Lines are packed into sections under the budget; what doesn't fit becomes "and N more"."""
    blocks = pr.pack_lines(["y" * 1000] * 20, max_blocks=3)
    assert len(blocks) == 3
    assert blocks[-1]["type"] == "context"
    assert "and 16 more" in blocks[-1]["elements"][0]["text"]


# -- /ce track ------------------------------------------------------------------------------------


def test_track_reply_for_a_state_without_ce() -> None:
    """A no-CE state says plainly there is nothing to track; the licence number is escaped."""
    text, blocks = pr.track_reply(progress=None, name="Ohio massage therapist licence", key="OH", created=True,
                                  deadline_computed=False, licence_number=EVIL, needs=None, tracks_hours=False,
                                  no_ce_note="Ohio does not require CE to renew a massage licence.")
    assert text == ":white_circle: Ohio does not require CE to renew a massage licence — nothing to track there."
    assert_no_markup_from(blocks)
    assert "`/ce untrack OH`" in "\n".join(mrkdwn_texts(blocks))


def test_track_reply_asks_for_what_is_missing() -> None:
    """A credential without its deadline asks for it once, with the command as code."""
    needs = "Tell me your licence expiry date: /ce track TX deadline:YYYY-MM-DD"
    p = Progress(key="TX", name="Texas", status=Status.NEEDS_INFO, window=None, deadline=None, days_left=None,
                 required=48, counted=0, remaining=48, needs=needs)
    text, blocks = pr.track_reply(progress=p, name="Texas", key="TX", created=True, deadline_computed=False,
                                  licence_number=None, needs=needs, tracks_hours=True)
    body = "\n".join(mrkdwn_texts(blocks))
    assert body.count("`/ce track TX deadline:YYYY-MM-DD`") == 1
    assert "`/ce track TX deadline:YYYY-MM-DD`" in text


# -- /ce requirements -----------------------------------------------------------------------------


def test_every_shipped_rule_renders_within_limits() -> None:
    """Each shipped set renders with its checked date and sources, within Slack's limits."""
    for rs in shipped_catalog():
        blocks = rq.requirement_blocks(rs)
        assert_within_limits(blocks)
        text = "\n".join(mrkdwn_texts(blocks))
        assert "*Sources:*" in text
        assert f"Checked {rs.checked_on:%b} {rs.checked_on.day}, {rs.checked_on.year}" in text
        assert ("⚠️ *Unconfirmed*" in text) == bool(rs.unconfirmed)
    assert_within_limits(rq.catalog_blocks(shipped_catalog()))


def test_a_clinic_set_is_escaped_and_its_links_are_safe() -> None:
    """A workspace set's text is escaped and a source link cannot smuggle markup."""
    toml = f'''
key = "EVIL"
name = "{EVIL}"
kind = "workspace"
applicability = "ce_required"
total_hours = 10
cycle_months = 12
notes = ["{EVIL}"]
unconfirmed = ["{EVIL}"]

[deadline]
kind = "expiry"

[[caps]]
key = "online"
label = "{EVIL}"
hours = 2
formats = ["live_online"]

[[conditions]]
key = "cpr"
label = "{EVIL}"

[[sources]]
title = "{EVIL}"
url = "https://example.org/a|<!here>"
'''
    rs = parse_requirement_set(toml, source_name="test", workspace_defined=True, checked_on_default=TODAY)
    blocks = rq.requirement_blocks(rs)
    assert_no_markup_from(blocks)
    assert "<!here>" not in str(blocks)
    catalog_text = "\n".join(mrkdwn_texts(rq.catalog_blocks(shipped_catalog().with_overrides([rs]))))
    assert "`EVIL` &lt;!channel&gt;" in catalog_text


def test_deadline_words() -> None:
    """Deadline rules in words for fixed, birthday and expiry rules."""
    catalog = shipped_catalog()
    assert rq.deadline_words(catalog.require("FL")) == "Aug 31 of odd years"
    assert rq.deadline_words(catalog.require("VA")).startswith("the last day of your birth month")
    assert rq.deadline_words(catalog.require("TX")).startswith("the expiry date")
    assert "which year" in rq.deadline_words(catalog.require("NC"))


# -- /ce amma -------------------------------------------------------------------------------------


def test_amma_checklist_marks_done_steps_with_dates() -> None:
    """Done steps show ✅ and their date, the others ⬜; all done congratulates."""
    status = pathway_status({"mblex": date(2024, 5, 1)}, None)
    blocks = amma_render.amma_blocks(status, target_defined=False, tracking=False)
    text = "\n".join(mrkdwn_texts(blocks))
    assert "✅ 2. *MBLEx* — done May 1, 2024" in text
    assert text.count("⬜") == 4
    assert "AMMA does not publish a CE requirement; target set by your clinic" in text
    all_done = pathway_status({k: date(2020, 1, 1) for k in ("accredited_program", "mblex", "experience",
                                                               "continuing_education", "amma_exam")}, None)
    assert "Every step is done" in "\n".join(mrkdwn_texts(amma_render.amma_blocks(
        all_done, target_defined=False, tracking=False)))


# -- /ce team -------------------------------------------------------------------------------------


def member(i: int, name: str = "") -> Member:
    return Member(id=i, workspace_id=1, slack_user_id=f"U{i:05d}", display_name=name or f"Person {i}")


@pytest.mark.parametrize("size", [1, 45, 3000])
def test_team_blocks_stay_within_limits(size: int) -> None:
    """A team of any size fits in 50 blocks a page: pages of 50 people, the idle ones named on the last page."""
    team = [MemberProgress(member(i), [progress("FL"), progress("NCBTMB", status=Status.DUE_SOON, days_left=40)])
            for i in range(size)]
    team += [MemberProgress(member(size + i), []) for i in range(100)]
    blocks = tm.team_blocks(team, today=TODAY)
    assert_within_limits(blocks)
    text = "\n".join(mrkdwn_texts(blocks))
    assert "/ce export team csv" in text
    if size == 3000:
        assert "Page 1 of 60 · next: `/ce team page:2`" in text
        assert "Not tracking anything yet" not in text
        last = "\n".join(mrkdwn_texts(tm.team_blocks(team, today=TODAY, page=60)))
        assert "back: `/ce team page:59`" in last
        assert "Not tracking anything yet" in last
    else:
        assert "Not tracking anything yet" in text
        assert "and 60 more" in text


def test_team_line_orders_a_members_credentials_by_urgency() -> None:
    """Within one person, the overdue credential comes first; people are mentions, names are not shown raw."""
    mp = MemberProgress(member(1, EVIL), [progress("FL"), progress("TX", status=Status.OVERDUE, days_left=-3)])
    line = tm.member_line(mp)
    assert line.startswith("<@U00001> · :red_circle: TX 21 h missing, 3 days overdue · :large_green_circle: FL")
    odd = Member(id=2, workspace_id=1, slack_user_id="bad id<!here>", display_name=EVIL)
    assert tm.who(odd) == "&lt;!channel&gt; &amp; &lt;@U999&gt; &lt;https://evil.example|click&gt;"
