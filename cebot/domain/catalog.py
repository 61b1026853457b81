"""The requirement catalog: TOML files in, validated :class:`RequirementSet` objects out.

Shipped sets live in ``cebot/catalog/data/<KEY>.toml`` (one file per set) and are loaded once by
:func:`load_catalog`. A clinic manager may define a workspace set with the same schema; it is parsed with
``workspace_defined=True`` and layered over the shipped sets with :meth:`Catalog.with_overrides`.

The schema is the pydantic models of :mod:`cebot.domain.requirements` (declared once). Every problem in a file
raises :class:`CatalogError` naming the file, the field and what would be right, e.g.
``FL.toml: minimums[1].hours: must be a multiple of 0.25 h, got 1.3``. :func:`dump_requirement_set` writes a
set back as TOML text that parses to an equal set (workspace sets are stored that way). The JSON Schema
published in ``docs/requirement-sets.md`` is :func:`json_schema`.
"""

from __future__ import annotations

import difflib
import functools
import json
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cebot.domain.requirements import FILE_CONTEXT, RequirementSet, show

__all__ = [
    "Catalog",
    "CatalogError",
    "UnknownRequirementSet",
    "dump_requirement_set",
    "json_schema",
    "load_catalog",
    "load_catalog_from",
    "parse_requirement_set",
]


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


def parse_requirement_set(text: str, *, source_name: str, workspace_defined: bool = False,
                          checked_on_default: date | None = None) -> RequirementSet:
    """Parse and validate one requirement set written in TOML.

    ``source_name`` is used in every error message (a file name such as ``FL.toml``, or ``workspace set
    AMMA``). Shipped sets (``workspace_defined=False``) must name at least one source and a ``checked_on``
    date. A workspace set may leave both out; its ``checked_on`` then defaults to ``checked_on_default`` (the
    service passes the day it was saved) and is required if that is ``None``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError.at(source_name, "", f"not valid TOML: {exc}") from None
    if "workspace_defined" in data:  # where a set comes from is not the file's to say
        raise _unknown_field(source_name, ("workspace_defined",))
    if "checked_on" not in data:
        if not (workspace_defined and checked_on_default is not None):
            raise CatalogError.at(source_name, "checked_on",
                                  "required: the date the rule was checked, written like 2026-11-25")
        data["checked_on"] = checked_on_default
    data["workspace_defined"] = workspace_defined
    try:
        return RequirementSet.model_validate(data, context=FILE_CONTEXT)
    except ValidationError as exc:
        raise _translate(source_name, exc) from None


def _path(loc: Iterable[str | int]) -> str:
    """``("minimums", 1, "hours")`` as written in messages: ``minimums[1].hours``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model whose fields a location inside a requirement set names (for "allowed: ..." hints)."""
    model: type[BaseModel] = RequirementSet
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        found = [t for t in (field.annotation, *get_args(field.annotation))
                 if isinstance(t, type) and issubclass(t, BaseModel)]
        if not found:
            return None
        model = found[0]
    return model


def _allowed(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [name for name, f in model.model_fields.items() if not f.exclude]


def _unknown_field(source_name: str, loc: tuple[str | int, ...]) -> CatalogError:
    allowed = _allowed(_model_at(loc[:-1]))
    name = str(loc[-1])
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return CatalogError.at(source_name, _path(loc), f"unknown field; {hint}allowed: {', '.join(allowed)}")


def _translate(source_name: str, exc: ValidationError) -> CatalogError:
    """The first problem pydantic found, said the way the rest of the catalog says it."""
    errors = exc.errors()
    # A misspelt field is the cause of the "missing" error beside it: report it first.
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    return _one(source_name, errors[0])


def _one(source_name: str, error: ErrorDetails) -> CatalogError:
    loc = tuple(error["loc"])
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "catalog":
        return CatalogError.at(source_name, _path((*loc, *ctx.get("at", ()))), str(ctx["problem"]))
    if kind == "extra_forbidden":
        return _unknown_field(source_name, loc)
    where = _path(loc)
    if kind == "missing":
        return CatalogError.at(source_name, where, "required field is missing")
    if kind in ("model_type", "model_attributes_type"):
        return CatalogError.at(source_name, where, f"must be a table ([{where}]), got {show(value)}")
    if kind in ("tuple_type", "list_type"):
        if _model_at(loc) is not None:
            return CatalogError.at(source_name, where, f"must be written as [[{where}]] tables, got {show(value)}")
        return CatalogError.at(source_name, where, f'must be a list such as ["a", "b"], got {show(value)}')
    return CatalogError.at(source_name, where, error["msg"])


def json_schema() -> str:
    """The JSON Schema of a requirement-set file, as published in ``docs/requirement-sets.md``."""
    return json.dumps(RequirementSet.model_json_schema(), indent=2, sort_keys=True)


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


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _toml_str(value)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_tables(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_table(data: Mapping[str, Any], prefix: str) -> list[str]:
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not _is_table(v) and not _is_tables(v)]
    for k, v in data.items():
        if _is_table(v):
            lines += ["", f"[{prefix}{k}]", *_toml_table(v, f"{prefix}{k}.")]
    for k, v in data.items():
        if _is_tables(v):
            for item in v:
                lines += ["", f"[[{prefix}{k}]]", *_toml_table(item, f"{prefix}{k}.")]
    return lines


def dump_requirement_set(rs: RequirementSet) -> str:
    """The set as TOML text; ``parse_requirement_set`` of it gives back an equal set.

    Parse it with the same ``workspace_defined`` flag: where a set came from is not written into the file.
    Fields left at their defaults are left out, so the text reads like a hand-written file.
    """
    data = rs.model_dump(mode="python", context=FILE_CONTEXT, exclude_defaults=True)
    return "\n".join(_toml_table(_plain(data), "")) + "\n"


def _plain(value: Any) -> Any:
    """Enums as their values, tuples as lists: what the TOML writer knows."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


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
        scored = [(difflib.SequenceMatcher(None, wanted, k).ratio(), k) for k in self.sets]
        best = max((r for r, _ in scored), default=0.0)
        if best >= 0.5:
            # "FLA" is as close to LA as to FL; among the closest, the key the typed text starts with wins.
            tied = sorted(k for r, k in scored if r == best)
            return next((k for k in tied if wanted.startswith(k) or k.startswith(wanted)), tied[0])
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
