"""Shared fixtures: an isolated, migrated database per test.

SQLite (the default): the schema is migrated once per run into a template
file, and each test gets its own copy. PostgreSQL: set
``CEBOT_TEST_DATABASE_URL`` (``.ci/run`` does); the run creates its own
database, migrates it once, and empties every table before each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from cebot.core.db import make_engine, upgrade
from cebot.core.settings import Settings, load_settings
from tests.helpers.examples import examples

PG_URL = os.environ.get("CEBOT_TEST_DATABASE_URL", "")
# Tesseract's OpenMP threads spin on a busy core; one thread per OCR call is faster beside a second xdist worker.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# Property tests are deterministic (fixed seed) and never fail on a slow, shared machine: no per-example deadline.
hypothesis_settings.register_profile(
    "cebot",
    derandomize=True,
    deadline=None,
    max_examples=examples(100),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "cebot"))

# The served app, signed requests and a fake Slack (tests/helpers/slackharness.py).
pytest_plugins = ["tests.helpers.slack_fixtures"]


def _normalise(url: str) -> str:
    return load_settings(database_url=url).database_url


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this run: a template SQLite file, or a fresh PostgreSQL database."""
    if not PG_URL:
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        upgrade(f"sqlite:///{path}")
        yield f"sqlite:///{path}"
        return
    base = make_url(_normalise(PG_URL))
    name = f"cebot_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    """A URL to a migrated, empty database that belongs to this test alone."""
    if database_template.startswith("sqlite"):
        target = tmp_path / "cebot.sqlite3"
        shutil.copyfile(database_template.split(":///", 1)[1], target)
        return f"sqlite:///{target}"
    engine = make_engine(database_template)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version")
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return database_template


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine over this test's database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session over this test's database (commit it yourself)."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for an app over this test's database, with test Slack credentials."""
    return load_settings(
        database_url=database_url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret="test-signing-secret",
        slack_app_token=None,
        run_clock=False,
    )
