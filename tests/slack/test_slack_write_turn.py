"""On SQLite a command that writes holds the write turn; reads and Slack's users.info never do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from cebot.shell.fake_records import Call
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands import router
from tests.helpers.slackharness import SlackHarness
from tests.helpers.write_turn import turn_is_free


def _turn(engine: Engine) -> Path:
    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("the write turn is SQLite's; PostgreSQL locks the member's row")
    return Path(str(engine.url.database)).resolve().with_name(Path(str(engine.url.database)).name + "-turn")


def _record_turn(monkeypatch: pytest.MonkeyPatch, name: str, turn: Path, seen: list[bool]) -> None:
    def handler(ctx: CommandContext) -> None:
        seen.append(turn_is_free(turn))
        ctx.respond("ok")

    monkeypatch.setitem(router.SUBCOMMANDS, name, router.Subcommand(name, handler))


def test_writing_command_holds_the_turn_and_reading_one_does_not(
    slack: SlackHarness, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/ce log` runs inside the write turn; `/ce list` (read-only) leaves it free for writers."""
    turn = _turn(engine)
    slack.ask("help", user="U1")  # registered, so the next commands store no profile
    writes: list[bool] = []
    reads: list[bool] = []
    _record_turn(monkeypatch, "log", turn, writes)
    _record_turn(monkeypatch, "list", turn, reads)
    assert slack.ask("log 1h Ethics", user="U1").payload["text"] == "ok"
    assert slack.ask("list", user="U1").payload["text"] == "ok"
    assert (writes, reads) == ([False], [True])
    assert turn_is_free(turn)


def test_users_info_is_asked_outside_the_write_turn(slack: SlackHarness, engine: Engine) -> None:
    """A first command asks Slack for the profile before taking the turn, so a slow Slack holds up nobody else."""
    turn = _turn(engine)
    free_during_call: list[bool] = []

    def users_info(call: Call) -> dict[str, Any]:
        free_during_call.append(turn_is_free(turn))
        return {"ok": True, "user": {"id": call.args.get("user"), "name": "new", "tz": "America/Chicago",
                                     "profile": {"display_name": "New Person"}}}

    slack.fake.respond_with("users.info", users_info)
    reply = slack.ask("log 1h Ethics #ethics", user="UNEW")
    assert "Logged" in reply.payload["text"]
    assert free_during_call == [True]
