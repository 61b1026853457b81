"""Writes behind ``/ce remind`` and ``/ce admin summary``: a member's reminder switch and snooze, the workspace's
weekly-summary schedule (kept in ``Workspace.settings["summary"]``). One caller transaction, scoped to the member's
own workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from cebot.domain import reminders as r
from cebot.domain.limits import SNOOZE_MAX_DAYS
from cebot.models import Member, Workspace
from cebot.services.errors import Forbidden, InvalidRequest
from cebot.services.workspaces import require_manager


@dataclass(frozen=True)
class ReminderSettings:
    enabled: bool
    snoozed_until: date | None
    lead_days: tuple[int, ...] = r.COUNTDOWN_DAYS
    custom_lead_days: bool = False


def reminder_settings(member: Member) -> ReminderSettings:
    """What ``/ce remind`` and Home show: on/off, the snooze, and the lead times (the defaults when unset)."""
    return ReminderSettings(member.reminders_enabled, member.snoozed_until, r.lead_days_from_text(member.lead_days),
                            bool(member.lead_days))


def set_lead_days(*, session: Session, member: Member, days: tuple[int, ...]) -> ReminderSettings:
    """Store the member's countdown lead times (``/ce remind days:90,30,7``); the defaults are not stored."""
    try:
        lead = r.normalise_lead_days(days)
    except ValueError as exc:
        raise InvalidRequest(f"Choose 1 to {r.LEAD_DAYS_COUNT_MAX} lead times, each 1 to {r.LEAD_DAYS_MAX} days, "
                             "e.g. /ce remind days:90,30,7.") from exc
    member.lead_days = None if lead == r.COUNTDOWN_DAYS else r.lead_days_text(lead)
    session.add(member)
    session.flush()
    return reminder_settings(member)


def set_reminders(*, session: Session, member: Member, action: str, days: int | None = None,
                  today: date) -> ReminderSettings:
    """``on`` (also ends a snooze), ``off``, or ``snooze`` for ``days`` days from ``today`` (the member's date)."""
    if action == "show":
        return reminder_settings(member)
    if action == "on":
        member.reminders_enabled, member.snoozed_until = True, None
    elif action == "off":
        member.reminders_enabled, member.snoozed_until = False, None
    elif action == "snooze":
        if days is None or not 1 <= days <= SNOOZE_MAX_DAYS:
            raise InvalidRequest(f"Snooze for 1 to {SNOOZE_MAX_DAYS} days, e.g. /ce remind snooze 7.")
        member.reminders_enabled, member.snoozed_until = True, today + timedelta(days=days)
    else:
        raise InvalidRequest("Say /ce remind on, /ce remind off or /ce remind snooze 7.")
    session.add(member)
    session.flush()
    return reminder_settings(member)


def set_summary(*, session: Session, workspace: Workspace, acting: Member, channel_id: str | None,
                weekday: int = 0, at: time = r.DEFAULT_SUMMARY_TIME) -> r.SummarySchedule | None:
    """Turn the weekly summary on (to ``channel_id``) or off (``channel_id=None``); managers only.

    The schedule runs in the workspace's timezone; while that is still the UTC default, in the timezone of the
    manager who set it up (Slack tells us each person's zone, not the workspace's).
    """
    if acting.workspace_id != workspace.id:
        raise Forbidden("Only a clinic manager or a Slack admin can set up the weekly summary.")
    require_manager(acting, "set up the weekly summary")
    settings = dict(workspace.settings or {})
    schedule: r.SummarySchedule | None = None
    if channel_id is None:
        settings.pop("summary", None)
    else:
        if not 0 <= weekday <= 6:
            raise InvalidRequest("Pick a weekday: day:mon ... day:sun.")
        own_tz = workspace.timezone if workspace.timezone not in ("", "UTC") else (acting.timezone or "UTC")
        schedule = r.SummarySchedule(channel=channel_id, day=r.WEEKDAYS[weekday], at=at,
                                     tz=None if own_tz == workspace.timezone else own_tz)
        settings["summary"] = schedule.to_json()
    workspace.settings = settings
    flag_modified(workspace, "settings")
    session.add(workspace)
    session.flush()
    return schedule
