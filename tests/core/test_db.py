"""The schema: migrations match the models and go up and down on this run's database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from cebot.core.db import downgrade, upgrade


def test_migrations_match_models(engine: Engine) -> None:
    """The migrated schema has no difference from the SQLModel metadata (alembic check)."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []


def test_migrations_down_and_up_again(database_url: str, engine: Engine) -> None:
    """Downgrading to base drops every table, and upgrading restores them all."""
    downgrade(database_url, "base")
    engine.dispose()
    with engine.connect() as conn:
        assert conn.dialect.get_table_names(conn) in ([], ["alembic_version"])
    upgrade(database_url)
    engine.dispose()
    with engine.connect() as conn:
        names = set(conn.dialect.get_table_names(conn))
    assert set(SQLModel.metadata.tables) <= names
