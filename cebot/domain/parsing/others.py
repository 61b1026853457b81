"""``/ce milestone``, ``remind``, ``admin``, ``export``, ``mydata``, ``attach`` and ``export audit``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from cebot.domain.limits import SNOOZE_DEFAULT_DAYS, SNOOZE_MAX_DAYS
from cebot.domain.parsing.commands import _no_extra, _requirement_key, parse_entry_id
from cebot.domain.parsing.fields import _option_key, _take_date
from cebot.domain.parsing.tokens import ParseError, Word, _error, _short, tokenize
from cebot.domain.parsing.values import _date_parts, _norm_word, parse_date
from cebot.domain.reminders import LEAD_DAYS_COUNT_MAX, LEAD_DAYS_MAX, normalise_lead_days
from cebot.domain.weekdays import WEEKDAY_ALIASES, read_time

# AMMA milestones
# ---------------------------------------------------------------------------------------------------------------------

MILESTONE_STEPS: tuple[str, ...] = ("accredited_program", "mblex", "experience", "continuing_education", "amma_exam")
"""The five AMMA pathway steps, in order."""
MILESTONE_LABELS: dict[str, str] = {
    "accredited_program": "Graduate from an accredited massage program",
    "mblex": "Pass the MBLEx",
    "experience": "Gain experience",
    "continuing_education": "Continuing education in the conditions you treat",
    "amma_exam": "Pass the AMMA certification exam",
}
_STEP_ALIASES: dict[str, str] = {}
for _step, _names in {
    "accredited_program": ("program", "school", "accredited", "accredited program", "graduate", "graduated",
                           "graduation", "massage school", "massage program", "diploma"),
    "mblex": ("mblex exam", "fsmtb", "licensing exam", "board exam"),
    "experience": ("work", "practice", "clinical experience", "experience hours", "work experience"),
    "continuing_education": ("ce", "ces", "ceu", "seminars", "seminar", "continuing education", "education",
                             "courses", "conditions"),
    "amma_exam": ("exam", "amma", "amma exam", "certification", "certification exam", "amma certification",
                  "diplomate"),
}.items():
    _STEP_ALIASES[_step.replace("_", " ")] = _step
    for _name in _names:
        _STEP_ALIASES[_name] = _step
for _n, _step in enumerate(MILESTONE_STEPS, start=1):
    _STEP_ALIASES[str(_n)] = _step


@dataclass(frozen=True)
class MilestoneRequest:
    """``/ce milestone <step> [date:<date>]``: an AMMA pathway step reached on a date."""

    step: str
    """One of :data:`MILESTONE_STEPS`."""
    completed_on: date


def parse_step(text: str) -> str:
    """The milestone step key for ``program``, ``school``, ``mblex``, ``experience``, ``ce``, ``seminars``,
    ``exam``, ``amma_exam``, a step number 1-5, or the key itself."""
    step = _STEP_ALIASES.get(_norm_word(str(text)))
    if step is None:
        raise _error(f"I don't know the step “{_short(str(text), 30)}”. The steps are program, mblex, experience, "
                     "ce and exam.", "milestone", field="step")
    return step


def parse_milestone(rest: str, *, today: date) -> MilestoneRequest:
    """``/ce milestone <step> [date:<date>]`` (a bare date after the step works too). Date defaults to today."""
    words = tokenize(rest)
    keys = {"date": "date", "on": "date", "completed": "date", "when": "date"}
    step_words: list[str] = []
    completed: date | None = None
    i = 0
    while i < len(words):
        w = words[i]
        name = _option_key(w, keys, "milestone")
        if name == "date":
            if completed is not None:
                raise _error("date: is given twice; give it once.", "milestone", field="date")
            completed, i = _take_date(words, i, today=today, future=False, field_name="date")
            continue
        step_words.append(w.text)
        i += 1
    if not step_words:
        raise _error("Which step? The steps are program, mblex, experience, ce and exam.", "milestone",
                     field="step")
    # "mblex 2024-05-01" / "mblex Mar 14 2024": a trailing bare date.
    if completed is None:
        for n in (3, 2, 1):
            if len(step_words) > n and _date_parts(" ".join(step_words[-n:])) is not None:
                completed = parse_date(" ".join(step_words[-n:]), today=today, field="date")
                step_words = step_words[:-n]
                break
    return MilestoneRequest(step=parse_step(" ".join(step_words)), completed_on=completed or today)


# ---------------------------------------------------------------------------------------------------------------------
# remind, admin, export, mydata
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemindRequest:
    """``/ce remind [on|off|snooze [days]|days:90,30,7]``. ``days`` is set only for ``snooze`` (default 7, 1-90);
    ``lead_days`` only for ``days`` (the member's lead times); ``show`` (no words) shows the settings."""

    action: str
    days: int | None = None
    lead_days: tuple[int, ...] = ()


def parse_remind(rest: str) -> RemindRequest:
    """``/ce remind on``, ``/ce remind off``, ``/ce remind snooze [days]`` (``14``, ``14d``, ``2w``),
    ``/ce remind days:90,30,7``; alone, the settings."""
    words = [w.text.lower() for w in tokenize(rest)]
    if not words:
        return RemindRequest(action="show")
    if words[0].startswith(("days:", "lead:")):
        return _parse_lead_days(" ".join(words).split(":", 1)[1])
    action = {"on": "on", "enable": "on", "start": "on", "yes": "on", "off": "off", "disable": "off",
              "stop": "off", "no": "off", "snooze": "snooze", "pause": "snooze", "later": "snooze"}.get(words[0])
    if action is None:
        raise _error(f"I don't know “{_short(words[0], 20)}” for reminders. Say on, off or snooze.", "remind",
                     field="action")
    if action != "snooze":
        if words[1:]:
            raise _error(f"I didn't understand “{_short(' '.join(words[1:]), 30)}”.", "remind")
        return RemindRequest(action=action)
    if not words[1:]:
        return RemindRequest(action="snooze", days=SNOOZE_DEFAULT_DAYS)
    spec = " ".join(words[1:])
    m = re.fullmatch(r"(?:for )?(\d{1,6}) ?(d|day|days|w|wk|wks|week|weeks)?", spec)
    if not m:
        raise _error(f"I couldn't read “{_short(spec, 20)}” as a number of days.", "remind", field="days")
    days = int(m.group(1)) * (7 if (m.group(2) or "d").startswith("w") else 1)
    if not 1 <= days <= SNOOZE_MAX_DAYS:
        raise _error(f"Snooze for 1 to {SNOOZE_MAX_DAYS} days.", "remind", field="days")
    return RemindRequest(action="snooze", days=days)


def _parse_lead_days(spec: str) -> RemindRequest:
    """``90,30,7`` (spaces allowed): the days before a deadline a reminder goes out."""
    parts = [p for p in re.split(r"[,\s]+", spec.strip()) if p]
    if not parts or not all(p.isdigit() and len(p) <= 4 for p in parts):
        raise _error(f"I couldn't read “{_short(spec, 20)}” as days before a deadline.", "remind", field="days")
    try:
        lead = normalise_lead_days([int(p) for p in parts])
    except ValueError:
        raise _error(f"Choose 1 to {LEAD_DAYS_COUNT_MAX} lead times, each 1 to {LEAD_DAYS_MAX} days.", "remind",
                     field="days") from None
    return RemindRequest(action="days", lead_days=lead)


@dataclass(frozen=True)
class AdminRequest:
    """``/ce admin ...``.

    ``action`` is one of ``managers_add``, ``managers_remove`` (with ``user_ids``),
    ``managers_list``, ``summary_on`` (with ``channel_id``, ``weekday`` 0=Monday
    and ``at``, defaults Monday 09:00 in the workspace's timezone) or ``summary_off``.
    """

    action: str
    user_ids: tuple[str, ...] = ()
    channel_id: str | None = None
    weekday: int | None = None
    at: time | None = None


_USER_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_RE = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")


def parse_time(text: str, *, field: str = "time") -> time:
    """A time of day: ``09:00``, ``9:30``, ``9am``, ``9:30pm``, ``17`` (see ``weekdays.read_time``)."""
    at = read_time(str(text))
    if at is not None:
        return at
    raise ParseError(f"I couldn't read “{_short(str(text), 20)}” as a time. Write it like time:09:00 or time:9am.",
                     field=field)


def parse_admin(rest: str) -> AdminRequest:
    """``managers add|remove <@user ...>``, ``managers`` (list), ``summary <#channel> [day:mon] [time:09:00]``,
    ``summary off``. Slack sends mentions as ``<@U123|name>`` and channels as ``<#C123|name>``."""
    words = tokenize(rest)
    if not words:
        raise _error("Say managers or summary.", "admin")
    head = words[0].text.lower()
    if head in ("managers", "manager", "mgr", "mgrs"):
        return _parse_managers(words[1:])
    if head in ("summary", "digest", "report", "weekly"):
        return _parse_summary(words[1:])
    raise _error(f"I don't know “{_short(words[0].text, 20)}” under admin. Say managers or summary.", "admin")


_MANAGER_VERBS = {"add": "managers_add", "+": "managers_add", "remove": "managers_remove", "rm": "managers_remove",
                  "del": "managers_remove", "delete": "managers_remove", "-": "managers_remove"}


def _parse_managers(words: list[Word]) -> AdminRequest:
    """What follows ``/ce admin managers``: nothing or ``list``, else add/remove and @mentions."""
    if not words or words[0].text.lower() in ("list", "show"):
        _no_extra(words[1:], "admin")
        return AdminRequest(action="managers_list")
    verb = _MANAGER_VERBS.get(words[0].text.lower())
    if verb is None:
        raise _error("Say managers add or managers remove, then @mention the person.", "admin")
    ids: list[str] = []
    for w in words[1:]:
        m = _USER_RE.fullmatch(w.raw)
        if not m:
            raise _error(f"I need an @mention that Slack links, not “{_short(w.text, 20)}”: type @ and pick "
                         "the person from the list.", "admin", field="user")
        ids.append(m.group(1))
    if not ids:
        raise _error("Who? @mention the person after add or remove.", "admin", field="user")
    return AdminRequest(action=verb, user_ids=tuple(dict.fromkeys(ids)))


def _parse_summary(words: list[Word]) -> AdminRequest:
    """What follows ``/ce admin summary``: ``off``, or a #channel with optional ``day:`` and ``time:``."""
    if not words:
        raise _error("Which channel? Write /ce admin summary #channel (or summary off).", "admin",
                     field="channel")
    if words[0].text.lower() in ("off", "stop", "none", "disable"):
        _no_extra(words[1:], "admin")
        return AdminRequest(action="summary_off")
    m = _CHANNEL_RE.fullmatch(words[0].raw)
    if not m:
        raise _error(f"I need a #channel that Slack links, not “{_short(words[0].text, 20)}”: type # and pick "
                     "the channel from the list (and invite me to it).", "admin", field="channel")
    weekday, at = 0, time(9, 0)
    seen: set[str] = set()
    for w in words[1:]:
        name = _option_key(w, {"day": "day", "weekday": "day", "time": "time", "at": "time"}, "admin")
        if name is None:
            raise _error(f"I didn't understand “{_short(w.text, 20)}”. Options are day: and time:.", "admin")
        if name in seen:
            raise _error(f"{name}: is given twice; give it once.", "admin", field=name)
        seen.add(name)
        if name == "day":
            weekday = _weekday(w.value)
        else:
            at = parse_time(w.value)
    return AdminRequest(action="summary_on", channel_id=m.group(1), weekday=weekday, at=at)


def _weekday(text: str) -> int:
    """A ``day:`` value as 0 (Monday) to 6."""
    wd = WEEKDAY_ALIASES.get(text.strip().lower())
    if wd is None:
        raise _error(f"I couldn't read “{_short(text, 20)}” as a weekday. Write day:mon, day:tue ... day:sun.",
                     "admin", field="day")
    return wd


@dataclass(frozen=True)
class ExportRequest:
    """``/ce export csv|pdf [KEY]`` (``scope="me"``) or ``/ce export team csv`` (``scope="team"``)."""

    fmt: str
    """``csv`` or ``pdf``."""
    scope: str = "me"
    key: str | None = None


def parse_export(rest: str) -> ExportRequest:
    """``/ce export`` (CSV of your entries), ``csv|pdf [KEY]``, ``team [csv]``."""
    words = tokenize(rest)
    texts = [w.text.lower() for w in words]
    if texts and texts[0] == "team":
        if len(texts) > 2 or (len(texts) == 2 and texts[1] != "csv"):
            raise _error("The team export is a CSV: /ce export team csv.", "export")
        return ExportRequest(fmt="csv", scope="team")
    if not texts:
        return ExportRequest(fmt="csv")
    if texts[0] not in ("csv", "pdf"):
        raise _error(f"I can export csv or pdf, not “{_short(words[0].text, 20)}”.", "export", field="format")
    key = _requirement_key(words[1], "export") if len(words) > 1 else None
    _no_extra(words[2:], "export")
    return ExportRequest(fmt=texts[0], key=key)


@dataclass(frozen=True)
class MyDataRequest:
    """``/ce mydata export|delete``: a copy of everything cebot holds about you, or erase it."""

    action: str


def parse_mydata(rest: str) -> MyDataRequest:
    """``/ce mydata export`` or ``/ce mydata delete``."""
    words = [w.text.lower() for w in tokenize(rest)]
    if not words:
        raise _error("Say export (a copy of your data) or delete (erase it).", "mydata", field="action")
    action = {"export": "export", "download": "export", "copy": "export", "delete": "delete", "erase": "delete",
              "remove": "delete", "forget": "delete"}.get(words[0])
    if action is None:
        raise _error(f"I don't know “{_short(words[0], 20)}” here. Say export or delete.", "mydata", field="action")
    if words[1:]:
        raise _error(f"I didn't understand “{_short(' '.join(words[1:]), 30)}”.", "mydata")
    return MyDataRequest(action=action)


def parse_attach(rest: str) -> int:
    """The entry number in ``/ce attach 12`` (or ``#12``)."""
    return parse_entry_id(rest, sub="attach")


@dataclass(frozen=True)
class AuditRequest:
    """``/ce export audit KEY [cycle]``: the audit packet for one credential's current or a named cycle."""

    key: str
    cycle: str = "current"
    """``current``, ``previous``, a deadline year (``2025``) or a day inside the cycle (``2025-06-30``)."""


def parse_audit(rest: str) -> AuditRequest:
    """The words after ``/ce export audit``: ``KEY [current|previous|YYYY|YYYY-MM-DD]``."""
    words = tokenize(rest)
    key = _requirement_key(words[0] if words else None, "export").upper()
    cycle = "current"
    if len(words) > 1:
        text = words[1].text.strip().lower()
        if text in ("current", "this", "now"):
            cycle = "current"
        elif text in ("previous", "last", "prior"):
            cycle = "previous"
        elif re.fullmatch(r"(19|20)\d\d", text) or re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", text):
            if len(text) == 10:
                try:
                    date.fromisoformat(text)
                except ValueError:
                    raise _error(f"“{_short(text, 20)}” isn't a date: write it like 2025-06-30.", "export") from None
            cycle = text
        else:
            raise _error(f"Which cycle? Say current, previous, the year it ends (2025) or a day in it "
                         f"(2025-06-30), not “{_short(words[1].text, 20)}”.", "export", field="cycle")
    _no_extra(words[2:], "export")
    return AuditRequest(key=key, cycle=cycle)
