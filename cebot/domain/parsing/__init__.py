"""The ``/ce`` command grammar: pure functions from command text to plain requests.

Every parser here takes text (what follows ``/ce <subcommand>``) and returns a
small frozen dataclass or a value, or raises :class:`ParseError` with a short,
friendly message for a therapist that says what is wrong and shows the right
form with an example. Nothing else is ever raised, whatever the text.

Grammar rules shared by every subcommand (documented for users in
``docs/commands.md``):

* Words are separated by whitespace. A value with spaces is quoted with
  ``"..."``, ``'...'`` or Slack's smart quotes ``“...”`` / ``‘...’``. A quote
  closes at a matching quote followed by a space or the end; inside double
  quotes ``\\"`` and ``\\\\`` stand for a literal quote and backslash. A double
  quote that never closes is an error; an apostrophe that never closes is just
  an apostrophe (``O'Brien``, ``'90s``). Text longer than 10,000 characters is
  refused.
* ``key:value`` is an option when ``key`` is one the subcommand knows
  (case-insensitive). The value follows the colon with no space, and may be
  quoted: ``provider:"Acme Seminars"``. A word such as ``Ethics:`` (colon then
  a space) stays in the title. A word like ``dat:3/14`` (letters, a colon, then
  a value) with an unknown key is an error naming the valid keys, so a typo is
  never silently saved as part of the title; quote the title to use such a
  word in it. ``http:``/``https:`` links are left alone.
* ``#subject`` tags name subjects (any alias in :mod:`cebot.domain.subjects`);
  a Slack channel link ``<#C123|ethics>`` counts as the tag ``#ethics``.
* Slack escapes ``&``, ``<`` and ``>`` in command text as ``&amp;``, ``&lt;``
  and ``&gt;``; values are decoded, so the shell and Slack give the same result.
* Values are trimmed and runs of whitespace become one space; control
  characters count as whitespace.

Error messages and :data:`USAGE` are plain text that may contain user input
and ``<placeholders>``: escape them before putting them into mrkdwn.

The package: :mod:`.registry` (every subcommand's name, aliases, usage, example,
summary), :mod:`.tokens` (words and quotes), :mod:`.values` (hours, dates, formats,
subjects), :mod:`.fields` (options and ``/ce log``), :mod:`.reading` (how free
``/ce log`` text is read, and what to ask), :mod:`.commands` and :mod:`.others`
(the other subcommands). Import from here.
"""

from __future__ import annotations

from cebot.domain.limits import (
    EARLIEST_DATE,
    LIST_DEFAULT,
    LIST_MAX,
    MAX_APPROVAL,
    MAX_DEADLINE_YEARS,
    MAX_ENTRY_ID,
    MAX_HOURS,
    MAX_KEY,
    MAX_LICENCE_NUMBER,
    MAX_NOTES,
    MAX_PROVIDER,
    MAX_TEXT,
    MAX_TITLE,
    MIN_HOURS,
    PAGE_MAX,
    SNOOZE_DEFAULT_DAYS,
    SNOOZE_MAX_DAYS,
)
from cebot.domain.parsing.commands import (
    EditRequest,
    ListRequest,
    TrackRequest,
    parse_command,
    parse_edit,
    parse_entry_id,
    parse_help,
    parse_list,
    parse_list_request,
    parse_page,
    parse_requirements,
    parse_track,
    parse_untrack,
)
from cebot.domain.parsing.fields import format_log, parse_log
from cebot.domain.parsing.others import (
    MILESTONE_LABELS,
    MILESTONE_STEPS,
    AdminRequest,
    AuditRequest,
    ExportRequest,
    MilestoneRequest,
    MyDataRequest,
    RemindRequest,
    parse_admin,
    parse_attach,
    parse_audit,
    parse_export,
    parse_milestone,
    parse_mydata,
    parse_remind,
    parse_step,
    parse_time,
)
from cebot.domain.parsing.reading import LogReading, read_log
from cebot.domain.parsing.registry import COMMANDS, EXAMPLES, SUBCOMMANDS, SUMMARIES, USAGE, USAGE_LINES, Command
from cebot.domain.parsing.tokens import DOUBLE_QUOTES, SINGLE_QUOTES, ParseError, Word, quote, tokenize
from cebot.domain.parsing.values import (
    DATE_EXAMPLE,
    HOURS_EXAMPLE,
    parse_approval,
    parse_date,
    parse_format,
    parse_hours,
    parse_month_day,
    parse_notes,
    parse_provider,
    parse_subject,
    parse_title,
)

__all__ = [
    "COMMANDS",
    "DATE_EXAMPLE",
    "DOUBLE_QUOTES",
    "EARLIEST_DATE",
    "EXAMPLES",
    "HOURS_EXAMPLE",
    "LIST_DEFAULT",
    "LIST_MAX",
    "MAX_APPROVAL",
    "MAX_DEADLINE_YEARS",
    "MAX_ENTRY_ID",
    "MAX_HOURS",
    "MAX_KEY",
    "MAX_LICENCE_NUMBER",
    "MAX_NOTES",
    "MAX_PROVIDER",
    "MAX_TEXT",
    "MAX_TITLE",
    "MILESTONE_LABELS",
    "MILESTONE_STEPS",
    "MIN_HOURS",
    "PAGE_MAX",
    "SINGLE_QUOTES",
    "SNOOZE_DEFAULT_DAYS",
    "SNOOZE_MAX_DAYS",
    "SUBCOMMANDS",
    "SUMMARIES",
    "USAGE",
    "USAGE_LINES",
    "AdminRequest",
    "AuditRequest",
    "Command",
    "EditRequest",
    "ExportRequest",
    "ListRequest",
    "LogReading",
    "MilestoneRequest",
    "MyDataRequest",
    "ParseError",
    "RemindRequest",
    "TrackRequest",
    "Word",
    "format_log",
    "parse_admin",
    "parse_approval",
    "parse_attach",
    "parse_audit",
    "parse_command",
    "parse_date",
    "parse_edit",
    "parse_entry_id",
    "parse_export",
    "parse_format",
    "parse_help",
    "parse_hours",
    "parse_list",
    "parse_list_request",
    "parse_log",
    "parse_milestone",
    "parse_month_day",
    "parse_mydata",
    "parse_notes",
    "parse_page",
    "parse_provider",
    "parse_remind",
    "parse_requirements",
    "parse_step",
    "parse_subject",
    "parse_time",
    "parse_title",
    "parse_track",
    "parse_untrack",
    "quote",
    "read_log",
    "tokenize",
]
