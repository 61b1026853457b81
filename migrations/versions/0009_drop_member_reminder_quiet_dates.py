"""drop the clock's quiet dates (member.reminder_quiet_until, member.reminder_plan_version)

The plain clock works out what is due from the data on every tick and stores no per-member plan state.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('reminder_plan_version')
        batch_op.drop_column('reminder_quiet_until')


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_quiet_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reminder_plan_version', sa.Integer(), nullable=False, server_default='0'))
