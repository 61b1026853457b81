"""The requirement catalog: TOML files in, validated :class:`RequirementSet` objects out.

Shipped sets live in ``cebot/catalog/data/<KEY>.toml`` (one file per set) and are
loaded once by :func:`load_catalog`. A clinic manager may define a workspace set
with the same schema; it is parsed with ``workspace_defined=True`` and layered
over the shipped sets with :meth:`Catalog.with_overrides`.

Every problem in a file raises :class:`CatalogError` naming the file and the field,
e.g. ``FL.toml: minimums[1].hours: must be a multiple of 0.25 h, got 1.3``. The
schema is documented in ``docs/requirement-sets.md``.

:func:`dump_requirement_set` writes a set back as TOML text that parses to an
equal set (workspace sets are stored that way).
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from cebot.domain.hours import Quarters, format_hours, quarters
from cebot.domain.requirements import (
    DELIVERY_FORMATS,
    Applicability,
    BirthdayAnchor,
    Cap,
    CarryOver,
    Condition,
    DeadlineKind,
    DeadlineRule,
    FirstRenewal,
    FirstRenewalRule,
    RequirementSet,
    SetKind,
    Source,
    SubjectMinimum,
    YearParity,
)
from cebot.domain.subjects import SUBJECT_KEYS, suggest

__all__ = [
    "Catalog",
    "CatalogError",
    "UnknownRequirementSet",
    "dump_requirement_set",
    "load_catalog",
    "load_catalog_from",
    "parse_requirement_set",
]

MAX_HOURS: Quarters = 1000 * 4
"""No board asks for more than this in one cycle; a bigger number is a typo."""
MAX_CYCLE_MONTHS = 120
_SET_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
_ITEM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_STATE = re.compile(r"^[A-Z]{2}$")
# Days in each month of a common year: a fixed deadline must exist every year (no Feb 29).
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

E = TypeVar("E", bound=StrEnum)


class CatalogError(ValueError):
    """A requirement set that cannot be used; the message names the file and the field."""

    def __init__(self, message: str, *, source_name: str = "", field: str = "", problem: str = "") -> None:
        super().__init__(message)
        self.source_name = source_name
        self.field = field
        self.problem = problem or message

    @classmethod
    def at(cls, source_name: str, field: str, problem: str) -> CatalogError:
        """An error in ``field`` of ``source_name``: ``"FL.toml: total_hours: must be ..."``."""
        where = f"{source_name}: {field}" if field else source_name
        return cls(f"{where}: {problem}", source_name=source_name, field=field, problem=problem)


class UnknownRequirementSet(CatalogError):
    """A requirement-set key that is in neither the shipped catalog nor the workspace's sets."""

    def __init__(self, key: str, suggestion: str | None, known: list[str]) -> None:
        hint = f" Did you mean {suggestion}?" if suggestion else ""
        message = f"There is no requirement set called {key!r}.{hint} Known sets: {', '.join(known)}."
        super().__init__(message, field="key", problem=message)
        self.key = key
        self.suggestion = suggestion
        self.known = known


# --------------------------------------------------------------------------- parsing


class _Table:
    """One TOML table being read: tracks the fields used so unknown ones fail (typo protection)."""

    def __init__(self, source: str, path: str, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        self.source = source
        self.path = path
        self.data = data
        self.allowed = allowed

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str) -> CatalogError:
        return CatalogError.at(self.source, self.where(name), problem)

    def check_unknown(self) -> None:
        for name in self.data:
            if name not in self.allowed:
                close = difflib.get_close_matches(name, self.allowed, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise self.fail(name, f"unknown field; {hint}allowed: {', '.join(self.allowed)}")

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str, *, required: bool) -> Any:
        if name not in self.data:
            if required:
                raise self.fail(name, "required field is missing")
            return None
        return self.data[name]

    def text(self, name: str, *, required: bool = True, max_len: int = 500) -> str | None:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(name, f"must be text in quotes, got {_show(value)}")
        if not value.strip():
            raise self.fail(name, "must not be empty")
        if value != value.strip():
            raise self.fail(name, "must not start or end with spaces")
        if len(value) > max_len:
            raise self.fail(name, f"must be at most {max_len} characters, got {len(value)}")
        return value

    def req_text(self, name: str, *, max_len: int = 500) -> str:
        value = self.text(name, max_len=max_len)
        if value is None:  # pragma: no cover - text() raised already
            raise self.fail(name, "required field is missing")
        return value

    def req_hours(self, name: str, *, positive: bool = False) -> Quarters:
        value = self.hours(name, positive=positive)
        if value is None:  # pragma: no cover - hours() raised already
            raise self.fail(name, "required field is missing")
        return value

    def req_integer(self, name: str, low: int, high: int) -> int:
        value = self.integer(name, low, high)
        if value is None:  # pragma: no cover - integer() raised already
            raise self.fail(name, "required field is missing")
        return value

    def key(self, name: str, pattern: re.Pattern[str], form: str) -> str:
        value = self.req_text(name, max_len=64)
        if not pattern.match(value):
            raise self.fail(name, f"must be {form}, got {value!r}")
        return value

    def boolean(self, name: str) -> bool:
        value = self.raw(name, required=False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(name, f"must be true or false, got {_show(value)}")
        return value

    def integer(self, name: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"must be a whole number, got {_show(value)}")
        if not low <= value <= high:
            raise self.fail(name, f"must be from {low} to {high}, got {value}")
        return value

    def hours(self, name: str, *, required: bool = True, positive: bool = False) -> Quarters | None:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"must be a number of hours such as 2 or 2.5, got {_show(value)}")
        try:
            exact = Decimal(str(value))
        except InvalidOperation as exc:  # pragma: no cover - str(float) is always a Decimal literal
            raise self.fail(name, f"must be a number of hours, got {value}") from exc
        if not exact.is_finite():
            raise self.fail(name, f"must be a number of hours, got {value}")
        if exact < 0:
            raise self.fail(name, f"must not be negative, got {value}")
        try:
            q = quarters(exact)
        except ValueError:
            raise self.fail(name, f"must be a multiple of 0.25 h, got {value}") from None
        if positive and q == 0:
            raise self.fail(name, "must be more than 0 h")
        if q > MAX_HOURS:
            raise self.fail(name, f"must be at most {format_hours(MAX_HOURS)} h, got {value}")
        return q

    def enum(self, name: str, enum: type[E], default: E | None = None) -> E:
        value = self.raw(name, required=default is None)
        if value is None:
            if default is None:  # pragma: no cover - raw() raised already
                raise self.fail(name, "required field is missing")
            return default
        choices = [m.value for m in enum]
        if not isinstance(value, str) or value not in choices:
            raise self.fail(name, f"must be one of {', '.join(choices)}; got {_show(value)}")
        return enum(value)

    def strings(self, name: str, *, max_len: int = 1000) -> tuple[str, ...]:
        value = self.raw(name, required=False)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(name, f'must be a list of text such as ["a", "b"], got {_show(value)}')
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{name}[{i}]", f"must be non-empty text, got {_show(item)}")
            if item != item.strip():
                raise self.fail(f"{name}[{i}]", "must not start or end with spaces")
            if len(item) > max_len:
                raise self.fail(f"{name}[{i}]", f"must be at most {max_len} characters")
            out.append(item)
        return tuple(out)

    def vocabulary(self, name: str, known: Iterable[str], what: str,
                   hint: Callable[[str], str | None] | None = None) -> tuple[str, ...]:
        values = self.strings(name, max_len=64)
        known_set = set(known)
        for i, item in enumerate(values):
            if item not in known_set:
                close = hint(item) if hint else None
                if close is None:
                    matches = difflib.get_close_matches(item, sorted(known_set), n=1, cutoff=0.6)
                    close = matches[0] if matches else None
                tip = f"; did you mean {close!r}?" if close else f"; known: {', '.join(sorted(known_set))}"
                raise self.fail(f"{name}[{i}]", f"unknown {what} {item!r}{tip}")
            if item in values[:i]:
                raise self.fail(f"{name}[{i}]", f"{item!r} is listed twice")
        return values

    def table(self, name: str, allowed: tuple[str, ...], *, required: bool) -> _Table | None:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(name, f"must be a table ([{self.where(name)}]), got {_show(value)}")
        sub = _Table(self.source, self.where(name), value, allowed)
        sub.check_unknown()
        return sub

    def tables(self, name: str, allowed: tuple[str, ...]) -> list[_Table]:
        value = self.raw(name, required=False)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(name, f"must be written as [[{self.where(name)}]] tables, got {_show(value)}")
        out = []
        for i, item in enumerate(value):
            sub = _Table(self.source, f"{self.where(name)}[{i}]", item, allowed)
            sub.check_unknown()
            out.append(sub)
        return out


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _subject_hint(text: str) -> str | None:
    return suggest(text)


_TOP = ("key", "name", "kind", "applicability", "state", "total_hours", "cycle_months", "min_in_person_hours",
        "checked_on", "unconfirmed", "notes", "deadline", "minimums", "caps", "first_renewal", "carry_over",
        "conditions", "sources")
_DEADLINE = ("kind", "month", "day", "parity", "anchor")
_MINIMUM = ("key", "label", "subjects", "hours", "formats", "on_top", "per_cycle_year", "unconfirmed")
_CAP = ("key", "label", "hours", "subjects", "formats", "unconfirmed")
_FIRST = ("rule", "hours_per_month", "fixed_hours", "keep_minimums", "note")
_CARRY = ("max_hours", "note")
_CONDITION = ("key", "label", "unconfirmed")
_SOURCE = ("title", "url")


def parse_requirement_set(text: str, *, source_name: str, workspace_defined: bool = False,
                          checked_on_default: date | None = None) -> RequirementSet:
    """Parse and validate one requirement set written in TOML.

    ``source_name`` is used in every error message (a file name such as ``FL.toml``,
    or ``workspace set AMMA``). Shipped sets (``workspace_defined=False``) must name
    at least one source and a ``checked_on`` date. A workspace set may leave both
    out; its ``checked_on`` then defaults to ``checked_on_default`` (the service
    passes the day it was saved) and is required if that is ``None``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError.at(source_name, "", f"not valid TOML: {exc}") from None
    top = _Table(source_name, "", data, _TOP)
    top.check_unknown()

    key = top.key("key", _SET_KEY, "upper-case letters, digits or _ starting with a letter (e.g. FL, NCBTMB)")
    name = top.req_text("name", max_len=120)
    kind = top.enum("kind", SetKind)
    applicability = top.enum("applicability", Applicability)
    state = top.text("state", required=False, max_len=2)
    if state is not None and not _STATE.match(state):
        raise top.fail("state", f"must be a two-letter upper-case state code such as FL, got {state!r}")
    if kind is SetKind.STATE_LICENCE and state is None:
        raise top.fail("state", "required for a state_licence set (two-letter code such as FL)")

    total = top.req_hours("total_hours")
    cycle_months = top.req_integer("cycle_months", 0, MAX_CYCLE_MONTHS)
    min_in_person = top.hours("min_in_person_hours", required=False) or 0
    if min_in_person > total:
        raise top.fail("min_in_person_hours",
                       f"{format_hours(min_in_person)} h is more than total_hours ({format_hours(total)} h)")

    checked_on = _checked_on(top, workspace_defined, checked_on_default)
    unconfirmed = top.strings("unconfirmed")
    notes = top.strings("notes")

    deadline = _deadline(top, cycle_months)
    minimums = _minimums(top, total, cycle_months)
    caps = _caps(top)
    first_renewal = _first_renewal(top, total, minimums)
    carry_over = _carry_over(top)
    conditions = _conditions(top)
    sources = _sources(top)
    if not sources and not workspace_defined:
        raise top.fail("sources", "a shipped set needs at least one [[sources]] entry with a title")

    if applicability is not Applicability.CE_REQUIRED:
        if total:
            raise top.fail("total_hours", f"must be 0 when applicability is {applicability.value}")
        if minimums or caps or min_in_person or first_renewal.rule is not FirstRenewalRule.NONE or carry_over.max_hours:
            raise top.fail("applicability", f"a {applicability.value} set cannot have minimums, caps, "
                                            "in-person hours, a first-renewal rule or carry-over")
    elif total == 0 and kind not in (SetKind.PATHWAY, SetKind.WORKSPACE):
        raise top.fail("total_hours", "must be more than 0 for a set that requires CE "
                                      "(use applicability no_ce for a state without CE)")

    flags: list[tuple[str, bool]] = [
        *((f"minimums[{i}]", m.unconfirmed) for i, m in enumerate(minimums)),
        *((f"caps[{i}]", c.unconfirmed) for i, c in enumerate(caps)),
        *((f"conditions[{i}]", c.unconfirmed) for i, c in enumerate(conditions)),
    ]
    marked = [where for where, flag in flags if flag]
    if marked and not unconfirmed:
        raise top.fail("unconfirmed", f"{marked[0]} is marked unconfirmed; say what is unconfirmed in a sentence "
                                      "in the top-level unconfirmed list")

    return RequirementSet(
        key=key,
        name=name,
        kind=kind,
        applicability=applicability,
        total_hours=total,
        cycle_months=cycle_months,
        deadline=deadline,
        sources=sources,
        checked_on=checked_on,
        minimums=minimums,
        caps=caps,
        min_in_person_hours=min_in_person,
        first_renewal=first_renewal,
        carry_over=carry_over,
        conditions=conditions,
        unconfirmed=unconfirmed,
        notes=notes,
        state=state,
        workspace_defined=workspace_defined,
    )


def _checked_on(top: _Table, workspace_defined: bool, default: date | None) -> date:
    value = top.raw("checked_on", required=False)
    if value is None:
        if workspace_defined and default is not None:
            return default
        raise top.fail("checked_on", "required: the date the rule was checked, written like 2026-11-25")
    if type(value) is not date:
        raise top.fail("checked_on", f"must be a date written like 2026-11-25 (no quotes, no time), got {_show(value)}")
    return value


def _deadline(top: _Table, cycle_months: int) -> DeadlineRule:
    t = top.table("deadline", _DEADLINE, required=True)
    if t is None:  # pragma: no cover - table() raised already
        raise top.fail("deadline", "required field is missing")
    kind = t.enum("kind", DeadlineKind)
    month = t.integer("month", 1, 12, required=False)
    day = t.integer("day", 1, 31, required=False)
    parity = t.enum("parity", YearParity, YearParity.ANY)
    anchor = t.enum("anchor", BirthdayAnchor, BirthdayAnchor.BIRTHDAY)

    if kind is DeadlineKind.FIXED:
        if month is None:
            raise t.fail("month", "required for a fixed deadline (1-12)")
        if day is not None and day > _MONTH_DAYS[month - 1]:
            raise t.fail("day", f"month {month} has no day {day} every year; leave out day for the last day "
                                "of the month")
        if parity is YearParity.BIRTH_YEAR:
            raise t.fail("parity", "birth_year parity only applies to birthday deadlines")
    else:
        for name, value in (("month", month), ("day", day)):
            if value is not None:
                raise t.fail(name, f"only a fixed deadline has a {name}; this one is {kind.value}")
    if kind is not DeadlineKind.BIRTHDAY and t.has("anchor"):
        raise t.fail("anchor", "only a birthday deadline has an anchor")
    if kind in (DeadlineKind.EXPIRY, DeadlineKind.NONE) and parity is not YearParity.ANY:
        raise t.fail("parity", f"a {kind.value} deadline has no year parity")

    if kind is DeadlineKind.NONE:
        if cycle_months != 0:
            raise top.fail("cycle_months", "must be 0 when the deadline kind is none")
    elif cycle_months == 0:
        raise top.fail("cycle_months", f"must be from 1 to {MAX_CYCLE_MONTHS} for a {kind.value} deadline")
    if parity is not YearParity.ANY and cycle_months % 24:
        raise top.fail("cycle_months", f"must be a multiple of 24 with {parity.value} parity, got {cycle_months}")
    return DeadlineRule(kind=kind, month=month, day=day, parity=parity, anchor=anchor)


def _minimums(top: _Table, total: Quarters, cycle_months: int) -> tuple[SubjectMinimum, ...]:
    out: list[SubjectMinimum] = []
    for t in top.tables("minimums", _MINIMUM):
        key = t.key("key", _ITEM_KEY, "lower-case letters, digits or _ (e.g. ethics)")
        if any(m.key == key for m in out):
            raise t.fail("key", f"{key!r} is used by another minimum")
        label = t.req_text("label", max_len=120)
        subjects = t.vocabulary("subjects", SUBJECT_KEYS, "subject", _subject_hint)
        if not subjects:
            raise t.fail("subjects", "name at least one subject key, e.g. [\"ethics\"]")
        hours = t.req_hours("hours", positive=True)
        formats = t.vocabulary("formats", DELIVERY_FORMATS, "delivery format")
        on_top = t.boolean("on_top")
        per_year = t.boolean("per_cycle_year")
        required = hours
        if per_year:
            if cycle_months == 0 or (hours * cycle_months) % 12:
                raise t.fail("per_cycle_year", f"{format_hours(hours)} h per year of a {cycle_months}-month cycle "
                                               "is not a whole number of quarter hours")
            required = hours * cycle_months // 12
        if not on_top and required > total:
            raise t.fail("hours", f"{format_hours(required)} h is more than total_hours ({format_hours(total)} h); "
                                  "set on_top = true if it is required in addition to the total")
        out.append(SubjectMinimum(key=key, label=label, subjects=subjects, hours=hours, formats=formats,
                                  on_top=on_top, per_cycle_year=per_year, unconfirmed=t.boolean("unconfirmed")))
    return tuple(out)


def _caps(top: _Table) -> tuple[Cap, ...]:
    out: list[Cap] = []
    for t in top.tables("caps", _CAP):
        key = t.key("key", _ITEM_KEY, "lower-case letters, digits or _ (e.g. online)")
        if any(c.key == key for c in out):
            raise t.fail("key", f"{key!r} is used by another cap")
        label = t.req_text("label", max_len=120)
        hours = t.req_hours("hours")
        subjects = t.vocabulary("subjects", SUBJECT_KEYS, "subject", _subject_hint)
        formats = t.vocabulary("formats", DELIVERY_FORMATS, "delivery format")
        if not subjects and not formats:
            raise t.fail("subjects", "a cap needs subjects, formats or both (which hours it limits)")
        out.append(Cap(key=key, label=label, hours=hours, subjects=subjects, formats=formats,
                       unconfirmed=t.boolean("unconfirmed")))
    return tuple(out)


def _first_renewal(top: _Table, total: Quarters, minimums: tuple[SubjectMinimum, ...]) -> FirstRenewal:
    t = top.table("first_renewal", _FIRST, required=False)
    if t is None:
        return FirstRenewal()
    rule = t.enum("rule", FirstRenewalRule)
    per_month = t.hours("hours_per_month", required=False) or 0
    fixed = t.hours("fixed_hours", required=False)
    keep = t.vocabulary("keep_minimums", [m.key for m in minimums], "minimum key")
    note = t.text("note", required=False, max_len=1000) or ""
    if rule is FirstRenewalRule.PRORATED:
        if (per_month > 0) == (fixed is not None):
            raise t.fail("hours_per_month", "a prorated rule needs exactly one of hours_per_month or fixed_hours")
        if fixed is not None and fixed > total:
            raise t.fail("fixed_hours", f"{format_hours(fixed)} h is more than total_hours ({format_hours(total)} h)")
    else:
        for name, bad in (("hours_per_month", per_month > 0), ("fixed_hours", fixed is not None),
                          ("keep_minimums", bool(keep))):
            if bad:
                raise t.fail(name, f"only a prorated rule has {name}; this one is {rule.value}")
    return FirstRenewal(rule=rule, hours_per_month=per_month, fixed_hours=fixed, keep_minimums=keep, note=note)


def _carry_over(top: _Table) -> CarryOver:
    t = top.table("carry_over", _CARRY, required=False)
    if t is None:
        return CarryOver()
    return CarryOver(max_hours=t.req_hours("max_hours"), note=t.text("note", required=False, max_len=1000) or "")


def _conditions(top: _Table) -> tuple[Condition, ...]:
    out: list[Condition] = []
    for t in top.tables("conditions", _CONDITION):
        key = t.key("key", _ITEM_KEY, "lower-case letters, digits or _ (e.g. cpr)")
        if any(c.key == key for c in out):
            raise t.fail("key", f"{key!r} is used by another condition")
        out.append(Condition(key=key, label=t.req_text("label", max_len=200), unconfirmed=t.boolean("unconfirmed")))
    return tuple(out)


def _sources(top: _Table) -> tuple[Source, ...]:
    out: list[Source] = []
    for t in top.tables("sources", _SOURCE):
        title = t.req_text("title", max_len=300)
        url = t.text("url", required=False, max_len=500) or ""
        if url and not re.match(r"^https?://\S+$", url):
            raise t.fail("url", f"must be a web address starting with https://, got {url!r}")
        out.append(Source(title=title, url=url))
    return tuple(out)


# --------------------------------------------------------------------------- dumping


def _toml_str(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _toml_bool(value: bool) -> str:
    return "true" if value else "false"


def dump_requirement_set(rs: RequirementSet) -> str:
    """The set as TOML text; ``parse_requirement_set`` of it gives back an equal set.

    Parse it with the same ``workspace_defined`` flag: where a set came from is not
    written into the file.
    """
    lines = [
        f"key = {_toml_str(rs.key)}",
        f"name = {_toml_str(rs.name)}",
        f"kind = {_toml_str(rs.kind.value)}",
        f"applicability = {_toml_str(rs.applicability.value)}",
    ]
    if rs.state is not None:
        lines.append(f"state = {_toml_str(rs.state)}")
    lines += [f"total_hours = {format_hours(rs.total_hours)}", f"cycle_months = {rs.cycle_months}"]
    if rs.min_in_person_hours:
        lines.append(f"min_in_person_hours = {format_hours(rs.min_in_person_hours)}")
    lines.append(f"checked_on = {rs.checked_on.isoformat()}")
    if rs.unconfirmed:
        lines.append(f"unconfirmed = {_toml_list(rs.unconfirmed)}")
    if rs.notes:
        lines.append(f"notes = {_toml_list(rs.notes)}")

    d = rs.deadline
    lines += ["", "[deadline]", f"kind = {_toml_str(d.kind.value)}"]
    if d.month is not None:
        lines.append(f"month = {d.month}")
    if d.day is not None:
        lines.append(f"day = {d.day}")
    if d.parity is not YearParity.ANY:
        lines.append(f"parity = {_toml_str(d.parity.value)}")
    if d.kind is DeadlineKind.BIRTHDAY:
        lines.append(f"anchor = {_toml_str(d.anchor.value)}")

    fr = rs.first_renewal
    if fr != FirstRenewal():
        lines += ["", "[first_renewal]", f"rule = {_toml_str(fr.rule.value)}"]
        if fr.hours_per_month:
            lines.append(f"hours_per_month = {format_hours(fr.hours_per_month)}")
        if fr.fixed_hours is not None:
            lines.append(f"fixed_hours = {format_hours(fr.fixed_hours)}")
        if fr.keep_minimums:
            lines.append(f"keep_minimums = {_toml_list(fr.keep_minimums)}")
        if fr.note:
            lines.append(f"note = {_toml_str(fr.note)}")

    co = rs.carry_over
    if co != CarryOver():
        lines += ["", "[carry_over]", f"max_hours = {format_hours(co.max_hours)}"]
        if co.note:
            lines.append(f"note = {_toml_str(co.note)}")

    for m in rs.minimums:
        lines += ["", "[[minimums]]", f"key = {_toml_str(m.key)}", f"label = {_toml_str(m.label)}",
                  f"subjects = {_toml_list(m.subjects)}", f"hours = {format_hours(m.hours)}"]
        if m.formats:
            lines.append(f"formats = {_toml_list(m.formats)}")
        for name, flag in (("on_top", m.on_top), ("per_cycle_year", m.per_cycle_year),
                           ("unconfirmed", m.unconfirmed)):
            if flag:
                lines.append(f"{name} = {_toml_bool(flag)}")

    for c in rs.caps:
        lines += ["", "[[caps]]", f"key = {_toml_str(c.key)}", f"label = {_toml_str(c.label)}",
                  f"hours = {format_hours(c.hours)}"]
        if c.subjects:
            lines.append(f"subjects = {_toml_list(c.subjects)}")
        if c.formats:
            lines.append(f"formats = {_toml_list(c.formats)}")
        if c.unconfirmed:
            lines.append("unconfirmed = true")

    for cond in rs.conditions:
        lines += ["", "[[conditions]]", f"key = {_toml_str(cond.key)}", f"label = {_toml_str(cond.label)}"]
        if cond.unconfirmed:
            lines.append("unconfirmed = true")

    for s in rs.sources:
        lines += ["", "[[sources]]", f"title = {_toml_str(s.title)}"]
        if s.url:
            lines.append(f"url = {_toml_str(s.url)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class Catalog:
    """Requirement sets by key. Keys are upper-case; look-ups ignore case."""

    sets: Mapping[str, RequirementSet]

    @classmethod
    def of(cls, sets: Iterable[RequirementSet]) -> Catalog:
        """A catalog of ``sets``; a later set with the same key replaces an earlier one."""
        by_key: dict[str, RequirementSet] = {}
        for rs in sets:
            by_key[rs.key.upper()] = rs
        return cls(dict(sorted(by_key.items())))

    def get(self, key: str) -> RequirementSet | None:
        """The set called ``key`` (any case, surrounding spaces ignored), or ``None``."""
        return self.sets.get(key.strip().upper())

    def require(self, key: str) -> RequirementSet:
        """The set called ``key``, or :class:`UnknownRequirementSet` with the closest key and the known keys."""
        found = self.get(key)
        if found is None:
            raise UnknownRequirementSet(key.strip(), self.suggest(key), self.keys())
        return found

    def suggest(self, key: str) -> str | None:
        """The known key closest to ``key`` (a typo such as ``FLA``, or a name such as ``florida``)."""
        wanted = key.strip().upper()
        if not wanted:
            return None
        close = difflib.get_close_matches(wanted, list(self.sets), n=1, cutoff=0.5)
        if close:
            return close[0]
        if len(wanted) >= 3:
            for k, rs in self.sets.items():
                if rs.name.upper().startswith(wanted):
                    return k
        return None

    def keys(self) -> list[str]:
        return list(self.sets)

    def __iter__(self) -> Iterator[RequirementSet]:
        return iter(self.sets.values())

    def __len__(self) -> int:
        return len(self.sets)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def with_overrides(self, sets: Iterable[RequirementSet]) -> Catalog:
        """This catalog with a workspace's own sets added; one with a shipped key replaces the shipped set."""
        return Catalog.of([*self.sets.values(), *sets])


def _load_files(files: Iterable[tuple[str, str]]) -> Catalog:
    sets: dict[str, RequirementSet] = {}
    for filename, text in sorted(files):
        rs = parse_requirement_set(text, source_name=filename)
        stem = filename.rsplit(".", 1)[0]
        if stem != rs.key:
            raise CatalogError.at(filename, "key", f"must match the file name ({stem!r}), got {rs.key!r}")
        if rs.key in sets:  # pragma: no cover - file names are unique, so keys are too
            raise CatalogError.at(filename, "key", f"{rs.key!r} is defined twice")
        sets[rs.key] = rs
    return Catalog.of(sets.values())


@functools.cache
def load_catalog() -> Catalog:
    """The requirement sets shipped in ``cebot/catalog/data`` (read and validated once per process)."""
    data = resources.files("cebot.catalog").joinpath("data")
    return _load_files((f.name, f.read_text(encoding="utf-8")) for f in data.iterdir()
                       if f.name.endswith(".toml"))


def load_catalog_from(path: Path) -> Catalog:
    """The requirement sets in the ``*.toml`` files of the folder ``path`` (tests, tools)."""
    return _load_files((f.name, f.read_text(encoding="utf-8")) for f in sorted(path.glob("*.toml")))
