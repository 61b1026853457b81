"""``/ce team`` (managers): the team at a glance, overdue, due-soon and behind-pace people first; managers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from cebot.domain.hours import format_hours
from cebot.domain.progress import Progress, Status, format_date
from cebot.models import Member
from cebot.services.progress import MemberProgress
from cebot.slack import blocks as bk
from cebot.slack.mrkdwn import code, escape, user_mention
from cebot.slack.render.progress import STATUS_BADGES, pack_lines

TEAM_PAGE = "team_page"
"""Buttons *Back* / *Next* under a page of ``/ce team``: value the page to show."""
TEAM_PAGE_SIZE = 50
"""People a page of ``/ce team`` lists (overdue, due soon and behind pace first); the CSV has everyone."""
MENTIONS_SHOWN = 40
"""People listed by name in the "not tracking anything yet" line."""
COUNT_ORDER = (Status.OVERDUE, Status.DUE_SOON, Status.BEHIND_PACE, Status.NEEDS_INFO, Status.NOT_STARTED,
               Status.ON_PACE, Status.COMPLETE, Status.EXEMPT)


def who(member: Member) -> str:
    """A mention of the member (or their escaped name when the Slack id is odd)."""
    try:
        return user_mention(member.slack_user_id)
    except ValueError:
        return escape(member.display_name or member.slack_user_id)


def credential_brief(p: Progress) -> str:
    """``:red_circle: FL 6 h missing, 12 days overdue``: one credential in a few words."""
    emoji = STATUS_BADGES[p.status][0]
    key = escape(p.key)
    if p.status is Status.COMPLETE:
        return f"{emoji} {key} done"
    if p.status is Status.EXEMPT:
        return f"{emoji} {key} no CE needed"
    if p.status is Status.NEEDS_INFO:
        return f"{emoji} {key} {format_hours(p.remaining)} h to go, deadline unknown"
    text = f"{emoji} {key} {format_hours(p.remaining)} h "
    if p.days_left is None:
        return text + "to go"
    if p.days_left < 0:
        return text + f"missing, {-p.days_left} day{'s' if p.days_left != -1 else ''} overdue"
    if p.days_left == 0:
        return text + "to go, due today"
    return text + f"to go, {p.days_left} day{'s' if p.days_left != 1 else ''} left"


def member_line(mp: MemberProgress) -> str:
    ordered = sorted(mp.progress, key=lambda p: COUNT_ORDER.index(p.status))
    return f"{who(mp.member)} · " + " · ".join(credential_brief(p) for p in ordered)


def counts_line(team: Iterable[MemberProgress]) -> str:
    counts = Counter(p.status for mp in team for p in mp.progress)
    parts = [f"{STATUS_BADGES[s][0]} {counts[s]} {STATUS_BADGES[s][1].lower()}" for s in COUNT_ORDER if counts[s]]
    return " · ".join(parts)


def team_text(team: Sequence[MemberProgress]) -> str:
    tracking = [mp for mp in team if mp.progress]
    return f"Team CE progress: {len(tracking)} of {len(team)} people track a credential. " + counts_line(team)


def team_pages(team: Sequence[MemberProgress], size: int = TEAM_PAGE_SIZE) -> int:
    tracking = sum(1 for mp in team if mp.progress)
    return max((tracking + size - 1) // size, 1)


def _team_nav(page: int, pages: int) -> str:
    parts = []
    if page < pages:
        parts.append(f"next: {code(f'/ce team page:{page + 1}')}")
    if page > 1:
        parts.append(f"back: {code(f'/ce team page:{page - 1}')}")
    return " · ".join([f"Page {page} of {pages}", *parts])


def team_blocks(team: Sequence[MemberProgress], *, today: date | None = None, page: int = 1,
                size: int = TEAM_PAGE_SIZE) -> list[bk.Block]:
    """One page of everyone's credentials, one line per person, overdue, due soon and behind pace first (``team`` comes
    sorted that way), with the whole team's counts and where to get everyone at once (the CSV)."""
    tracking = [mp for mp in team if mp.progress]
    idle = [mp for mp in team if not mp.progress]
    blocks: list[bk.Block] = [bk.header("Team CE progress")]
    if not tracking:
        blocks.append(bk.section("Nobody on the team tracks a licence or certification yet. Ask them to start with "
                                 f"{code('/ce track FL deadline:2027-08-31')} (their state and deadline)."))
        return blocks
    pages = team_pages(team, size)
    page = min(max(page, 1), pages)
    blocks.append(bk.context(f"{len(tracking)} of {len(team)} people track a credential · " + counts_line(team)))
    csv = f"everyone in one file: {code('/ce export team csv')}"
    nav = f"{_team_nav(page, pages)} · {csv}" if pages > 1 else f"Overdue, due soon and behind pace first · {csv}"
    footer = bk.context(nav + (f" · as of {format_date(today)}" if today else "")
                        + f" · a weekly summary in a channel: {code('/ce admin summary #channel')}")
    lines = [member_line(mp) for mp in tracking[(page - 1) * size: page * size]]
    if idle and page == pages:
        names = ", ".join(who(mp.member) for mp in idle[:MENTIONS_SHOWN])
        more = len(idle) - MENTIONS_SHOWN
        lines.append(f"Not tracking anything yet: {names}" + (f" and {more} more" if more > 0 else ""))
    buttons = []
    if page > 1:
        buttons.append(bk.button("← Back", TEAM_PAGE, value=str(page - 1)))
    if page < pages:
        buttons.append(bk.button("Next →", TEAM_PAGE, value=str(page + 1)))
    tail = [bk.actions(*buttons, block_id=f"team_pages_{page}"), footer] if buttons else [footer]
    room = bk.MAX_BLOCKS_MESSAGE - len(blocks) - len(tail)
    return [*blocks, *pack_lines(lines, max_blocks=room), *tail]


def refusal_text(managers: Sequence[Member]) -> str:
    """Why a non-manager can't see the team, and who can grant access."""
    if managers:
        names = ", ".join(who(m) for m in managers[:5])
        ask = f"Ask a manager ({names}) to run {code('/ce admin managers add @you')}."
    else:
        ask = f"Ask a Slack workspace admin or owner to run {code('/ce admin managers add @you')}."
    return (f"Only clinic managers can see the team's progress. {ask} "
            f"Your own progress is in {code('/ce progress')}.")


def managers_text(managers: Sequence[Member]) -> str:
    """``/ce admin managers list``."""
    admins = [m for m in managers if m.is_slack_admin]
    added = [m for m in managers if not m.is_slack_admin]
    lines = [
        "*Managers* (added in cebot): " + (", ".join(who(m) for m in added) if added else "none yet"),
        "*Slack admins and owners* (always managers): " + (", ".join(who(m) for m in admins) if admins
                                                            else "none have used cebot yet"),
        f"Add one: {code('/ce admin managers add @person')} · remove: {code('/ce admin managers remove @person')}",
    ]
    return "\n".join(lines)
