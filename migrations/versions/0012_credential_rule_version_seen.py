"""credential: the rule version the member last saw

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for existing credentials means "saw version 1", the rules as they were before versions.
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_version_seen', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.drop_column('rule_version_seen')
