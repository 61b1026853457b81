"""A transcript as a PDF (fpdf2): who, which licence, totals against the requirement, then every course.

Landscape US Letter, DejaVu Sans (shipped with matplotlib) so names and titles
in any Latin, Greek or Cyrillic script print as typed; the courses table repeats
its heading on every page, and each page has a footer with the page number.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from functools import cache

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode

from cebot.domain.hours import format_hours
from cebot.domain.transcript import (
    FLAG_NO_APPROVAL,
    FLAG_NO_CERTIFICATE,
    FLAG_NO_PROVIDER,
    PARTLY,
    CredentialTotals,
    Transcript,
    TranscriptRow,
    format_date,
)

FONT = "DejaVu"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (47, 93, 98)
"""The app's colour (manifest background_color #2f5d62)."""
WARN = (176, 42, 55)
GOOD = (25, 118, 60)
HEAD_FILL = (226, 236, 237)
ZEBRA = (246, 248, 249)

LATE = (191, 112, 0)
STATUS_COLOURS = {"complete": GOOD, "on pace": GOOD, "not started": GOOD, "behind pace": LATE, "due soon": LATE,
                  "overdue": WARN}

COURSE_COLUMNS = ("Date", "Course and provider", "Approval no.", "Format", "Subjects", "Hours", "Counted",
                  "Certificate")
COURSE_WIDTHS = (23, 68, 26, 21, 33, 12, 50, 22)
TOTAL_COLUMNS = ("Requirement", "Required", "Counted", "Still needed")
TOTAL_WIDTHS = (95, 25, 25, 28)


@cache
def _font_files() -> tuple[str, str] | None:
    """DejaVu Sans regular and bold from matplotlib's data folder, if present."""
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return None
    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    regular, bold = os.path.join(folder, "DejaVuSans.ttf"), os.path.join(folder, "DejaVuSans-Bold.ttf")
    return (regular, bold) if os.path.exists(regular) and os.path.exists(bold) else None


class _TranscriptPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format="letter")
        self.footer_text = footer_text
        files = _font_files()
        if files:
            self.add_font(FONT, "", files[0])
            self.add_font(FONT, "B", files[1])
            self.family = FONT
        else:  # pragma: no cover - only without matplotlib's fonts
            self.family = "Helvetica"
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(auto=True, margin=14)
        self.alias_nb_pages()

    def text_ok(self, text: str) -> str:
        """Core fonts only print Latin-1: replace the rest (DejaVu prints it as is)."""
        if self.family == FONT:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")  # pragma: no cover

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.text_ok(self.footer_text), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")


def _para(pdf: _TranscriptPDF, text: str, *, size: float = 9.5, bold: bool = False,
          colour: tuple[int, int, int] = INK, height: float = 5.0) -> None:
    pdf.set_font(pdf.family, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, height, pdf.text_ok(text), new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: _TranscriptPDF, transcript: Transcript) -> None:
    _para(pdf, "Continuing education transcript", size=18, bold=True, colour=ACCENT, height=9)
    _para(pdf, transcript.title, size=11, bold=True)
    pdf.ln(1)
    facts = [("Name", transcript.member_name or "(no name in Slack)")]
    numbers = transcript.licence_numbers
    facts.append(("Licence / certification no.", numbers or "not recorded (add it with /ce track KEY number:...)"))
    facts.append(("Generated", format_date(transcript.generated_on)))
    pdf.set_text_color(*INK)
    for name, value in facts:
        pdf.set_font(pdf.family, "B", 9.5)
        pdf.cell(52, 5.5, pdf.text_ok(name))
        pdf.set_font(pdf.family, "", 9.5)
        pdf.multi_cell(0, 5.5, pdf.text_ok(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _totals(pdf: _TranscriptPDF, totals: CredentialTotals) -> None:
    status_colour = STATUS_COLOURS.get(totals.status_text, INK)
    pdf.set_font(pdf.family, "B", 11)
    pdf.set_text_color(*ACCENT)
    pdf.cell(pdf.get_string_width(pdf.text_ok(totals.name)) + 3, 6.5, pdf.text_ok(totals.name))
    pdf.set_font(pdf.family, "", 9.5)
    pdf.set_text_color(*status_colour)
    pdf.cell(0, 6.5, pdf.text_ok(f"{totals.status_text}  ·  cycle {totals.window_text}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(pdf.family, "", 9)
    heading = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, color=INK)
    with pdf.table(col_widths=TOTAL_WIDTHS, width=sum(TOTAL_WIDTHS), align="LEFT", line_height=5.2,
                   text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"), headings_style=heading,
                   borders_layout="HORIZONTAL_LINES", cell_fill_color=ZEBRA,
                   cell_fill_mode=TableCellFillMode.ROWS) as table:
        table.row(list(TOTAL_COLUMNS))
        for i, r in enumerate(totals.rows):
            still = "met" if r.met else f"{format_hours(r.remaining)} h"
            style = FontFace(emphasis="BOLD") if i == 0 else None
            row = table.row()
            row.cell(pdf.text_ok(r.label), style=style)
            row.cell(f"{format_hours(r.required)} h", style=style)
            row.cell(f"{format_hours(r.counted)} h", style=style)
            row.cell(still, style=FontFace(emphasis="BOLD" if i == 0 else None, color=GOOD if r.met else WARN))
    if totals.without_certificate:
        n = totals.without_certificate
        lead = "1 counted course has" if n == 1 else f"{n} counted courses have"
        _para(pdf, f"{lead} no certificate attached: attach one with /ce attach <entry id>.", size=8.5,
              colour=WARN, height=4.5)
    for note in totals.notes[:3]:
        _para(pdf, note, size=8.5, colour=MUTED, height=4.5)
    pdf.ln(3)


def _course_cells(row: TranscriptRow, single: bool) -> list[tuple[str, tuple[int, int, int] | None, str | None]]:
    """(text, colour, link) for each course column."""
    e = row.entry
    course = e.title
    if e.provider:
        course += f"\n{e.provider}"
    elif FLAG_NO_PROVIDER in row.flags:
        course += "\nprovider: missing"
    approval = e.approval_number or ("missing" if FLAG_NO_APPROVAL in row.flags else "")
    verdict = row.verdict_text(single) if single else "\n".join(f"{v.key}: {v.text}" for v in row.verdicts)
    verdict = verdict or row.verdict_text(single)
    if single and row.verdicts and row.verdicts[0].status == PARTLY:
        v = row.verdicts[0]
        verdict = f"{format_hours(v.counted)} of {format_hours(e.hours)} h counted: {v.reason}"
    if e.has_certificate:
        cert: tuple[str, tuple[int, int, int] | None, str | None] = (
            "View", ACCENT, e.certificate_url if (e.certificate_url or "").startswith("https://") else None)
    elif FLAG_NO_CERTIFICATE in row.flags:
        cert = ("missing", WARN, None)
    else:
        cert = ("", None, None)
    counted_colour = GOOD if row.counts else MUTED
    return [
        (format_date(e.completed_on), None, None),
        (course, None, None),
        (approval, WARN if approval == "missing" else None, None),
        (e.format_label, None, None),
        (", ".join(e.subject_labels), None, None),
        (format_hours(e.hours), None, None),
        (verdict, counted_colour, None),
        cert,
    ]


def _courses(pdf: _TranscriptPDF, transcript: Transcript) -> None:
    _para(pdf, f"Courses ({len(transcript.rows)}, {format_hours(transcript.hours_logged)} h logged)",
          size=11, bold=True, colour=ACCENT, height=7)
    if not transcript.rows:
        _para(pdf, "No courses logged in this period yet. Log one with /ce log 3h Course title #subject.",
              colour=MUTED)
        return
    pdf.set_font(pdf.family, "", 8.5)
    pdf.set_text_color(*INK)
    heading = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, color=INK)
    with pdf.table(col_widths=COURSE_WIDTHS, width=sum(COURSE_WIDTHS), line_height=4.1,
                   text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"),
                   headings_style=heading, borders_layout="HORIZONTAL_LINES", cell_fill_color=ZEBRA,
                   cell_fill_mode=TableCellFillMode.ROWS, padding=1.0) as table:
        table.row(list(COURSE_COLUMNS))
        for course in transcript.rows:
            row = table.row()
            for text, colour, link in _course_cells(course, transcript.single):
                style = FontFace(color=colour) if colour else None
                row.cell(pdf.text_ok(text), style=style, link=link)


def transcript_pdf(transcript: Transcript, *, footer: str | None = None) -> bytes:
    """The transcript as PDF bytes."""
    foot = footer or (f"CE transcript of {transcript.member_name or 'a cebot member'} · generated "
                      f"{format_date(transcript.generated_on)} by cebot")
    pdf = _TranscriptPDF(foot)
    pdf.set_title(f"CE transcript: {transcript.member_name}")
    pdf.set_author("cebot")
    pdf.set_creation_date(_as_datetime(transcript.generated_on))
    pdf.add_page()
    _heading(pdf, transcript)
    if transcript.totals:
        for totals in transcript.totals:
            _totals(pdf, totals)
    else:
        _para(pdf, "You're not tracking a licence or certification yet, so nothing is counted. "
                   "Start with /ce track FL deadline:2027-08-31.", colour=MUTED)
        pdf.ln(2)
    _courses(pdf, transcript)
    return bytes(pdf.output())


def _as_datetime(d: date) -> datetime:
    return datetime.combine(d, time(12, 0), tzinfo=UTC)
