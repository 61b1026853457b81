"""member: reminder lead times and the calendar feed's token hash

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 11:15:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL lead_days means the default countdown stages; NULL calendar_token_hash means no feed (or revoked).
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_days', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_member_calendar_token_hash', ['calendar_token_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_calendar_token_hash')
        batch_op.drop_column('calendar_token_hash')
        batch_op.drop_column('lead_days')
