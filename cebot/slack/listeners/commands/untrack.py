"""``/ce untrack <KEY>``: stop following a licence or certification; logged courses stay."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_untrack
from cebot.services import credentials
from cebot.slack.context import CommandContext
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.listeners.commands.track import unknown_key_reply
from cebot.slack.mrkdwn import code, escape


def handle_untrack(ctx: CommandContext) -> None:
    key = parse_untrack(ctx.rest)
    catalog = credentials.resolve_catalog(session=ctx.session, workspace_id=ctx.workspace.id or 0)
    rs = catalog.get(key)
    credential = credentials.get_credential(session=ctx.session, member=ctx.member, key=rs.key if rs else key)
    if credential is None:
        if rs is None:
            ctx.respond(unknown_key_reply(catalog, key, "untrack"))
        else:
            ctx.respond(f"You're not tracking {code(rs.key)}, so there's nothing to stop. "
                        f"{code('/ce progress')} shows what you track.")
        return
    credentials.untrack(session=ctx.session, member=ctx.member, key=credential.requirement_key)
    name = escape(rs.name if rs else credential.requirement_key).replace("*", "∗")
    ctx.respond(f":wastebasket: Stopped tracking *{name}* ({escape(credential.requirement_key)}). "
                f"Your logged courses stay in your log. Changed your mind? "
                f"{code('/ce track ' + credential.requirement_key)}.")
    refresh_home_after_commit(ctx)


def register(app: App) -> None:
    register_subcommand("untrack", handle_untrack)
