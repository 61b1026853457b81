"""The App Home tab: built from a member's progress and published on open and after every change.

Listeners that change a member's data call :func:`refresh_home_after_commit` with
their scope, so the Home tab is republished once the transaction has committed.
"""

from __future__ import annotations

from cebot.slack.context import MemberScope


def refresh_home_after_commit(scope: MemberScope) -> None:
    """Republish ``scope.member``'s Home tab after the transaction commits (filled in by the App Home feature)."""
    return None
