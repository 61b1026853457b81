"""Replies about slow work run as a job: "on its way" when it is recorded, a DM when it finally failed."""

from __future__ import annotations

from cebot.slack.mrkdwn import code, escape


def on_its_way(what: str, *, queued: bool, then: str = "") -> str:
    """The answer to a request whose work is now a job (``queued`` False: the same request was recorded before).

    ``what`` is plain words ("PDF", "team CSV"); ``then`` an optional next step (mrkdwn, escaped already).
    """
    if not queued:
        return (f":hourglass_flowing_sand: I'm already making that {escape(what)}; it will be in our DM in a "
                "moment. No need to ask again.")
    tail = f" {then}" if then else ""
    return f":outbox_tray: Your {escape(what)} is on its way — I'll DM it in a moment.{tail}"


def job_failed_dm(what: str, reason: str, retry_with: str | None) -> str:
    """The DM after a job's last attempt failed: what failed, why, and what to do now."""
    again = f"Try {code(retry_with)} again in a few minutes" if retry_with else "Try again in a few minutes"
    return (f":warning: Sorry, your {escape(what)} could not be made and sent: {escape(reason)} Nothing else "
            f"changed. {again}; if it keeps failing, tell whoever runs cebot for your clinic.")
