"""The shape of a requirement set, declared once: pydantic models that are the catalog schema.

A :class:`RequirementSet` is read from a TOML file in ``cebot/catalog/data`` (see
:mod:`cebot.domain.catalog`) or from a workspace-defined set with the same schema. Each field is declared here
and nowhere else: the parser validates against these models, the writer dumps them, and the JSON Schema in
``docs/requirement-sets.md`` is :meth:`RequirementSet.model_json_schema`. The field types (hours, keys, text,
subject and format vocabularies) are in :mod:`cebot.domain.schema_fields`, the enumerated choices (set kind,
applicability, deadline kind...) in :mod:`cebot.domain.schema_choices`.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from cebot.domain.hours import Quarters, format_hours
from cebot.domain.schema_choices import (
    Anchor,
    Applicability,
    ApplicabilityField,
    BirthdayAnchor,
    DeadlineKind,
    DeadlineKindField,
    FirstRenewalRule,
    FirstRenewalRuleField,
    Kind,
    Parity,
    SetKind,
    YearParity,
)
from cebot.domain.schema_fields import (
    DELIVERY_FORMATS,
    FILE_CONTEXT,
    MAX_CYCLE_MONTHS,
    MAX_HOURS,
    MONTH_DAYS,
    CheckedOn,
    CycleMonths,
    Day,
    Flag,
    Formats,
    Hours,
    ItemKey,
    ItemKeys,
    Label,
    Line,
    Month,
    OptionalLine,
    OptionalNote,
    Periods,
    PositiveHours,
    Sentences,
    SetKey,
    StateCode,
    Subjects,
    Url,
    Version,
    fail,
    show,
)

# Imported from here by the rest of cebot, with the models.
__all__ = ["DELIVERY_FORMATS", "FILE_CONTEXT", "MAX_CYCLE_MONTHS", "MAX_HOURS", "Applicability", "BirthdayAnchor",
           "DeadlineKind", "FirstRenewalRule", "SetKind", "YearParity", "fail", "show"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
            if self.day is not None and self.day > MONTH_DAYS[self.month - 1]:
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
    applies_with: ItemKey | None = None
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
    keep_minimums: ItemKeys = ()
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
    checked_on: CheckedOn
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
