"""member reminder quiet-until date and plan version

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_quiet_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reminder_plan_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('reminder_plan_version')
        batch_op.drop_column('reminder_quiet_until')
