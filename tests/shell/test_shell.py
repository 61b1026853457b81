"""``cebot shell``: typed ``/ce`` lines go through the real app and its replies come back as plain text."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.cli import build_parser
from cebot.core.settings import SettingsError
from cebot.models import CEEntry, Member
from cebot.shell import console
from cebot.shell import session as shell

SESSION = "/ce track FL deadline:2027-08-31\n/ce log 3h Ethics in Touch #ethics\n/ce progress\n"


def args(database_url: str, **overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {"user": "UMARIA", "team": "TSHELL", "name": "Maria", "admin": False,
                                 "tz": "America/New_York", "database_url": database_url}
    values.update(overrides)
    return argparse.Namespace(**values)


def run_shell(database_url: str, text: str, **overrides: object) -> str:
    out = io.StringIO()
    assert console.run(args(database_url, **overrides), stdin=io.StringIO(text), out=out) == 0
    return out.getvalue()


def test_piped_session_prints_each_reply(database_url: str, engine: Engine) -> None:
    """The issue's one-liner: track, log and progress each print their reply, with the course and the hours."""
    output = run_shell(database_url, SESSION)
    assert "cebot> /ce track FL deadline:2027-08-31" in output
    assert "Florida massage therapist licence" in output
    assert "cebot> /ce log 3h Ethics in Touch #ethics" in output
    assert "Logged 3 h *Ethics in Touch*" in output
    assert "[Undo]" in output
    progress = output.split("cebot> /ce progress", 1)[1]
    assert "3 of 24 h" in progress
    assert "21 h to go" in progress
    with Session(engine) as s:
        [entry] = s.exec(select(CEEntry)).all()
    assert entry.title == "Ethics in Touch"


def test_lines_without_the_prefix_are_ce_commands(database_url: str) -> None:
    """``log 2h ...`` works like ``/ce log 2h ...``; blank lines and comments are skipped."""
    output = run_shell(database_url, "\n# a comment\nlog 2h Cupping Basics #technique\n")
    assert "Logged 2 h *Cupping Basics*" in output
    assert "a comment" not in output


def test_click_undo_and_home(database_url: str, engine: Engine) -> None:
    """``:click Undo`` presses the reply's Undo button; ``:home`` shows the Home tab as text."""
    output = run_shell(database_url, "/ce log 3h Ethics in Touch #ethics\n:click undo\n:home\n")
    after_click = output.split("cebot> :click undo", 1)[1].split("cebot> :home", 1)[0]
    assert "Undone" in after_click
    home = output.split("cebot> :home", 1)[1]
    assert "Welcome to cebot, Maria" in home
    assert "[Log CE] [Track a licence] [See requirements]" in home
    with Session(engine) as s:
        assert s.exec(select(CEEntry).where(CEEntry.deleted_at == None)).all() == []  # noqa: E711


def test_home_buttons_can_be_clicked(database_url: str) -> None:
    """A Home tab button opens its modal, shown with the one-line command to use instead."""
    output = run_shell(database_url, ":home\n:click Track a licence\n")
    after = output.split("cebot> :click Track a licence", 1)[1]
    assert "┌─ Track a licence" in after
    assert "Licence or certification: [Choose one ▾]" in after
    assert "Forms can't be filled in the shell" in after
    assert "/ce track FL deadline:" in after


def test_modal_commands_suggest_the_one_line_form(database_url: str) -> None:
    """``/ce log`` alone opens the logging form, which the shell shows with the one-line alternative."""
    output = run_shell(database_url, "/ce log\n")
    assert "┌─" in output
    assert "Type it in one line instead, e.g. /ce log 3h" in output


def test_help_quit_and_unknown_lines(database_url: str) -> None:
    """``help`` shows the shell's keys and cebot's help; ``quit`` stops reading; unknown words get a hint."""
    output = run_shell(database_url, "help\n:nope\n/remind off\n:click\nquit\n/ce log 1h Never Read #ethics\n")
    assert ":click <button>" in output
    assert "/ce track FL deadline:2027-08-31" in output
    assert "I don't know :nope" in output
    assert "try /ce remind off" in output
    assert "no button to press" in output
    assert "Never Read" not in output.split("cebot> quit", 1)[1]


def test_admin_flag_makes_the_member_a_slack_admin(database_url: str, engine: Engine) -> None:
    """``--admin`` acts as a Slack admin (a manager); without it the same user is a plain member again."""
    run_shell(database_url, "/ce help\n", admin=True)
    with Session(engine) as s:
        member = s.exec(select(Member).where(Member.slack_user_id == "UMARIA")).one()
        assert (member.is_slack_admin, member.display_name, member.timezone) == (True, "Maria", "America/New_York")
    run_shell(database_url, "/ce help\n", admin=False)
    with Session(engine) as s:
        assert s.exec(select(Member.is_slack_admin).where(Member.slack_user_id == "UMARIA")).one() is False


def test_admin_sees_the_team_view_with_names(database_url: str) -> None:
    """With ``--admin``, ``/ce team`` shows the manager view, mentions read as names; without it, it's refused."""
    output = run_shell(database_url, "/ce track FL deadline:2027-08-31\n/ce team\n", admin=True)
    team = output.split("cebot> /ce team", 1)[1]
    assert "@Maria" in team
    assert "FL" in team
    refused = run_shell(database_url, "/ce team\n", admin=False, user="UOTHER", name="Sam")
    assert "@Maria" not in refused
    assert "manager" in refused.lower()


def test_escaped_titles_read_plainly(database_url: str) -> None:
    """A title with ``<``, ``>`` and ``&`` is escaped for Slack but printed as typed."""
    output = run_shell(database_url, '/ce log 1h "Fascia <deep> & slow" #technique\n')
    assert "Fascia <deep> & slow" in output
    assert "&lt;" not in output


@pytest.mark.parametrize(("flag", "value"), [("tz", "Mars/Olympus"), ("user", "u-lower"), ("team", "")])
def test_bad_options_are_refused(database_url: str, flag: str, value: str) -> None:
    """A time zone or Slack id that can't be right stops the shell with a message naming the option."""
    with pytest.raises(SettingsError, match=f"--{flag}"):
        console.run(args(database_url, **{flag: value}), stdin=io.StringIO(""), out=io.StringIO())


def test_cli_parses_shell_options() -> None:
    """``cebot shell`` takes --user, --team, --name, --admin, --tz and --database-url."""
    parsed = build_parser().parse_args(["shell", "--user", "U9", "--team", "T9", "--name", "Dana", "--admin",
                                        "--tz", "Europe/Paris", "--database-url", "sqlite:///x.sqlite3"])
    assert (parsed.user, parsed.team, parsed.name, parsed.admin, parsed.tz, parsed.database_url) == (
        "U9", "T9", "Dana", True, "Europe/Paris", "sqlite:///x.sqlite3")
    defaults = build_parser().parse_args(["shell"])
    assert (defaults.user, defaults.team, defaults.admin) == (shell.DEFAULT_USER, shell.DEFAULT_TEAM, False)


def test_python_m_cebot_shell_from_a_fresh_database(tmp_path: Path) -> None:
    """``python -m cebot shell`` with piped input creates and upgrades a new SQLite file and prints the replies."""
    db = tmp_path / "fresh" / "cebot.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{db}"
    done = subprocess.run([sys.executable, "-m", "cebot", "shell", "--name", "Maria", "--tz", "America/New_York"],
                          input=SESSION, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "Logged 3 h *Ethics in Touch*" in done.stdout
    assert "3 of 24 h" in done.stdout
    assert db.exists()
    assert "Traceback" not in done.stderr


def test_a_home_update_shows_with_the_command_that_made_it(database_url: str) -> None:
    """The Home refresh after a log is reported with that log, not with the next (bad) command."""
    output = run_shell(database_url, "/ce log 3h Ethics in Touch #ethics\n/ce log three hours\n")
    logged, bad = output.split("cebot> /ce log three hours", 1)
    assert "Home tab was updated" in logged
    assert "couldn't read" in bad
    assert "Home tab was updated" not in bad
