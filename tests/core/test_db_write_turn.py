"""SQLite's write turn: one writer at a time across threads and processes, released at once, re-entrant."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cebot.core.db import make_engine, write_turn
from tests.helpers.write_turn import turn_is_free


def test_turn_is_held_inside_the_block_and_free_after(tmp_path: Path) -> None:
    """Inside ``write_turn`` nobody else can take the turn; after the block it is free again."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    turn = tmp_path / "db.sqlite3-turn"
    with write_turn(engine):
        assert not turn_is_free(turn)
    assert turn_is_free(turn)


def test_turn_is_released_when_the_block_raises(tmp_path: Path) -> None:
    """An error inside the block releases the turn."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(RuntimeError), write_turn(engine):
        raise RuntimeError("boom")
    assert turn_is_free(tmp_path / "db.sqlite3-turn")


def test_turn_is_reentrant_in_one_thread(tmp_path: Path) -> None:
    """A nested ``write_turn`` in the same thread does not wait for itself, and the outer block still holds it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with write_turn(engine):
        with write_turn(engine):
            pass
        assert not turn_is_free(tmp_path / "db.sqlite3-turn")


def test_another_thread_waits_for_the_turn(tmp_path: Path) -> None:
    """A second thread gets the turn only after the first released it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    order: list[str] = []
    started = threading.Event()

    def second() -> None:
        started.set()
        with write_turn(engine):
            order.append("second")

    with write_turn(engine):
        thread = threading.Thread(target=second)
        thread.start()
        started.wait()
        order.append("first released")
    thread.join(timeout=10)
    assert order == ["first released", "second"]


def test_a_killed_holder_frees_the_turn(tmp_path: Path) -> None:
    """``kill -9`` of a process holding the turn frees it (the kernel drops its lock)."""
    db = tmp_path / "db.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from cebot.core.db import make_engine, write_turn\n"
         f"e = make_engine('sqlite:///{db}')\n"
         "with write_turn(e):\n    print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        assert not turn_is_free(tmp_path / "db.sqlite3-turn")
    finally:
        holder.kill()
        holder.wait()
    with write_turn(make_engine(f"sqlite:///{db}")):
        pass


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_has_no_turn_file(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-memory database needs no turn: nothing is written beside it."""
    monkeypatch.chdir(tmp_path)
    with write_turn(make_engine(url)):
        pass
    assert list(tmp_path.iterdir()) == []
