"""``app_uninstalled`` and ``tokens_revoked``: forget the workspace's tokens, stop its jobs, keep its data.

The workspace is stamped uninstalled (the clock skips it); its entries, credentials
and settings stay for the retention period (``UNINSTALLED_RETENTION_DAYS``) and come
back as they were if it installs cebot again. Revoking only user tokens (cebot asks
for none, but an admin may have granted some) forgets just those.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from cebot.core.db import session_scope
from cebot.services import tenancy
from cebot.slack.context import engine_of
from cebot.slack.installations import CebotInstallationStore

logger = logging.getLogger(__name__)


def _team_of(body: dict[str, Any], context: BoltContext) -> str:
    return str(body.get("team_id") or context.team_id or "")


def uninstall_workspace(*, context: BoltContext, store: Any, team_id: str) -> None:
    """Forget the stored tokens (OAuth mode) and stamp the workspace uninstalled."""
    if isinstance(store, CebotInstallationStore):
        store.forget_team(team_id)
    with session_scope(engine_of(context)) as session:
        tenancy.mark_uninstalled(session=session, team_id=team_id)
    logger.info("workspace %s uninstalled cebot: tokens forgotten, jobs stopped, data kept", team_id)


def register(app: App) -> None:
    store = app.installation_store  # None in single-workspace mode

    def on_app_uninstalled(body: dict[str, Any], context: BoltContext) -> None:
        team_id = _team_of(body, context)
        if team_id:
            uninstall_workspace(context=context, store=store, team_id=team_id)

    def on_tokens_revoked(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        team_id = _team_of(body, context)
        tokens = event.get("tokens") or {}
        bots = [str(b) for b in tokens.get("bot") or []]
        users = [str(u) for u in tokens.get("oauth") or []]
        if not team_id:
            return
        if bots:
            uninstall_workspace(context=context, store=store, team_id=team_id)
        elif users and isinstance(store, CebotInstallationStore):
            store.forget_team(team_id, user_ids=users)
            logger.info("workspace %s revoked %d user token(s)", team_id, len(users))

    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
