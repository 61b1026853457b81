"""workspace_requirement_set: who last set the clinic's target

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 11:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for existing sets: shown as set by whoever created it (created_by).
    with op.batch_alter_table('workspace_requirement_set', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_by', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('workspace_requirement_set', schema=None) as batch_op:
        batch_op.drop_column('updated_by')
