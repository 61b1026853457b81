"""Engine, sessions and migrations.

One session and one transaction per Slack request or job run:
``with session_scope(engine) as session: ...`` commits on success and rolls
back on any error, so nothing is half-saved.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

import cebot


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys on and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = sa.create_engine(url, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits if the block succeeds and rolls back otherwise."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class _TurnsHeld(threading.local):
    """The write turns this thread holds (by lock file), so a nested ``write_turn`` does not wait for itself."""

    def __init__(self) -> None:
        self.paths: set[str] = set()


_turns_held = _TurnsHeld()


def _turn_file(engine: Engine) -> str | None:
    """The write-turn lock file beside a SQLite database file; None for PostgreSQL or an in-memory database."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        return None
    return str(Path(url.database).resolve()) + "-turn"


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """Wait for this database's write turn (SQLite files only; PostgreSQL locks rows instead).

    SQLite lets one transaction write at a time, and a writer that finds the database locked polls with growing
    sleeps (up to 100 ms), so in a burst one request can lose the race again and again: 1-2 of 2,000 ``/ce log``
    at concurrency 16 waited over Slack's 3 s (``bench/answer_latency.py``). Writers that first take an exclusive
    ``flock`` on a file beside the database are woken by the kernel the moment the turn is free, across threads
    and processes; the kernel drops the lock of a killed process. Re-entrant within a thread.
    """
    path = _turn_file(engine)
    held = _turns_held.paths
    if path is None or path in held:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.add(path)
        try:
            yield
        finally:
            held.discard(path)
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def migrations_dir() -> Path:
    """The Alembic scripts, inside the package (so an installed wheel migrates)."""
    return Path(cebot.__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (head by default)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
