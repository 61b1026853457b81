"""Fuzzing the whole ``/ce`` text surface, and arbitrary request bodies, through the signed HTTP endpoint.

Every generated ``/ce`` command must be acknowledged with 200 and answered (a reply, or a form opened)
without "something went wrong", without an error logged, and with the database still consistent: no
entry without its change history, nothing pointing across members or workspaces. Arbitrary signed
bodies must never get a 5xx.

100 commands by default keep the run fast; ``.ci/run`` runs 2,000 and ``CEBOT_FUZZ_EXAMPLES=5000`` runs
more (the examples are derandomised unless ``CEBOT_FUZZ_RANDOM=1``, so a failure reproduces).
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from cebot.domain.catalog import load_catalog
from cebot.domain.subjects import SUBJECTS
from cebot.slack.listeners.commands import router
from tests.helpers.slackharness import HttpResult, SlackHarness, ack_reply

EXAMPLES = int(os.environ.get("CEBOT_FUZZ_EXAMPLES", "100"))
RANDOM = os.environ.get("CEBOT_FUZZ_RANDOM") == "1"
SORRY_WORDS = ("went wrong", "Traceback", "Internal Server Error")

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
SMALL = settings(FUZZ, max_examples=max(EXAMPLES // 3, 50))

KEYS = ("date", "provider", "approval", "format", "notes", "hours", "title", "subjects", "deadline", "number",
        "birthday", "issued", "first", "cpr", "day", "time", "key", "id")
WORDS = ("3h", "1.5h", "0h", "-2h", "41h", "2.25", "1h30m", "90m", "½h", "12", "0", "-1", "1e9", "NaN", "inf",
         "99999999999999999999", "<@U1|maria>", "<@U2>", "<@UADMIN>", "<#C1|general>", "<!channel>", "<!here>",
         "&amp;", "&lt;b&gt;", "*bold*", "`code`", "\"quoted text\"", "'", "\"", "FL", "NCBTMB", "AMMA", "TX", "NY",
         "XX", "on", "off", "snooze", "add", "remove", "managers", "summary", "csv", "pdf", "team", "mblex",
         "program", "experience", "2026-03-14", "3/14", "13/45/2020", "2027-02-30", "9999-12-31", "1900-01-01",
         "yes", "no", "in-person", "online", "home-study", "=HYPERLINK(\"x\")", "\u202e", "\x00", "\t", "\n")


def _subcommand_words() -> list[str]:
    names = set(router.SUBCOMMANDS) | set(router.ALIASES)
    names |= {"log", "list", "edit", "delete", "undo", "track", "untrack", "requirements", "progress", "amma",
              "milestone", "team", "admin", "remind", "export", "mydata", "attach", "help"}
    return [*sorted(names), "LOG", "Progress", "lgo", "hlep", "", "ce", "/ce"]


def _values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(WORDS), st.text(max_size=25), st.integers(-10, 10**6).map(str),
                     st.sampled_from(["\"Acme Seminars\"", "\"unterminated", "a:b:c", ":", "::"]))


def _tokens() -> st.SearchStrategy[str]:
    subjects = [s.key for s in SUBJECTS]
    return st.one_of(
        st.sampled_from(WORDS),
        st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(KEYS), _values()),
        st.builds(lambda s: f"#{s}", st.one_of(st.sampled_from(subjects), st.text(max_size=12))),
        st.integers(-5, 50).map(str),
        st.text(min_size=1, max_size=30),
    )


def command_texts() -> st.SearchStrategy[str]:
    """``/ce`` texts: a (mostly real) subcommand and grammar-shaped tokens, or anything at all."""
    shaped = st.builds(lambda w, args: f"{w} {' '.join(args)}".strip(), st.sampled_from(_subcommand_words()),
                       st.lists(_tokens(), max_size=8))
    return st.one_of(shaped, shaped, shaped, st.text(max_size=200), st.text(min_size=2000, max_size=3500))


# -- database invariants ---------------------------------------------------------------------------------------


def _tables() -> dict[str, Any]:
    return dict(SQLModel.metadata.tables)


def check_invariants(engine: Engine) -> None:
    """Nothing half-written, nothing pointing across members or workspaces."""
    t = _tables()
    m, e, ch, c, ms, pa = (t["member"], t["ce_entry"], t["entry_change"], t["credential"], t["milestone"],
                           t["pending_attachment"])
    checks = {
        "entries of a member of another workspace": sa.select(sa.func.count()).select_from(
            e.join(m, m.c.id == e.c.member_id)).where(m.c.workspace_id != e.c.workspace_id),
        "entries logged without their change record": sa.select(sa.func.count()).select_from(e).where(
            ~sa.exists().where(ch.c.entry_id == e.c.id, ch.c.action == "logged")),
        "changes pointing at another member's entry": sa.select(sa.func.count()).select_from(
            ch.join(e, e.c.id == ch.c.entry_id)).where(sa.or_(e.c.member_id != ch.c.member_id,
                                                              e.c.workspace_id != ch.c.workspace_id)),
        "credentials of a member of another workspace": sa.select(sa.func.count()).select_from(
            c.join(m, m.c.id == c.c.member_id)).where(m.c.workspace_id != c.c.workspace_id),
        "milestones of a member of another workspace": sa.select(sa.func.count()).select_from(
            ms.join(m, m.c.id == ms.c.member_id)).where(m.c.workspace_id != ms.c.workspace_id),
        "pending attachments for another member's entry": sa.select(sa.func.count()).select_from(
            pa.join(e, e.c.id == pa.c.entry_id)).where(e.c.member_id != pa.c.member_id),
        "entries with a blank title or hours out of range": sa.select(sa.func.count()).select_from(e).where(
            sa.or_(sa.func.length(sa.func.trim(e.c.title)) == 0, e.c.hours_q <= 0, e.c.hours_q > 160)),
        "credentials with a key the catalog does not know": sa.select(sa.func.count()).select_from(c).where(
            sa.func.length(c.c.requirement_key) == 0),
    }
    with engine.connect() as conn:
        bad = {name: conn.execute(q).scalar_one() for name, q in checks.items()}
        known = set(load_catalog().keys()) | {
            k for (k,) in conn.execute(sa.select(t["workspace_requirement_set"].c.key))}
        keys = {k for (k,) in conn.execute(sa.select(c.c.requirement_key).distinct())}
    assert {k: v for k, v in bad.items() if v} == {}
    assert keys <= known, keys - known


# -- the /ce surface --------------------------------------------------------------------------------------------


def _answered(slack: SlackHarness, result: HttpResult, views_before: int, timeout: float = 10.0) -> str:
    """The command's reply (its HTTP answer, or posts to its response URL), or "(form)" when it opened a form."""
    if (answer := ack_reply(result)) is not None:
        return json.dumps(answer.payload)
    url = result.response_url or ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        posts = slack.fake.responses(url)
        if posts:
            return "\n".join(json.dumps(p.payload) for p in posts)
        if len(slack.fake.calls("views.open")) > views_before:
            return "(form)"
        time.sleep(0.005)
    raise AssertionError("no answer")


@FUZZ
@given(text=command_texts(), user=st.sampled_from(["U1", "U2", "UADMIN"]))
def test_any_ce_text_is_answered_without_errors_or_half_writes(
    slack: SlackHarness, engine: Engine, caplog: pytest.LogCaptureFixture, text: str, user: str
) -> None:
    """Any /ce text from anyone gets a 200 ack and an answer, never an error, and leaves the database consistent."""
    caplog.set_level(logging.WARNING)
    caplog.clear()
    views_before = len(slack.fake.calls("views.open"))
    result = slack.command("/ce", text, user=user)
    assert result.status == 200, (text, result.status, result.text)
    assert result.response_url is not None
    answer = _answered(slack, result, views_before)
    for word in SORRY_WORDS:
        assert word not in answer, (text, answer[:500])
    check_invariants(engine)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], (text, [r.getMessage() for r in errors])


# -- arbitrary bodies ------------------------------------------------------------------------------------------


@SMALL
@given(body=st.one_of(st.binary(max_size=600), st.text(max_size=600).map(str.encode),
                      st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=6).map(
                          lambda d: json.dumps(d).encode())),
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain", ""]))
def test_arbitrary_signed_bodies_never_get_a_5xx(slack: SlackHarness, body: bytes, content_type: str) -> None:
    """Whatever a correctly signed request carries, the answer is 2xx or 4xx (malformed ones 400), never 5xx."""
    result = slack.post(body, content_type=content_type)
    assert result.status < 500, (body[:100], result.status)


def _interactive() -> st.SearchStrategy[dict[str, Any]]:
    json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=15),
                               lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                                           inner, max_size=3),
                               max_leaves=10)
    return st.fixed_dictionaries({
        "type": st.sampled_from(["block_actions", "view_submission", "view_closed", "shortcut", "nonsense"]),
        "user": st.fixed_dictionaries({"id": st.sampled_from(["U1", "U2", ""])}) | json_values,
        "team": st.fixed_dictionaries({"id": st.sampled_from(["T1", "T2", ""])}) | json_values,
        "actions": st.lists(st.fixed_dictionaries({
            "action_id": st.sampled_from(["ledger_undo", "ledger_delete", "ledger_edit_open", "ledger_entry_menu",
                                          "ledger_log_anyway", "mydata_delete_confirm", "home_track", "x"]),
            "value": json_values}), max_size=2) | json_values,
        "view": st.fixed_dictionaries({"callback_id": st.sampled_from(["ledger_log_modal", "home_track_modal", "x"]),
                                       "private_metadata": st.text(max_size=30) | st.just('{"entry_id": 1}'),
                                       "state": json_values}) | json_values,
    })


@SMALL
@given(payload=_interactive())
def test_arbitrary_button_and_form_payloads_never_break_anything(slack: SlackHarness, engine: Engine,
                                                                 payload: dict[str, Any]) -> None:
    """Signed interactivity payloads with any shape get no 5xx, and the database stays consistent."""
    result = slack.post_payload(payload)
    assert result.status < 500, (payload, result.status)
    check_invariants(engine)
