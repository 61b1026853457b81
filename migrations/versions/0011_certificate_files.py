"""certificate: certificate files kept in cebot's own store (and the old Slack-only refs)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-01 10:00:00

Existing ``ce_entry.certificate_ref``/``certificate_url`` pairs become ``certificate`` rows with
``stored = false`` ("Slack only, not stored"): still readable, and shown as such. The entry columns stay.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('media_type', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(length=200), nullable=True),
    sa.Column('shared_by', sa.String(length=32), nullable=True),
    sa.Column('slack_file_id', sa.String(length=64), nullable=True),
    sa.Column('permalink', sa.String(length=500), nullable=True),
    sa.Column('stored', sa.Boolean(), nullable=False),
    sa.Column('reading', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['ce_entry.id'], name=op.f('fk_certificate_entry_id_ce_entry')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_certificate_member_id_member')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_certificate_workspace_id_workspace')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('entry_id', name='uq_certificate_entry'),
    sa.UniqueConstraint('member_id', 'sha256', name='uq_certificate_member_sha256'),
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index('ix_certificate_sha256', ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_workspace_id'), ['workspace_id'], unique=False)
    # Old references: the file stayed in Slack, cebot never had its bytes.
    op.execute(
        "INSERT INTO certificate (workspace_id, member_id, entry_id, slack_file_id, permalink, stored, created_at) "
        "SELECT workspace_id, member_id, id, certificate_ref, certificate_url, false, updated_at FROM ce_entry "
        "WHERE certificate_ref IS NOT NULL OR certificate_url IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_member_id'))
        batch_op.drop_index('ix_certificate_sha256')
    op.drop_table('certificate')
