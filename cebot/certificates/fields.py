"""The fields of a CE certificate, from its lines of text (pure: no files, no OCR).

Certificates are written in a few ways, and each rule here reads one of them, with a confidence that says how
sure that way of writing is: a labelled line ("Course Title: ...", 0.95), a phrase ("This certifies that" then
the name, 0.85), a pattern anywhere (an address, an email, 0.8), a guess (a line that looks like an
organisation's name, 0.5). The first rule that finds a field wins. OCR lines carry their own confidence, which
multiplies the rule's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from cebot.certificates.labels import LABEL, Line, clean, labelled, segments

__all__ = ["Found", "Line", "clean", "labelled", "parse_date", "segments"]  # labels.py's, re-exported for read.py

T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    """One field as read: its value, how sure (0..1), and the line it came from; ``value is None``: not found."""

    value: T | None = None
    confidence: float = 0.0
    source: str | None = None

    @property
    def found(self) -> bool:
        return self.value is not None


LABELLED, PHRASE, PATTERN, GUESS = 0.95, 0.85, 0.8, 0.5

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATES = (
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("us", re.compile(r"\b(?P<m>\d{1,2})[/-](?P<d>\d{1,2})[/-](?P<y>\d{4}|\d{2})\b")),
    ("mdy", re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I)),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH})\.?,?\s+(?P<y>\d{{4}})\b", re.I)),
    # A course over several days, "January 10-11, 2026": the last day is the completion date.
    ("mdd", re.compile(rf"\b(?P<m>{_MONTH})\.?\s+\d{{1,2}}\s*[-–]\s*(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})\b", re.I)),
)
_RANGE = re.compile(r"\d\s*(?:-|–|to|through|thru)\s*(?:\d|[A-Za-z]{3})", re.I)
_NUMBER = r"\d+(?:\.\d+)?|\.\d+"
_UNIT = (r"CEUs?|CE\s*hours?|CE'?s|CE|contact\s+hours?|clock\s+hours?|continuing\s+education\s+(?:hours?|credits?)"
         r"|credit\s+hours?|hours?|hrs?")
_HOURS = re.compile(rf"(?P<n>{_NUMBER})\)?\s*(?:NCBTMB\s+)?(?P<u>{_UNIT})\b", re.I)
_RATIO = re.compile(rf"(?P<c>{_NUMBER})\s*CEUs?\s*(?:=|equals|is equal to|is)\s*(?P<h>{_NUMBER})\s*"
                    r"(?:contact\s+|CE\s+|clock\s+)?(?:hours?|hrs?)\b", re.I)
_EMAIL = re.compile(r"(?P<u>[\w.+-]+)\s?@\s?(?P<d>[\w-]+(?:\s?\.\s?[\w-]+)+)")
_ADDRESS = re.compile(r"\b\d{1,6}\s+[\w .'#-]+?,(?:\s*[\w .'#-]+,)?\s*[A-Za-z .'-]+,\s*[A-Za-z]{2}\.?\s+"
                      r"\d{5}(?:-\d{4})?")
_STREET = re.compile(r"^\d{1,6}\s+[\w .'#-]+,?$")
_CITY = re.compile(r"^[A-Za-z .'-]+,\s*[A-Za-z]{2}\.?\s+\d{5}(?:-\d{4})?$")
_APPROVAL = re.compile(r"(?:provider|approval|sponsor|NCBTMB)(?:[\s\w,]{0,50}?(?:number|num\.?|no\.?|#|id\b))?\s*"
                       r"[:.,]?\s*#?\s*(?P<v>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,})\b", re.I)
_NAME = re.compile(r"^[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){1,4}$")
_PARTICIPANT_BEFORE = re.compile(r"(?:this\s+(?:is\s+to\s+)?certif(?:y|ies)\s+that|awards?\s+this\s+certificate\s+"
                                 r"to|(?:is\s+)?(?:hereby\s+)?(?:awarded|presented|issued)\s+to)\s*:?$", re.I)
_PARTICIPANT_INLINE = re.compile(r"^(?:this\s+(?:is\s+to\s+)?certif(?:y|ies)\s+that\s+)?(?P<v>[A-Z][\w.'-]*"
                                 r"(?:\s+[A-Z][\w.'-]*){1,4})\s+has\s+(?:successfully\s+)?(?:completed|attended)\b")
_TITLE_BEFORE = re.compile(r"(?:completed|attended|completing|completion\s+of|participat(?:ed|ion)\s+in)"
                           r"(?:\s+the(?:[\s\w/()-]{0,40}?\s+(?:course|program|workshop|class|seminar|webinar|"
                           r"training))?)?\s*:?$", re.I)
_HAS_COMPLETED = re.compile(r"^(?:has\s+)?(?:successfully\s+)?(?:completed|attended|participated)\b", re.I)
_CREDENTIALS = re.compile(r"(?:,\s*|\s+)(?:LMT|LMBT|LMP|CMT|RMT|BCTMB|NCTMB|LMT-?\w*|MS|BS|MA|PhD|RN)\b[\s,A-Z]*$")
_PROVIDER_TAIL = re.compile(r"\s*(?:[-–·|,(/]\s*)?(?:NCBTMB\b|approved\s+provider\b|provider\s*(?:#|no\b|number)|"
                            r"approval\b).*$", re.I)
_QUOTED = re.compile(r"[\"“”']{1,2}(?P<v>[^\"“”]{4,}?)[\"“”']{1,2}")
_ISSUED_BY = re.compile(r"^(?:issued|presented|offered|provided|sponsored|approved)\s+by\s*:?\s+(?P<v>.+)$", re.I)
_ORG = re.compile(r"\b(?:LLC|L\.L\.C\.|Inc|Ltd|Institute|School|Academy|Center|Centre|Seminars?|Education|College|"
                  r"University|Association|Society|Training|Online|Studio|Workshops?|CE)\b")
_DELIVERY = (
    ("home_study", re.compile(r"home[\s-]*study|self[\s-]*paced|correspondence|on[\s-]*demand|recorded|distance "
                              r"learning|independent study", re.I)),
    ("live_online", re.compile(r"live\s+(?:online|virtual|stream(?:ed)?|webinar)|webinar|virtual|zoom|livestream",
                               re.I)),
    ("in_person", re.compile(r"in[\s-]*person|hands[\s-]*on|classroom|on[\s-]*site|face[\s-]*to[\s-]*face|\blive\b",
                             re.I)),
)

def _value(text: str) -> str:
    return text.strip().strip("\"'").strip().rstrip(".,;").strip()


def parse_date(text: str) -> date | None:
    """The date in ``text``: ISO (2026-11-03), US (11/03/2026, 11/3/26) or spelled (November 3, 2026); the first
    one, or the last day of a range ("2/1/2026 - 2/2/2026", "January 10-11, 2026")."""
    hits = _dates(text)
    if not hits:
        return None
    if len(hits) > 1 and _RANGE.search(text):
        return max(found for _, found in hits)
    return min(hits)[1]


def _dates(text: str) -> list[tuple[int, date]]:
    hits = []
    for _kind, pattern in _DATES:
        for m in pattern.finditer(text):
            month = m["m"]
            month_no = int(month) if month.isdigit() else _MONTHS.index(month[:3].lower()) + 1
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            try:
                found = date(year, month_no, int(m["d"]))
            except ValueError:
                continue
            if 1990 <= found.year <= 2100:
                hits.append((m.start(), found))
    return hits


@dataclass(frozen=True)
class Hours:
    hours: Found[float]
    unit: str | None
    """As printed: ``CE hours``, ``CEs``, ``contact hours``, ``clock hours``, ``hours``, ``credits`` or ``CEUs``."""
    ceu_ratio: float | None
    """Contact hours per CEU, when the certificate states it."""


def _unit(raw: str) -> str:
    u = raw.lower().replace("'", "")
    u = re.sub(r"\s+", " ", u)
    if u.startswith("ceu"):
        return "CEUs"
    if u.startswith("ce hour") or u.startswith("cehour"):
        return "CE hours"
    if u in ("ce", "ces"):
        return "CEs"
    if "credit" in u and "hour" not in u:
        return "credits"
    for word in ("contact", "clock", "credit", "continuing education"):
        if u.startswith(word):
            return f"{word} hours"
    return "hours"


def read_hours(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Hours:
    ratio: float | None = None
    ratio_line: Line | None = None
    for line in lines:
        if m := _RATIO.search(line.text):
            ceus, hours = float(m["c"]), float(m["h"])
            if ceus > 0:
                ratio, ratio_line = hours / ceus, line
            break
    candidates: list[tuple[float, str, Line, float]] = []
    if "hours" in labels:
        value, line = labels["hours"]
        label = clean(LABEL.match(line.text)["label"]) if LABEL.match(line.text) else ""  # type: ignore[index]
        text = _RATIO.sub("", value)
        if m := _HOURS.search(text):
            candidates.append((float(m["n"]), _unit(m["u"]), line, LABELLED))
        elif m := re.fullmatch(rf"\s*(?P<n>{_NUMBER})\s*", text):
            candidates.append((float(m["n"]), _unit(label), line, LABELLED))
    for line in lines:
        for m in _HOURS.finditer(_RATIO.sub("", line.text)):
            candidates.append((float(m["n"]), _unit(m["u"]), line, PATTERN))
    for number, unit, line, confidence in candidates:
        if unit == "CEUs":
            if ratio is None:
                return Hours(Found(), "CEUs", None)
            hours = round(number * ratio, 2)
            source = line.text if line is ratio_line else f"{line.text} / {ratio_line.text if ratio_line else ''}"
            return Hours(Found(hours, round(confidence * 0.9 * line.confidence, 2), source), "CEUs", ratio)
        if 0 < number <= 160:
            weight = 0.7 if unit == "credits" else 1.0
            return Hours(Found(number, round(confidence * weight * line.confidence, 2), line.text), unit, ratio)
    return Hours(Found(), None, ratio)


def _found(value: str | None, confidence: float, line: Line) -> Found[str]:
    value = _value(value or "")
    return Found(value, round(confidence * line.confidence, 2), line.text) if value else Found()


def read_participant(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[str]:
    found = _read_participant(lines, labels)
    return Found(_person(found.value), found.confidence, found.source) if found.value else found


def _read_participant(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[str]:
    if "participant" in labels:
        value, line = labels["participant"]
        return _found(value, LABELLED, line)
    for i, line in enumerate(lines):
        if _PARTICIPANT_BEFORE.search(line.text) and i + 1 < len(lines):
            after = lines[i + 1]
            return _found(after.text, PHRASE if _NAME.match(_person(after.text)) else GUESS, after)
        if m := _PARTICIPANT_INLINE.match(line.text):
            return _found(m["v"], PHRASE, line)
        if (i + 1 < len(lines) and _HAS_COMPLETED.match(lines[i + 1].text) and _NAME.match(_person(line.text))
                and not _ORG.search(line.text)):
            return _found(line.text, PHRASE, line)
    return Found()


def _person(text: str) -> str:
    """A name without the credentials after it ("Jane Smith, LMT" -> "Jane Smith")."""
    return _CREDENTIALS.sub("", text).strip()


def read_title(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[str]:
    if "title" in labels:
        value, line = labels["title"]
        return _found(value, LABELLED, line)
    for i, line in enumerate(lines):
        if _TITLE_BEFORE.search(line.text) and i + 1 < len(lines):
            after = lines[i + 1]
            quoted = _QUOTED.search(after.text)
            return _found(quoted["v"] if quoted else after.text, PHRASE, after)
    for line in lines:
        if m := _QUOTED.search(line.text):
            return _found(m["v"], PHRASE, line)
    return Found()


def read_date(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[date]:
    if "completion_date" in labels:
        value, line = labels["completion_date"]
        if (found := parse_date(value)) is not None:
            return Found(found, round(LABELLED * line.confidence, 2), line.text)
    best: tuple[float, date, Line] | None = None
    for line in lines:
        found = parse_date(line.text)
        if found is None:
            continue
        text = line.text.lower()
        score = PHRASE if ("complet" in text or text.startswith("on ")) else GUESS
        if re.search(r"issued|printed|expir|valid|approved on|renew", text):
            score = 0.3
        if best is None or score > best[0]:
            best = (score, found, line)
    if best is None:
        return Found()
    return Found(best[1], round(best[0] * best[2].confidence, 2), best[2].text)


def read_provider(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[str]:
    if "provider" in labels:
        value, line = labels["provider"]
        return _found(_PROVIDER_TAIL.sub("", value) or value, LABELLED, line)
    for line in lines:
        if m := _ISSUED_BY.match(line.text):
            return _found(_PROVIDER_TAIL.sub("", m["v"]) or m["v"], PHRASE, line)
    for line in lines:
        text = line.text
        if (address := _ADDRESS.search(text)) and address.start() > 0:  # "ABC Seminars, 400 Oak St., Austin, TX"
            text = text[: address.start()].rstrip(" ,-|")
        if (_ORG.search(text) and not re.search(r"certif|@|\d{3}", text, re.I) and not _HOURS.search(text)
                and not LABEL.match(text)):
            return _found(text, GUESS, line)
    return Found()


def read_approval(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[str]:
    if "approval_number" in labels:
        value, line = labels["approval_number"]
        token = re.search(r"#?\s*(?P<v>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{2,})", value, re.I)
        if token:
            return _found(token["v"], LABELLED, line)
    for line in lines:
        if m := _APPROVAL.search(line.text):
            return _found(m["v"], PATTERN, line)
    return Found()


def read_email(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[str]:
    for line in lines:
        if m := _EMAIL.search(line.text):
            address = f"{m['u']}@{m['d']}".replace(" ", "").lower()
            return Found(address, round(PATTERN * line.confidence, 2), line.text)
    return Found()


def read_address(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[str]:
    texts = [line.text for line in lines]
    for i, line in enumerate(lines):
        if m := _ADDRESS.search(line.text):
            return Found(_state_upper(m[0]), round(PATTERN * line.confidence, 2), line.text)
        if i + 1 < len(lines) and _STREET.match(texts[i]) and _CITY.match(texts[i + 1]):
            joined = f"{texts[i].rstrip(',')}, {texts[i + 1]}"
            return Found(_state_upper(joined), round(PATTERN * line.confidence, 2), f"{texts[i]} / {texts[i + 1]}")
    if "provider_address" in labels:
        value, line = labels["provider_address"]
        return _found(value, GUESS, line)
    return Found()


def _state_upper(address: str) -> str:
    return re.sub(r",\s*([A-Za-z]{2})\.?\s+(\d{5})", lambda m: f", {m[1].upper()} {m[2]}", address.strip())


def read_delivery(lines: list[Line], labels: dict[str, tuple[str, Line]]) -> Found[str]:
    """``in_person``, ``live_online`` or ``home_study``, only when the certificate says so."""
    sources = []
    if "delivery_format" in labels:
        value, line = labels["delivery_format"]
        sources.append((Line(value, line.confidence), LABELLED, line))
    sources += [(line, PATTERN, line) for line in lines]
    for probe, confidence, line in sources:
        for kind, pattern in _DELIVERY:
            if pattern.search(probe.text) and not _names_provider(probe.text):
                return Found(kind, round(confidence * line.confidence, 2), line.text)
    return Found()


def _names_provider(text: str) -> bool:
    """A provider's line ("Issued by Live Well Institute") names no format, whatever words its name has."""
    return bool(_ISSUED_BY.match(text)) or bool(re.match(r"(?:approved\s+)?provider|sponsor", text, re.I))
