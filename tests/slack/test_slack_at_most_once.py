"""Every request with a side effect is applied at most once, and one member's concurrent requests never race."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.models import CEEntry, EntryChange
from cebot.slack.render import exports as exports_render
from cebot.slack.render import ledger as ledger_render
from tests.helpers.slackharness import HttpResult, SlackHarness

ALREADY = "already done"


def live_titles(engine: Engine) -> list[str]:
    with Session(engine) as s:
        rows = s.exec(select(CEEntry).where(CEEntry.deleted_at.is_(None))).all()  # type: ignore[union-attr]
        return sorted(e.title for e in rows)


def replay(slack: SlackHarness, first: HttpResult) -> HttpResult:
    """The same signed request again, byte for byte, as an attacker inside Slack's 5-minute window would send."""
    fields = dict(parse_qsl(first.request_body.decode()))
    response_url = fields.get("response_url") or json.loads(fields.get("payload", "{}")).get("response_url")
    again = slack.post(first.request_body)
    again.response_url = response_url or first.response_url
    return again


def at_once(count: int, send: Callable[[int], Any]) -> list[Any]:
    """``send(i)`` for ``i`` in ``range(count)``, all released together from their own threads."""
    barrier = threading.Barrier(count)

    def go(i: int) -> Any:
        barrier.wait()
        return send(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(go, range(count)))


def test_a_replayed_log_command_saves_nothing_and_says_so(slack: SlackHarness, engine: Engine) -> None:
    """Resending a signed ``/ce log`` replies that it was already done, and the log holds one entry."""
    first = slack.command("/ce", "log 2h Ethics in Touch #ethics")
    assert "Logged" in slack.reply(first).text
    again = replay(slack, first)
    assert again.status == 200
    assert ALREADY in slack.reply(again).text
    assert live_titles(engine) == ["Ethics in Touch"]


def test_a_replayed_undo_undoes_one_change_only(slack: SlackHarness, engine: Engine) -> None:
    """Resending ``/ce undo`` does not reach back to an older change."""
    slack.ask("log 1h First course")
    slack.ask("log 1h Second course")
    first = slack.command("/ce", "undo")
    assert "Undone" in slack.reply(first).text
    assert ALREADY in slack.reply(replay(slack, first)).text
    assert live_titles(engine) == ["First course"]


def test_a_replayed_delete_everything_click_keeps_what_was_logged_since(
    slack: SlackHarness, engine: Engine
) -> None:
    """Replaying *Delete everything* after a new course was logged leaves the new course alone."""
    slack.ask("log 1h Old course")
    click = slack.action(exports_render.MYDATA_DELETE_ACTION, value="U1")
    assert click.status == 200
    assert live_titles(engine) == []
    slack.ask("log 1h New course")
    again = replay(slack, click)
    assert again.status == 200
    assert ALREADY in slack.reply(again, count=2).text  # the same response_url: the first click's reply is #1
    assert live_titles(engine) == ["New course"]


def test_a_replayed_log_it_anyway_click_logs_once(slack: SlackHarness, engine: Engine) -> None:
    """Replaying *Log it anyway* on the duplicate prompt does not log the course a third time."""
    slack.ask("log 1h Cupping basics date:2026-11-02")
    prompt = slack.ask("log 1h Cupping basics date:2026-11-02")
    button = next(e for blk in prompt.blocks if blk["type"] == "actions" for e in blk["elements"]
                  if e["action_id"] == ledger_render.LOG_ANYWAY)
    click = slack.action(ledger_render.LOG_ANYWAY, value=button["value"])
    assert "Logged" in slack.reply(click).text
    assert ALREADY in slack.reply(replay(slack, click), count=2).text
    assert live_titles(engine) == ["Cupping basics", "Cupping basics"]


def _log_anyway_button(slack: SlackHarness, text: str) -> str:
    slack.ask(text)
    prompt = slack.ask(text)
    return str(next(e for blk in prompt.blocks if blk["type"] == "actions" for e in blk["elements"]
                    if e["action_id"] == ledger_render.LOG_ANYWAY)["value"])


def test_a_double_click_on_log_it_anyway_logs_once(slack: SlackHarness, engine: Engine) -> None:
    """Two clicks on one *Log it anyway* button (each with its own trigger_id) log the course once."""
    value = _log_anyway_button(slack, "log 1h Cupping basics date:2026-11-02")
    first = slack.action(ledger_render.LOG_ANYWAY, value=value)
    assert "Logged" in slack.reply(first).text
    second = slack.action(ledger_render.LOG_ANYWAY, value=value)
    assert ALREADY in slack.reply(second).text
    assert live_titles(engine) == ["Cupping basics", "Cupping basics"]


def test_simultaneous_clicks_on_log_it_anyway_log_once(slack: SlackHarness, engine: Engine) -> None:
    """Six clicks on one *Log it anyway* button at the same moment: one logs, five are told it was done."""
    value = _log_anyway_button(slack, "log 2h Lymph drainage date:2026-11-03")
    texts = at_once(6, lambda _i: slack.reply(slack.action(ledger_render.LOG_ANYWAY, value=value)).text)
    assert sum("Logged" in t for t in texts) == 1
    assert sum(ALREADY in t for t in texts) == 5
    assert live_titles(engine) == ["Lymph drainage", "Lymph drainage"]


def test_two_prompts_each_log_once(slack: SlackHarness, engine: Engine) -> None:
    """Each duplicate prompt has its own button: logging the same course from two prompts logs it twice."""
    first = _log_anyway_button(slack, "log 1h Gua sha date:2026-11-04")
    second = next(e for blk in slack.ask("log 1h Gua sha date:2026-11-04").blocks if blk["type"] == "actions"
                  for e in blk["elements"] if e["action_id"] == ledger_render.LOG_ANYWAY)["value"]
    assert first != second
    assert "Logged" in slack.reply(slack.action(ledger_render.LOG_ANYWAY, value=first)).text
    assert "Logged" in slack.reply(slack.action(ledger_render.LOG_ANYWAY, value=second)).text
    assert live_titles(engine) == ["Gua sha", "Gua sha", "Gua sha"]


def test_twenty_identical_logs_at_once_save_one(slack: SlackHarness, engine: Engine) -> None:
    """20 identical ``/ce log`` at once: one is saved, the other 19 are told it looks like a duplicate."""
    slack.ask("help")  # the member exists, as after their first command
    replies = at_once(20, lambda _i: slack.reply(slack.command("/ce", "log 3h Myofascial release date:2026-11-20")))
    logged = [r for r in replies if "Logged" in r.text]
    duplicates = [r for r in replies if "already logged" in r.text]
    assert (len(logged), len(duplicates)) == (1, 19)
    assert live_titles(engine) == ["Myofascial release"]


def test_parallel_undos_undo_distinct_changes(slack: SlackHarness, engine: Engine) -> None:
    """Six ``/ce undo`` at once over four changes: four distinct changes undone, two told nothing is left."""
    for i in range(4):
        slack.ask(f"log 1h Course {i}")
    replies = at_once(6, lambda _i: slack.reply(slack.command("/ce", "undo")))
    undone = [r for r in replies if "Undone" in r.text]
    nothing = [r for r in replies if "nothing to undo" in r.text.lower()]
    assert (len(undone), len(nothing)) == (4, 2)
    assert len({r.text for r in undone}) == 4  # each names a different course
    assert live_titles(engine) == []
    with Session(engine) as s:
        assert all(c.undone_at is not None for c in s.exec(select(EntryChange)))
