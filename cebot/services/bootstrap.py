"""Start-up: make sure the database schema is current before cebot uses it."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from cebot.core.db import alembic_config, make_engine, upgrade
from cebot.core.settings import Settings

log = logging.getLogger(__name__)


def schema_is_current(engine: Engine, url: str) -> bool:
    """Whether the database is already at the latest migration (cheap: one query)."""
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == heads


def prepare_database(settings: Settings) -> Engine:
    """An engine for ``settings.database_url``; a SQLite database is created or upgraded to the latest schema.

    PostgreSQL is left alone: operators run ``cebot migrate`` (the Procfile's release step).
    """
    url = settings.database_url
    if settings.is_sqlite:
        path = settings.sqlite_path()
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    if settings.is_sqlite and not schema_is_current(engine, url):
        log.info("Upgrading the SQLite database to the latest schema")
        engine.dispose()
        upgrade(url)
    return engine
