"""``/ce track <KEY> [deadline:] [number:] [birthday:] [issued:] [first:] [cpr:]``: follow a licence or certification.

Tracking a key again updates what cebot knows (options left out keep their
values). A state that asks for no CE (or licenses no one) is still stored, like
the service does, and the reply says plainly that there is nothing to track.
"""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.catalog import Catalog
from cebot.domain.parsing import parse_track
from cebot.domain.requirements import SetKind
from cebot.services import credentials
from cebot.services.progress import member_progress
from cebot.slack.context import CommandContext
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.mrkdwn import code
from cebot.slack.render.progress import track_reply


def unknown_key_reply(catalog: Catalog, key: str, subcommand: str) -> str:
    """"I don't know FLA. Did you mean FL? ..." with the pointer to ``/ce requirements``."""
    suggestion = catalog.suggest(key)
    hint = f" Did you mean {code(f'/ce {subcommand} {suggestion}')}?" if suggestion else ""
    return (f"I don't know a licence or certification called {code(key)}.{hint} "
            f"{code('/ce requirements')} lists every key you can use.")


def handle_track(ctx: CommandContext) -> None:
    request = parse_track(ctx.rest, today=ctx.today)
    catalog = credentials.resolve_catalog(session=ctx.session, workspace_id=ctx.workspace.id or 0)
    if catalog.get(request.key) is None:
        ctx.respond(unknown_key_reply(catalog, request.key, "track"))
        return
    result = credentials.track(session=ctx.session, member=ctx.member, request=request, today=ctx.today)
    rs = result.requirement_set
    progress = next((p for p in member_progress(session=ctx.session, member=ctx.member, today=ctx.today)
                     if p.key == rs.key), None)
    text, blocks = track_reply(
        progress=progress,
        name=rs.name,
        key=rs.key,
        created=result.created,
        deadline_computed=result.deadline_computed,
        licence_number=result.credential.licence_number,
        needs=result.needs,
        tracks_hours=rs.tracks_hours,
        unconfirmed=rs.unconfirmed,
        no_ce_note=progress.notes[0] if progress is not None and progress.notes else None,
        pathway=rs.kind is SetKind.PATHWAY,
    )
    ctx.respond(text, blocks=blocks)
    refresh_home_after_commit(ctx)


def register(app: App) -> None:
    register_subcommand("track", handle_track)


__all__ = ["handle_track", "register", "unknown_key_reply"]
