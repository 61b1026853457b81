"""``/ce log <hours> <title> [options]``: log a course and show how each tracked credential moved.

``/ce log`` alone opens the logging modal. The text is read as people write it
(``cebot.domain.parsing.reading``) and the reply says how ("Read as: ..."); a bare "online" asks live or
self-paced with buttons that log the course once (``ledger_actions.handle_log_format``).
A likely duplicate (same title, same date) is not saved:
the reply asks first, carrying the canonical ``/ce log`` text on its *Log it anyway* button
(``cebot.slack.listeners.actions.ledger_actions``).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from cebot.domain.facts import LogRequest
from cebot.domain.parsing import LogReading, format_log, read_log
from cebot.domain.progress import compute_progress
from cebot.services import ledger
from cebot.services.progress import member_ledgers, member_progress
from cebot.slack.context import CommandContext, MemberScope
from cebot.slack.home import refresh_home_after_commit, use_progress_for_home
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.listeners.views.log_modal import open_log_modal
from cebot.slack.mrkdwn import code
from cebot.slack.render import ledger as render
from cebot.slack.render.reading import format_question

FORM_FAILED = ("I couldn't open the form (Slack allows only a few seconds), so try `/ce log` again, or log in one "
               "line: " + code("/ce log 3h Ethics in Touch #ethics"))


def log_and_render(scope: MemberScope, request: LogRequest, reading: LogReading | None = None) -> dict[str, Any]:
    """Log ``request`` for the scope's member; the reply with how it was read and progress before and after.

    The Home tab refresh (which the caller schedules) reuses the "after" progress rather than computing it again.
    """
    before = member_progress(session=scope.session, member=scope.member, today=scope.today)
    entry = ledger.log_entry(session=scope.session, member=scope.member, request=request)
    ledgers = member_ledgers(session=scope.session, member=scope.member, today=scope.today)
    after = [compute_progress(c.requirement_set, c.facts, c.entries, scope.today) for c in ledgers]
    use_progress_for_home(scope, after, ledgers)
    return render.logged_message(entry, after, before, today=scope.today, reading=reading)


def handle_log(ctx: CommandContext) -> None:
    if not ctx.rest.strip():
        if not open_log_modal(ctx.client, ctx.trigger_id, ctx, channel_id=ctx.channel_id):
            ctx.respond(FORM_FAILED)
        return
    reading = read_log(ctx.rest, today=ctx.today)
    request = reading.request
    if reading.ask_format:  # "online": live or self-paced count differently; ask, log nothing yet
        ctx.respond(**format_question(request, today=ctx.today))
        return
    existing = ledger.find_duplicate(session=ctx.session, member=ctx.member, title=request.title,
                                     completed_on=request.completed_on)
    if existing is not None:
        ctx.respond(**render.duplicate_message(existing, format_log(request)))
        return
    ctx.respond(**log_and_render(ctx, request, reading))
    refresh_home_after_commit(ctx)


def register(app: App) -> None:
    register_subcommand("log", handle_log)
