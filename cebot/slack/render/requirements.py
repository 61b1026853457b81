"""``/ce requirements``: the keys, grouped, and one rule in words with its sources and unconfirmed parts.

Requirement sets may be defined by a clinic (workspace sets), so every name,
label, note and source title is escaped; links go through :func:`mrkdwn.link`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable

from cebot.domain.catalog import Catalog
from cebot.domain.hours import format_hours
from cebot.domain.progress import format_date
from cebot.domain.requirements import (
    Applicability,
    BirthdayAnchor,
    Cap,
    DeadlineKind,
    FirstRenewalRule,
    RequirementSet,
    SetKind,
    SubjectMinimum,
    YearParity,
)
from cebot.domain.subjects import label as subject_label
from cebot.slack import blocks as bk
from cebot.slack.mrkdwn import code, escape, link

FORMAT_WORDS = {"in_person": "in person", "live_online": "live online", "home_study": "home study"}
APPLICABILITY_WORDS = {
    Applicability.NO_CE: "no CE",
    Applicability.NO_LICENCE: "no licence",
    Applicability.VOLUNTARY: "voluntary",
    Applicability.CONFLICTING: "sources disagree",
}


def _h(q: int) -> str:
    return f"{format_hours(q)} h"


def _months(n: int) -> str:
    if n and n % 12 == 0:
        years = n // 12
        return "every year" if years == 1 else f"every {years} years"
    return f"every {n} months"


def _formats(formats: Iterable[str]) -> str:
    return " or ".join(FORMAT_WORDS.get(f, f.replace("_", " ")) for f in formats)


def _name(rs: RequirementSet) -> str:
    return escape(rs.name).replace("*", "∗")


def deadline_words(rs: RequirementSet) -> str:
    """When a cycle ends, in words: ``Aug 31 of odd years``, ``the last day of your birth month``."""
    rule = rs.deadline
    parity = {YearParity.ODD: " of odd years", YearParity.EVEN: " of even years",
              YearParity.BIRTH_YEAR: " of years with the same parity as your birth year (even or odd)"}
    years = parity.get(rule.parity, "")
    if rule.kind is DeadlineKind.NONE:
        return "no fixed deadline"
    if rule.kind is DeadlineKind.EXPIRY:
        return "the expiry date on your licence or certificate (tell me with `deadline:`)"
    if rule.kind is DeadlineKind.FIXED:
        if rule.month is None:
            return "a date you tell me (`deadline:`)"
        month = calendar.month_abbr[rule.month]
        day = "the last day of " + calendar.month_name[rule.month] if rule.day is None else f"{month} {rule.day}"
        if rule.parity is YearParity.ANY and rs.cycle_months > 12 and rs.cycle_months % 12 == 0:
            return day + " (which year: tell me with `deadline:`)"
        return day + years
    anchor = {BirthdayAnchor.BIRTHDAY: "your birthday", BirthdayAnchor.MONTH_END: "the last day of your birth month",
              BirthdayAnchor.MONTH_START: "the first day of your birth month"}[rule.anchor]
    return anchor + years + " (tell me with `birthday:`)"


def _applicability_sentence(rs: RequirementSet) -> str:
    name = _name(rs)
    return {
        Applicability.NO_CE: f"{name}: no CE is required to renew. Nothing to track.",
        Applicability.NO_LICENCE: f"{name}: the state does not license massage therapists, so there is no CE "
                                  "to track.",
        Applicability.VOLUNTARY: f"{name}: voluntary, and no CE is needed to renew it.",
        Applicability.CONFLICTING: f"{name}: sources disagree on whether CE is required; check with the board.",
    }.get(rs.applicability, f"{name}: no CE hours are set.")


def rule_lines(rs: RequirementSet) -> list[str]:
    """The rule's hour requirements, one mrkdwn line each."""
    if not rs.tracks_hours:
        return [_applicability_sentence(rs)]
    lines = [f"*Hours:* {_h(rs.total_hours)} {_months(rs.cycle_months)}", f"*Deadline:* {deadline_words(rs)}"]
    if rs.minimums:
        lines.append("*Subject minimums:*\n" + "\n".join("• " + _minimum_text(rs, m) for m in rs.minimums))
    if rs.min_in_person_hours:
        lines.append(f"*In person:* at least {_h(rs.min_in_person_hours)}")
    if rs.caps:
        lines.append("*Caps:*\n" + "\n".join("• " + _cap_text(c) for c in rs.caps))
    fr = rs.first_renewal
    if fr.rule is not FirstRenewalRule.NONE or fr.fixed_hours is not None:
        words = escape(fr.note) if fr.note else _first_renewal_words(rs)
        lines.append(f"*First renewal:* {words} (say `first:yes` when you track it)")
    if rs.carry_over.max_hours:
        lines.append(f"*Carry-over:* up to {_h(rs.carry_over.max_hours)} over the total move to the next cycle"
                     + (f". {escape(rs.carry_over.note)}" if rs.carry_over.note else ""))
    if rs.conditions:
        items = [f"• {escape(c.label)}" + (" ⚠️ unconfirmed" if c.unconfirmed else "") for c in rs.conditions]
        lines.append("*Also required:*\n" + "\n".join(items))
    return lines


def _minimum_text(rs: RequirementSet, m: SubjectMinimum) -> str:
    """One subject minimum: its hours, which formats, on top or not, and the tags that count toward it."""
    text = f"{escape(m.label)}: at least {_h(m.hours)}"
    if m.per_cycle_year:
        text += f" per year of the cycle ({_h(m.hours * rs.cycle_months // 12)} a cycle)"
    if m.formats:
        text += f", {_formats(m.formats)} only"
    if m.on_top:
        text += ", *on top of* the total"
    subjects = ", ".join(f"#{s}" for s in m.subjects)
    text += f" (tag {escape(subjects)})"
    if m.unconfirmed:
        text += " ⚠️ unconfirmed"
    return text


def _cap_text(c: Cap) -> str:
    """One cap: its label, what it limits when the label does not say, and how much counts."""
    what = []
    if c.subjects:
        what.append(", ".join(subject_label(s) for s in c.subjects))
    if c.formats:
        what.append(_formats(c.formats))
    said = " · ".join(what)
    scope = f" ({escape(said)})" if said and said.lower() not in c.label.lower() else ""
    rule = "doesn't count" if c.hours == 0 else f"at most {_h(c.hours)} count"
    return f"{escape(c.label)}{scope}: {rule}" + (" ⚠️ unconfirmed" if c.unconfirmed else "")


def _first_renewal_words(rs: RequirementSet) -> str:
    fr = rs.first_renewal
    if fr.rule is FirstRenewalRule.EXEMPT:
        return "no CE needed"
    if fr.fixed_hours is not None:
        return f"{_h(fr.fixed_hours)}"
    return f"{_h(fr.hours_per_month)} for each month licensed (at most {_h(rs.total_hours)})"


def sources_line(rs: RequirementSet) -> str:
    if not rs.sources:
        return "*Sources:* none given" + (" (your clinic's own set)" if rs.workspace_defined else "")
    items = [link(s.url, s.title) if s.url else escape(s.title) for s in rs.sources]
    return "*Sources:* " + " · ".join(items)


def requirement_blocks(rs: RequirementSet, *, origin: str | None = None) -> list[bk.Block]:
    """One requirement set in words: hours, deadline, minimums, caps, first renewal, conditions, sources.

    ``origin`` says who set a clinic's own set and when (``target set by your clinic (@Dana, Dec 1, 2026)``).
    """
    kind = {SetKind.STATE_LICENCE: "State licence", SetKind.CERTIFICATION: "Certification",
            SetKind.MEMBERSHIP: "Membership", SetKind.PATHWAY: "Pathway",
            SetKind.WORKSPACE: "Clinic set"}.get(rs.kind, "")
    origin = f" · {origin or 'target set by your clinic'}" if rs.workspace_defined else ""
    blocks: list[bk.Block] = [
        bk.header(f"{rs.name} ({rs.key})"),
        bk.context(f"{kind}{origin}"),
    ]
    lines = rule_lines(rs)
    # Long rules go in two sections so neither reaches Slack's 3,000 characters.
    half = (len(lines) + 1) // 2 if sum(len(x) for x in lines) > bk.SECTION_TEXT_MAX - 200 else len(lines)
    blocks.append(bk.section("\n".join(lines[:half])))
    if lines[half:]:
        blocks.append(bk.section("\n".join(lines[half:])))
    if rs.notes:
        blocks.append(bk.section("*Notes:*\n" + "\n".join(f"• {escape(n)}" for n in rs.notes)))
    if rs.unconfirmed:
        blocks.append(bk.section("⚠️ *Unconfirmed* (no source confirms these; check with the board):\n"
                                 + "\n".join(f"• {escape(u)}" for u in rs.unconfirmed)))
    blocks.append(bk.section(sources_line(rs)))
    track = f"/ce track {rs.key}" + (" deadline:YYYY-MM-DD" if rs.tracks_hours else "")
    blocks.append(bk.context(f"Checked {format_date(rs.checked_on)} · follow it: {code(track)} · "
                             f"all keys: {code('/ce requirements')}"))
    return blocks


def requirement_text(rs: RequirementSet) -> str:
    return f"{_name(rs)} ({escape(rs.key)}): " + (
        f"{_h(rs.total_hours)} {_months(rs.cycle_months)}" if rs.tracks_hours else "no CE hours to track")


def _keys(sets: Iterable[RequirementSet], *, with_names: bool = False, why: bool = False) -> str:
    items = []
    for rs in sets:
        text = code(rs.key)
        if with_names:
            text += f" {escape(rs.name)}"
        if why:
            text += f" ({APPLICABILITY_WORDS.get(rs.applicability, 'no hours')})"
        items.append(text)
    return ", ".join(items) if items else "none"


def catalog_blocks(catalog: Catalog) -> list[bk.Block]:
    """Every key, grouped: states with CE, states without, certifications and memberships, the clinic's sets."""
    sets = list(catalog)
    clinic = [rs for rs in sets if rs.workspace_defined]
    shipped = [rs for rs in sets if not rs.workspace_defined]
    states = [rs for rs in shipped if rs.kind is SetKind.STATE_LICENCE]
    with_ce = [rs for rs in states if rs.tracks_hours]
    without = [rs for rs in states if not rs.tracks_hours]
    others = [rs for rs in shipped if rs.kind is not SetKind.STATE_LICENCE]
    blocks: list[bk.Block] = [
        bk.header("What you can track"),
        bk.section(f"*States that require CE:* {_keys(with_ce)}"),
        bk.section(f"*States without CE or a licence:* {_keys(without, why=True)}"),
        bk.section(f"*Certifications, memberships and pathways:* {_keys(others, with_names=True)}"),
    ]
    if clinic:
        blocks.append(bk.section(f"*Your clinic's sets:* {_keys(clinic, with_names=True)}"))
    blocks.append(bk.context(f"See a rule with its source: {code('/ce requirements FL')} · follow one: "
                             f"{code('/ce track FL deadline:2027-08-31')}"))
    return blocks


def catalog_text(catalog: Catalog) -> str:
    return "Keys you can track: " + ", ".join(catalog.keys()) + ". See one with `/ce requirements FL`."
