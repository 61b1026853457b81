"""A clinic's own hour target (``/ce admin target``), read from the form's fields and checked by the catalog schema.

The form asks plain questions (key, name, hours, cycle length, deadline rule, subject minimums one a line); this
module turns the answers into a :class:`~cebot.domain.requirements.RequirementSet` validated by the same pydantic
models as the shipped files, or into errors keyed by field so the form can show them inline. Nothing here
knows Slack or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from cebot.domain.amma import TARGET_NOTE
from cebot.domain.catalog import dump_requirement_set
from cebot.domain.hours import format_hours
from cebot.domain.parsing import ParseError, parse_subject
from cebot.domain.requirements import RequirementSet, SetKind
from cebot.domain.schema_fields import FILE_CONTEXT, MAX_CYCLE_MONTHS
from cebot.domain.subjects import label as subject_label

KEY, NAME, HOURS, CYCLE, DEADLINE, MINIMUMS = "key", "name", "hours", "cycle", "deadline", "minimums"
FIELDS: tuple[str, ...] = (KEY, NAME, HOURS, CYCLE, DEADLINE, MINIMUMS)

DEADLINE_CHOICES: dict[str, str] = {
    "expiry": "The date each member gives (their own renewal date)",
    "birthday": "Each member's birthday",
    **{f"fixed:{m}": f"End of {name}, every cycle" for m, name in enumerate(
        ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"), start=1)},
}
"""Deadline rules the form offers: value -> words (option text, under Slack's 75 characters)."""

_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
_MINIMUM_RE = re.compile(r"^(?P<subject>.+?)[\s:=,]+(?P<hours>-?[0-9]+(?:\.[0-9]+)?)\s*h?(?:ours?)?$", re.I)
MAX_MINIMUM_LINES = 10

# Schema fields (the first element of a pydantic error location) -> the form field that shows the error.
_SCHEMA_FIELD = {"key": KEY, "name": NAME, "total_hours": HOURS, "cycle_months": CYCLE, "deadline": DEADLINE,
                 "minimums": MINIMUMS}


@dataclass(frozen=True)
class TargetForm:
    """The form's answers, as typed."""

    key: str = ""
    name: str = ""
    hours: str = ""
    cycle: str = ""
    deadline: str = ""
    minimums: str = ""


@dataclass(frozen=True)
class TargetRead:
    """A checked target (``requirement_set`` and its TOML ``definition``), or ``errors`` by field."""

    requirement_set: RequirementSet | None = None
    definition: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def origin_note(set_by: str, on: date) -> str:
    """``Target set by your clinic (Ada Admin, Dec 1, 2026).``"""
    when = f"{on:%b} {on.day}, {on.year}"
    return f"Target set by your clinic ({set_by.strip()[:60]}, {when})." if set_by.strip() \
        else f"Target set by your clinic ({when})."


def form_from_set(rs: RequirementSet) -> TargetForm:
    """The form prefilled from an existing set (to edit it)."""
    d = rs.deadline
    deadline = f"fixed:{d.month}" if d.kind.value == "fixed" and d.month else d.kind.value
    lines = "\n".join(f"{','.join(m.subjects)} {format_hours(m.hours)}" for m in rs.minimums)
    return TargetForm(key=rs.key, name=rs.name, hours=format_hours(rs.total_hours), cycle=str(rs.cycle_months),
                      deadline=deadline if deadline in DEADLINE_CHOICES else "", minimums=lines)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().removesuffix("h").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _plain(value: Decimal) -> int | float:
    """A number as TOML reads it (the schema takes ints and floats; quarter hours are exact as floats)."""
    return int(value) if value == int(value) else float(value)


def _read_minimums(text: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_MINIMUM_LINES:
        errors[MINIMUMS] = f"At most {MAX_MINIMUM_LINES} subject minimums, one a line."
        return out
    for n, line in enumerate(lines, start=1):
        m = _MINIMUM_RE.match(line)
        if not m:
            errors[MINIMUMS] = f"Line {n} (“{line[:30]}”): write a subject and its hours, like medical_massage 8."
            return out
        try:
            subject = parse_subject(m.group("subject"))
        except ParseError as exc:
            errors[MINIMUMS] = f"Line {n}: {exc.message}"
            return out
        hours = Decimal(m.group("hours"))
        if hours <= 0:
            errors[MINIMUMS] = f"Line {n}: the hours must be more than 0 (got {m.group('hours')})."
            return out
        if any(x["subjects"] == [subject] for x in out):
            errors[MINIMUMS] = f"Line {n}: {subject_label(subject)} is listed twice; give it once."
            return out
        out.append({"key": subject, "label": subject_label(subject), "subjects": [subject], "hours": _plain(hours)})
    return out


def read_target(form: TargetForm, *, today: date, set_by: str = "") -> TargetRead:
    """Check the answers; a set only when every field is right (else every problem found, by field).

    ``today`` is the set's ``checked_on`` (the day the clinic set it); the set's first note says it is a
    target set by the clinic, by ``set_by`` (a name) on ``today``, so progress and Home show it too.
    """
    errors: dict[str, str] = {}
    key = form.key.strip().upper()
    if not _KEY_RE.fullmatch(key):
        errors[KEY] = "A short key of letters and digits, like AMMA or CLINIC (it is what members track)."
    name = form.name.strip() or f"{key} (target set by your clinic)"
    hours = _read_hours(form.hours, errors)
    cycle = form.cycle.strip().removesuffix("months").strip()
    if not cycle.isdigit() or not 1 <= int(cycle) <= MAX_CYCLE_MONTHS:
        errors[CYCLE] = f"The cycle length in months, from 1 to {MAX_CYCLE_MONTHS} (12 is one year)."
    if form.deadline not in DEADLINE_CHOICES:
        errors[DEADLINE] = "Pick when a cycle ends."
    minimums = _read_minimums(form.minimums, errors)
    if hours is not None and HOURS not in errors:
        over = [m for m in minimums if m["hours"] > hours]
        if over:
            errors[MINIMUMS] = (f"{over[0]['label']} asks {over[0]['hours']} h, more than the {hours} h total: "
                                "lower it or raise the total.")
    if errors:
        return TargetRead(errors=errors)
    kind, _, month = form.deadline.partition(":")
    data: dict[str, Any] = {
        "key": key, "name": name, "kind": SetKind.PATHWAY.value if key == "AMMA" else SetKind.WORKSPACE.value,
        "applicability": "ce_required", "total_hours": _plain(hours) if hours is not None else 0,
        "cycle_months": int(cycle),
        "deadline": {"kind": kind, **({"month": int(month)} if month else {})},
        "minimums": minimums, "workspace_defined": True, "checked_on": today,
        "notes": [origin_note(set_by, today)],
        # The AMMA target is the clinic's, not AMMA's (docs/requirement-sets.md): say so as the shipped set does.
        **({"unconfirmed": [TARGET_NOTE]} if key == "AMMA" else {}),
    }
    try:
        rs = RequirementSet.model_validate(data, context=FILE_CONTEXT)
    except ValidationError as exc:
        return TargetRead(errors=_form_errors(exc))
    return TargetRead(requirement_set=rs, definition=dump_requirement_set(rs))


def _read_hours(text: str, errors: dict[str, str]) -> Decimal | None:
    """The target's hours as written (None when not a number); what is wrong with them goes in ``errors``."""
    hours = _number(text)
    if hours is None:
        errors[HOURS] = "Write the hours as a number, like 16 or 12.5."
    elif hours <= 0:
        errors[HOURS] = f"The target must be more than 0 hours (got {text.strip()})."
    elif hours * 4 != int(hours * 4):
        errors[HOURS] = "Hours go in quarters: 12, 12.25, 12.5 or 12.75."
    return hours


def _form_errors(exc: ValidationError) -> dict[str, str]:
    """The schema's objections, each under the form field it is about (the first one per field)."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        where = _SCHEMA_FIELD.get(str(err["loc"][0]) if err["loc"] else "")
        at = (err.get("ctx") or {}).get("at") or ()
        where = where or _SCHEMA_FIELD.get(str(at[0]) if at else "", HOURS)
        errors.setdefault(where, str(err["msg"])[:300])
    return errors
