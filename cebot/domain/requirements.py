"""The shape of a requirement set, declared once: pydantic models that are the catalog schema.

A :class:`RequirementSet` is read from a TOML file in ``cebot/catalog/data`` (see
:mod:`cebot.domain.catalog`) or from a workspace-defined set with the same schema. Each field is declared here
and nowhere else: the parser validates against these models, the writer dumps them, and the JSON Schema in
``docs/requirement-sets.md`` is :meth:`RequirementSet.model_json_schema`.

Hours are held as :data:`~cebot.domain.hours.Quarters` (``int``). In a file they are written as hours (``2.5``);
the conversion happens only when validating with :data:`FILE_CONTEXT` and dumping with it. Every check raises a
:class:`~pydantic_core.PydanticCustomError` of type ``catalog`` whose message says what would be right; ``at``
in its context names the field inside the model when a model-level check finds it.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
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
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


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


def _choice(enum: type[StrEnum]) -> BeforeValidator:
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


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- enumerations


class SetKind(StrEnum):
    """What a requirement set governs."""

    STATE_LICENCE = "state_licence"
    CERTIFICATION = "certification"
    MEMBERSHIP = "membership"
    PATHWAY = "pathway"
    WORKSPACE = "workspace"


class Applicability(StrEnum):
    """Whether CE applies at all: sets for states without CE or licensure say so plainly."""

    CE_REQUIRED = "ce_required"
    NO_CE = "no_ce"
    NO_LICENCE = "no_licence"
    VOLUNTARY = "voluntary"
    CONFLICTING = "conflicting"


class DeadlineKind(StrEnum):
    """How the deadline that closes a cycle is found."""

    FIXED = "fixed"
    """A calendar date, e.g. Aug 31 of odd years."""
    BIRTHDAY = "birthday"
    """The licensee's birthday, or the end/start of the birth month."""
    EXPIRY = "expiry"
    """The expiry date printed on the licence; the user tells us the date."""
    NONE = "none"
    """No deadline (no CE, or a pathway without a cycle)."""


class YearParity(StrEnum):
    ANY = "any"
    ODD = "odd"
    EVEN = "even"
    BIRTH_YEAR = "birth_year"
    """Same parity as the birth year (Virginia): needs the birth year, else the user's deadline."""


class BirthdayAnchor(StrEnum):
    BIRTHDAY = "birthday"
    MONTH_END = "month_end"
    MONTH_START = "month_start"


class FirstRenewalRule(StrEnum):
    NONE = "none"
    EXEMPT = "exempt"
    PRORATED = "prorated"


Kind = Annotated[SetKind, _choice(SetKind)]
ApplicabilityField = Annotated[Applicability, _choice(Applicability)]
DeadlineKindField = Annotated[DeadlineKind, _choice(DeadlineKind)]
Parity = Annotated[YearParity, _choice(YearParity)]
Anchor = Annotated[BirthdayAnchor, _choice(BirthdayAnchor)]
FirstRenewalRuleField = Annotated[FirstRenewalRule, _choice(FirstRenewalRule)]


# --------------------------------------------------------------------------- the models


class DeadlineRule(_Model):
    """When a cycle ends. ``day=None`` with a ``fixed`` rule means the last day of ``month``."""

    kind: DeadlineKindField
    month: Month | None = None
    day: Day | None = None
    parity: Parity = YearParity.ANY
    anchor: Anchor = BirthdayAnchor.BIRTHDAY

    @model_validator(mode="after")
    def _consistent(self) -> DeadlineRule:
        if self.kind is DeadlineKind.FIXED:
            if self.month is None:
                raise fail("required for a fixed deadline (1-12)", "month")
            if self.day is not None and self.day > _MONTH_DAYS[self.month - 1]:
                raise fail(f"month {self.month} has no day {self.day} every year; leave out day for the last "
                           "day of the month", "day")
            if self.parity is YearParity.BIRTH_YEAR:
                raise fail("birth_year parity only applies to birthday deadlines", "parity")
        else:
            for name in ("month", "day"):
                if getattr(self, name) is not None:
                    raise fail(f"only a fixed deadline has a {name}; this one is {self.kind.value}", name)
        if self.kind is not DeadlineKind.BIRTHDAY and "anchor" in self.model_fields_set \
                and self.anchor is not BirthdayAnchor.BIRTHDAY:
            raise fail("only a birthday deadline has an anchor", "anchor")
        if self.kind in (DeadlineKind.EXPIRY, DeadlineKind.NONE) and self.parity is not YearParity.ANY:
            raise fail(f"a {self.kind.value} deadline has no year parity", "parity")
        return self


class SubjectMinimum(_Model):
    """At least ``hours`` from entries tagged with any of ``subjects``.

    ``formats`` (if not empty) limits which deliveries count toward it, e.g. hands-on hours that must be in
    person. ``on_top`` minimums are required in addition to the total (Michigan's implicit bias), not within
    it. ``per_cycle_year`` scales the minimum by the cycle length in years.
    """

    key: ItemKey
    label: Label
    subjects: Annotated[Subjects, Field(min_length=1)]
    hours: PositiveHours
    formats: Formats = ()
    on_top: Flag = False
    per_cycle_year: Flag = False
    unconfirmed: Flag = False

    @model_validator(mode="before")
    @classmethod
    def _needs_subjects(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("subjects") in ([], ()):
            raise fail('name at least one subject key, e.g. ["ethics"]', "subjects")
        return data


class Cap(_Model):
    """At most ``hours`` count from entries matching ``subjects`` or ``formats``.

    An entry matches when it has any of ``subjects`` (if given) and its format is one of ``formats`` (if
    given). ``hours=0`` means such hours never count. ``applies_with`` names a minimum the cap goes with: when
    that minimum does not apply (a first renewal that keeps only some minimums), neither does the cap. Florida:
    at most 12 h not in a classroom, because 12 of the 24 must be classroom hours.
    """

    key: ItemKey
    label: Label
    hours: Hours
    subjects: Subjects = ()
    formats: Formats = ()
    applies_with: Annotated[str, _ITEM_KEY[0], _ITEM_KEY[1]] | None = None
    unconfirmed: Flag = False

    @model_validator(mode="after")
    def _limits_something(self) -> Cap:
        if not self.subjects and not self.formats:
            raise fail("a cap needs subjects, formats or both (which hours it limits)", "subjects")
        return self


class FirstRenewal(_Model):
    """What a licensee's first renewal asks for.

    ``prorated`` takes exactly one of: ``hours_per_month`` for each month licensed before the deadline (whole
    months, or also a partial month when ``count_partial_months``: Florida), ``fixed_hours`` (New Jersey's 10 h
    for a licence issued in the second half of the period) or ``chart``: the hours for a licence issued in
    each month of the cycle, first month first (Tennessee's published chart). In every case at most the set's
    total, and the minimums named in ``keep_minimums`` still apply in full.
    """

    rule: FirstRenewalRuleField = FirstRenewalRule.NONE
    hours_per_month: Hours = 0
    count_partial_months: Flag = False
    fixed_hours: Hours | None = None
    chart: tuple[Hours, ...] = ()
    keep_minimums: Annotated[tuple[ItemKey, ...], BeforeValidator(_unique)] = ()
    note: OptionalNote = ""

    @model_validator(mode="after")
    def _one_rate(self) -> FirstRenewal:
        given = [name for name, on in (("hours_per_month", self.hours_per_month > 0),
                                       ("fixed_hours", self.fixed_hours is not None),
                                       ("chart", bool(self.chart))) if on]
        if self.rule is FirstRenewalRule.PRORATED:
            if len(given) != 1:
                raise fail("a prorated rule needs exactly one of hours_per_month, fixed_hours or chart",
                           given[1] if len(given) > 1 else "hours_per_month")
            if self.count_partial_months and not self.hours_per_month:
                raise fail("only a monthly rate (hours_per_month) counts partial months", "count_partial_months")
        else:
            extra = [*given, *(["keep_minimums"] if self.keep_minimums else []),
                     *(["count_partial_months"] if self.count_partial_months else [])]
            if extra:
                raise fail(f"only a prorated rule has {extra[0]}; this one is {self.rule.value}", extra[0])
        return self


class CarryOver(_Model):
    """Hours over the total that move forward: at most ``max_hours`` into a cycle, from up to ``periods``
    cycles back (Nevada: extra hours may be used in the next 3 years). ``max_hours = 0`` means none."""

    max_hours: Hours = 0
    periods: Periods = 1
    note: OptionalNote = ""


class Condition(_Model):
    """A requirement that is not hours, e.g. a current CPR card."""

    key: ItemKey
    label: Line
    unconfirmed: Flag = False


class Source(_Model):
    """Where a rule comes from: a statute, administrative code section or board page."""

    title: Line
    url: Url = ""


class RequirementSet(_Model):
    """Everything a board asks for in one renewal cycle."""

    key: SetKey
    name: Label
    kind: Kind
    applicability: ApplicabilityField
    state: StateCode | None = None
    total_hours: Hours
    cycle_months: CycleMonths
    min_in_person_hours: Hours = 0
    checked_on: Annotated[date, BeforeValidator(_checked_on)]
    version: Version = 1
    """Bumped whenever a rule of the set changes; members are told once what changed (``change_note``)."""
    change_note: OptionalLine = ""
    """What changed in this ``version``, in a sentence users can read."""
    unconfirmed: Sentences = ()
    """Human sentences naming the parts of this rule no source confirms."""
    notes: Sentences = ()
    deadline: DeadlineRule
    first_renewal: FirstRenewal = FirstRenewal()
    carry_over: CarryOver = CarryOver()
    minimums: tuple[SubjectMinimum, ...] = ()
    caps: tuple[Cap, ...] = ()
    conditions: tuple[Condition, ...] = ()
    sources: tuple[Source, ...] = ()
    workspace_defined: SkipJsonSchema[bool] = Field(default=False, exclude=True)
    """Where the set came from (not written in files): a clinic's own set rather than a shipped one."""

    @property
    def tracks_hours(self) -> bool:
        """Whether this set asks for CE hours at all."""
        return self.applicability is Applicability.CE_REQUIRED and self.total_hours > 0

    @model_validator(mode="after")
    def _consistent(self) -> RequirementSet:
        if self.kind is SetKind.STATE_LICENCE and self.state is None:
            raise fail("required for a state_licence set (two-letter code such as FL)", "state")
        if self.min_in_person_hours > self.total_hours:
            raise fail(f"{format_hours(self.min_in_person_hours)} h is more than total_hours "
                       f"({format_hours(self.total_hours)} h)", "min_in_person_hours")
        self._check_cycle()
        self._check_items()
        self._check_fits()
        self._check_first_renewal()
        if not self.sources and not self.workspace_defined:
            raise fail("a shipped set needs at least one [[sources]] entry with a title", "sources")
        self._check_applicability()
        flags = [*((("minimums", i), m.unconfirmed) for i, m in enumerate(self.minimums)),
                 *((("caps", i), c.unconfirmed) for i, c in enumerate(self.caps)),
                 *((("conditions", i), c.unconfirmed) for i, c in enumerate(self.conditions))]
        marked = [f"{name}[{i}]" for (name, i), flag in flags if flag]
        if marked and not self.unconfirmed:
            raise fail(f"{marked[0]} is marked unconfirmed; say what is unconfirmed in a sentence in the "
                       "top-level unconfirmed list", "unconfirmed")
        return self

    def _check_cycle(self) -> None:
        kind, parity = self.deadline.kind, self.deadline.parity
        if kind is DeadlineKind.NONE:
            if self.cycle_months != 0:
                raise fail("must be 0 when the deadline kind is none", "cycle_months")
        elif self.cycle_months == 0:
            raise fail(f"must be from 1 to {MAX_CYCLE_MONTHS} for a {kind.value} deadline", "cycle_months")
        if parity is not YearParity.ANY and self.cycle_months % 24:
            raise fail(f"must be a multiple of 24 with {parity.value} parity, got {self.cycle_months}",
                       "cycle_months")

    def _check_items(self) -> None:
        lists: tuple[tuple[str, list[str]], ...] = (("minimums", [m.key for m in self.minimums]),
                                                    ("caps", [c.key for c in self.caps]),
                                                    ("conditions", [c.key for c in self.conditions]))
        for name, keys in lists:
            for i, key in enumerate(keys):
                if key in keys[:i]:
                    raise fail(f"{key!r} is used by another {name[:-1]}", name, i, "key")
        for i, m in enumerate(self.minimums):
            required = m.hours
            if m.per_cycle_year:
                if self.cycle_months == 0 or (m.hours * self.cycle_months) % 12:
                    raise fail(f"{format_hours(m.hours)} h per year of a {self.cycle_months}-month cycle is not a "
                               "whole number of quarter hours", "minimums", i, "per_cycle_year")
                required = m.hours * self.cycle_months // 12
            if not m.on_top and required > self.total_hours:
                raise fail(f"{format_hours(required)} h is more than total_hours "
                           f"({format_hours(self.total_hours)} h); set on_top = true if it is required in "
                           "addition to the total", "minimums", i, "hours")

    def _check_fits(self) -> None:
        keys = [m.key for m in self.minimums]
        for i, c in enumerate(self.caps):
            if c.applies_with is not None and c.applies_with not in keys:
                raise fail(f"names no minimum of this set: {c.applies_with!r}; known: {', '.join(keys) or 'none'}",
                           "caps", i, "applies_with")
        # Minimums that share no subject need separate hours; together they must fit in the total.
        groups: list[tuple[set[str], Quarters]] = []
        for m in self.minimums:
            if m.on_top:
                continue
            need = m.hours * self.cycle_months // 12 if m.per_cycle_year else m.hours
            subjects = set(m.subjects)
            joined = [g for g in groups if g[0] & subjects]
            for g in joined:
                groups.remove(g)
                subjects |= g[0]
                need = max(need, g[1])
            groups.append((subjects, need))
        needed = sum(h for _, h in groups)
        if needed > self.total_hours:
            raise fail(f"the minimums need {format_hours(needed)} h together, more than total_hours "
                       f"({format_hours(self.total_hours)} h)", "minimums")

    def _check_first_renewal(self) -> None:
        fr = self.first_renewal
        keys = [m.key for m in self.minimums]
        for i, key in enumerate(fr.keep_minimums):
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
                tip = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(keys) or 'none'}"
                raise fail(f"unknown minimum key {key!r}{tip}", "first_renewal", "keep_minimums", i)
        if fr.fixed_hours is not None and fr.fixed_hours > self.total_hours:
            raise fail(f"{format_hours(fr.fixed_hours)} h is more than total_hours "
                       f"({format_hours(self.total_hours)} h)", "first_renewal", "fixed_hours")
        if fr.chart:
            if len(fr.chart) != self.cycle_months:
                raise fail(f"needs one entry per month of the cycle ({self.cycle_months}), got {len(fr.chart)}",
                           "first_renewal", "chart")
            for i, hours in enumerate(fr.chart):
                if hours > self.total_hours:
                    raise fail(f"{format_hours(hours)} h is more than total_hours "
                               f"({format_hours(self.total_hours)} h)", "first_renewal", "chart", i)

    def _check_applicability(self) -> None:
        if self.applicability is not Applicability.CE_REQUIRED:
            if self.total_hours:
                raise fail(f"must be 0 when applicability is {self.applicability.value}", "total_hours")
            if (self.minimums or self.caps or self.min_in_person_hours
                    or self.first_renewal.rule is not FirstRenewalRule.NONE or self.carry_over.max_hours):
                raise fail(f"a {self.applicability.value} set cannot have minimums, caps, in-person hours, a "
                           "first-renewal rule or carry-over", "applicability")
        elif self.total_hours == 0 and self.kind not in (SetKind.PATHWAY, SetKind.WORKSPACE):
            raise fail("must be more than 0 for a set that requires CE (use applicability no_ce for a state "
                       "without CE)", "total_hours")
