"""The field types of the catalog schema: each validates one kind of value and says what would be right.

Used by the models in :mod:`cebot.domain.requirements`. Hours are held as quarters (``int``); with
:data:`FILE_CONTEXT` they are read from and written to files as hours. Every check raises
:func:`fail`: a :class:`~pydantic_core.PydanticCustomError` of type ``catalog`` whose ``at`` context names the
field inside the model when a model-level check finds it.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, SerializationInfo, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from cebot.domain.hours import Quarters, format_hours, quarters
from cebot.domain.subjects import SUBJECT_KEYS, suggest

DELIVERY_FORMATS: tuple[str, ...] = ("in_person", "live_online", "home_study")
"""How a course was delivered. A recorded webinar is ``home_study`` (NCBTMB)."""

FILE_CONTEXT: dict[str, Any] = {"hours": "file"}
"""Validation/serialisation context for text files: hours are written as hours, not quarters."""

MAX_HOURS: Quarters = 1000 * 4
"""No board asks for more than this in one cycle; a bigger number is a typo."""
MAX_CYCLE_MONTHS = 120
# Days in each month of a common year: a fixed deadline must exist every year (no Feb 29).
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def fail(problem: str, *at: str | int) -> PydanticCustomError:
    """A schema error saying what would be right; ``at`` is the field path inside the model that checks it."""
    return PydanticCustomError("catalog", "{problem}", {"problem": problem, "at": at})


def show(value: object) -> str:
    """A value as it would be written in the file, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return str(value)


# --------------------------------------------------------------------------- field types


def _from_file(info: ValidationInfo | SerializationInfo) -> bool:
    context = info.context
    return isinstance(context, dict) and context.get("hours") == "file"


def _hours(value: Any, info: ValidationInfo) -> Quarters:
    if not _from_file(info):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(f"must be a whole number of quarter hours, got {show(value)}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"must be a number of hours such as 2 or 2.5, got {show(value)}")
    try:
        exact = Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - str(float) is always a Decimal literal
        raise fail(f"must be a number of hours, got {value}") from None
    if not exact.is_finite():
        raise fail(f"must be a number of hours, got {value}")
    if exact < 0:
        raise fail(f"must not be negative, got {value}")
    try:
        q = quarters(exact)
    except ValueError:
        raise fail(f"must be a multiple of 0.25 h, got {value}") from None
    if q > MAX_HOURS:
        raise fail(f"must be at most {format_hours(MAX_HOURS)} h, got {value}")
    return q


def _positive(value: Quarters) -> Quarters:
    if value == 0:
        raise fail("must be more than 0 h")
    return value


def _hours_out(value: Quarters, info: SerializationInfo) -> int | float:
    if not _from_file(info):
        return value
    return int(value // 4) if value % 4 == 0 else value / 4


_HOURS_SCHEMA = {"type": "number", "minimum": 0, "maximum": MAX_HOURS // 4, "multipleOf": 0.25,
                 "description": "hours, in whole quarter hours"}
Hours = Annotated[Quarters, BeforeValidator(_hours), PlainSerializer(_hours_out), WithJsonSchema(_HOURS_SCHEMA)]
PositiveHours = Annotated[Quarters, BeforeValidator(_positive), BeforeValidator(_hours),
                          PlainSerializer(_hours_out),
                          WithJsonSchema({**_HOURS_SCHEMA, "minimum": 0.25})]


def _text(max_len: int, *, blank_ok: bool = False) -> BeforeValidator:
    """Text in quotes; ``blank_ok`` for optional text whose default "" means "none"."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise fail(f"must be text in quotes, got {show(value)}")
        if blank_ok and value == "":
            return value
        if not value.strip():
            raise fail("must not be empty")
        if value != value.strip():
            raise fail("must not start or end with spaces")
        if len(value) > max_len:
            raise fail(f"must be at most {max_len} characters, got {len(value)}")
        return value

    return BeforeValidator(check)


def _key(pattern: str, form: str) -> tuple[BeforeValidator, WithJsonSchema]:
    compiled = re.compile(pattern)

    def check(value: Any) -> str:
        if not isinstance(value, str) or not compiled.match(value):
            raise fail(f"must be {form}, got {show(value)}")
        return value

    return BeforeValidator(check), WithJsonSchema({"type": "string", "pattern": pattern})


def _whole(low: int, high: int) -> tuple[BeforeValidator, WithJsonSchema]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"must be a whole number, got {show(value)}")
        if not low <= value <= high:
            raise fail(f"must be from {low} to {high}, got {value}")
        return value

    return BeforeValidator(check), WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise fail(f"must be true or false, got {show(value)}")
    return value


def choice(enum: type[StrEnum]) -> BeforeValidator:
    """A validator accepting one of ``enum``'s values, naming them all when given anything else."""

    choices = [m.value for m in enum]

    def check(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        if not isinstance(value, str) or value not in choices:
            raise fail(f"must be one of {', '.join(choices)}; got {show(value)}")
        return enum(value)

    return BeforeValidator(check)


def _vocabulary(known: tuple[str, ...], what: str, hint: Any = None) -> tuple[BeforeValidator, WithJsonSchema]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in known:
            close = hint(value) if hint and isinstance(value, str) else None
            if close is None and isinstance(value, str):
                matches = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
                close = matches[0] if matches else None
            tip = f"; did you mean {close!r}?" if close else f"; known: {', '.join(known)}"
            raise fail(f"unknown {what} {show(value)}{tip}")
        return value

    return BeforeValidator(check), WithJsonSchema({"enum": list(known)})


def _unique(values: Any) -> Any:
    if isinstance(values, list | tuple):
        for i, item in enumerate(values):
            if item in values[:i]:
                raise fail(f"{show(item)} is listed twice", i)
    return values


def _checked_on(value: Any) -> date:
    if type(value) is not date:
        raise fail(f"must be a date written like 2026-11-25 (no quotes, no time), got {show(value)}")
    return value


def _url(value: Any) -> str:
    if value == "":
        return value
    if not isinstance(value, str) or not re.match(r"^https?://\S+$", value):
        raise fail(f"must be a web address starting with https://, got {show(value)}")
    return value


_SET_KEY = _key(r"^[A-Z][A-Z0-9_]{0,31}$", "upper-case letters, digits or _ starting with a letter (e.g. FL, NCBTMB)")
_ITEM_KEY = _key(r"^[a-z][a-z0-9_]{0,47}$", "lower-case letters, digits or _ (e.g. ethics)")
_STATE = _key(r"^[A-Z]{2}$", "a two-letter upper-case state code such as FL")
_SUBJECT = _vocabulary(tuple(sorted(SUBJECT_KEYS)), "subject", suggest)
_FORMAT = _vocabulary(DELIVERY_FORMATS, "delivery format")
_MONTH, _DAY, _CYCLE = _whole(1, 12), _whole(1, 31), _whole(0, MAX_CYCLE_MONTHS)
_PERIODS, _VERSION = _whole(1, 10), _whole(1, 10_000)

SetKey = Annotated[str, _SET_KEY[0], _SET_KEY[1]]
ItemKey = Annotated[str, _ITEM_KEY[0], _ITEM_KEY[1]]
StateCode = Annotated[str, _STATE[0], _STATE[1]]
SubjectKey = Annotated[str, _SUBJECT[0], _SUBJECT[1]]
FormatKey = Annotated[str, _FORMAT[0], _FORMAT[1]]
Subjects = Annotated[tuple[SubjectKey, ...], BeforeValidator(_unique)]
ItemKeys = Annotated[tuple[ItemKey, ...], BeforeValidator(_unique)]
Formats = Annotated[tuple[FormatKey, ...], BeforeValidator(_unique)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Label = Annotated[str, _text(120), Field(min_length=1, max_length=120)]
Line = Annotated[str, _text(300), Field(min_length=1, max_length=300)]
Sentence = Annotated[str, _text(1000), Field(min_length=1, max_length=1000)]
Sentences = tuple[Sentence, ...]
OptionalNote = Annotated[str, _text(1000, blank_ok=True), Field(max_length=1000)]
OptionalLine = Annotated[str, _text(300, blank_ok=True), Field(max_length=300)]
Url = Annotated[str, BeforeValidator(_url), _text(500, blank_ok=True), Field(max_length=500)]
Month = Annotated[int, _MONTH[0], _MONTH[1]]
Day = Annotated[int, _DAY[0], _DAY[1]]
CycleMonths = Annotated[int, _CYCLE[0], _CYCLE[1]]
Periods = Annotated[int, _PERIODS[0], _PERIODS[1]]
Version = Annotated[int, _VERSION[0], _VERSION[1]]
CheckedOn = Annotated[date, BeforeValidator(_checked_on)]
