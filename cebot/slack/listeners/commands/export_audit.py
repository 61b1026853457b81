"""``/ce export audit KEY [cycle]``: the audit packet (a ZIP: transcript, certificate files, index, what is
missing) for one credential's current or named cycle, built by a ``certificate.audit`` job and sent to the DM.

Reached from ``/ce export`` (``audit`` is its first word). The key is checked here, so a typo gets its answer
at once; the cycle is checked by the job (it needs the progress engine), whose failure DM says what to try.
"""

from __future__ import annotations

from cebot.domain.parsing import parse_audit
from cebot.jobs import certificate_jobs
from cebot.services import exports
from cebot.slack.context import CommandContext
from cebot.slack.render.jobs import on_its_way


def handle_export_audit(ctx: CommandContext, rest: str) -> None:
    request = parse_audit(rest)
    exports.require_tracked(session=ctx.session, member=ctx.member, key=request.key)
    request_id = str(ctx.trigger_id or ctx.body.get("response_url") or "")
    queued = certificate_jobs.enqueue_audit(session=ctx.session, workspace=ctx.workspace, member=ctx.member,
                                            key=request.key, cycle=request.cycle, request_id=request_id)
    ctx.respond(on_its_way(f"{request.key} audit packet", queued=queued,
                           then="It holds the transcript, every certificate file and an index."))
