"""Labelled lines of a certificate ("Course Title: ...") and which field each label names (pure)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    text: str
    confidence: float = 1.0


LABEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z .#/&'()-]{0,40}?)\s*[:;]\s*(?P<value>.*)$")

_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("approval_number", re.compile(r"(?:approv|provider|sponsor|ncbtmb|ap\b).*(?:number|num|no|#|id)$|approval|"
                                   r"^ncbtmb$|^ap\s*#?$", re.I)),
    ("provider_address", re.compile(r"address$", re.I)),
    ("provider_email", re.compile(r"e-?mail$", re.I)),
    ("participant", re.compile(r"^(?:name|full name|your name)$|participant|attendee|student|recipient|therapist|"
                               r"licensee|awarded to|presented to|issued to", re.I)),
    ("title", re.compile(r"^(?:course|course title|course name|title|program|program title|workshop|class|seminar)$|"
                         r"^title of|^name of (?:the )?(?:course|program)", re.I)),
    ("completion_date", re.compile(r"date|completed|completion", re.I)),
    ("hours", re.compile(r"\b(?:hours?|ce'?s|ceus?|credits?|awarded|clock)\b", re.I)),
    ("provider", re.compile(r"provider|sponsor|presented by|issued by|offered by|organi[sz]ation", re.I)),
    ("delivery_format", re.compile(r"format|delivery|course type|type|method|modality", re.I)),
    ("contact", re.compile(r"^contact$", re.I)),
)


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("“", '"').replace("”", '"').replace("’", "'")).strip()


_LABEL_WORDS = {"course", "ncbtmb", "approved", "provider", "date", "of", "completion", "contact",
                "total", "participant", "delivery", "credit", "continuing", "education", "approval", "name", "the",
                "program", "e", "email", "e-mail"}
"""Words that begin a longer label ("Course Title", "NCBTMB Provider #", "Date of Completion")."""


def _extends(word: str, field: str | None) -> bool:
    word = word.lower().strip(".:#")
    if word in ("ce", "ces"):  # "CE Hours", but not the end of a name: "Willow CE  NCBTMB Provider #"
        return field == "hours"
    return field is not None and word in _LABEL_WORDS


def _field_of(label: str) -> str | None:
    return next((field for field, pattern in _LABELS if pattern.search(label)), None)


def segments(text: str) -> list[str]:
    """A line holding two labelled fields, "Participant: Maria Lopez   Date: 2026-03-02" (two columns of a form
    on one row), split into one "Label: value" each. Only at a label cebot knows, the fewest words before the
    colon that make one, so "Course: Prenatal Massage: Safe Positioning" stays whole."""
    first = LABEL.match(text)
    if not first:
        return [text]
    cuts = []
    for colon in re.finditer(r":\s+\S", text[first.end("label") + 1:]):
        end = first.end("label") + 1 + colon.start()
        words = list(re.finditer(r"\S+", text[:end]))
        start = None
        for n in range(1, min(5, len(words))):  # never the line's first word: that is the first label
            word = words[-n]
            label = text[word.start():end]
            if start is None:
                if label[:1].isupper() and _field_of(clean(label)) is not None:
                    start = word.start()
            elif _extends(word[0], _field_of(clean(label))):
                start = word.start()  # "Course" of "Course Title", "NCBTMB" of "NCBTMB Provider #"
            else:
                break
        if start is not None:
            cuts.append(start)
    bounds = [0, *cuts, len(text)]
    return [text[x:y].strip() for x, y in itertools.pairwise(bounds) if text[x:y].strip()]


def labelled(lines: list[Line]) -> dict[str, tuple[str, Line]]:
    """``{field: (value, line)}`` from "Label: value" lines (a label alone on its line takes the next line)."""
    out: dict[str, tuple[str, Line]] = {}
    for i, line in enumerate(lines):
        for text in segments(line.text):
            m = LABEL.match(text)
            if not m:
                continue
            label, value = clean(m["label"]), m["value"].strip()
            if not value and i + 1 < len(lines) and not LABEL.match(lines[i + 1].text):
                value = lines[i + 1].text
            field = _field_of(label)
            if value and field is not None:
                out.setdefault(field, (value, Line(text, line.confidence)))
    return out
