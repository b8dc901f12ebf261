"""outbox priority: rosters, reminders, call-forward announcements and DMs before bulk posts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00

A lower number is sent first (storage.outbox: URGENT 10, NORMAL 50, BULK 90); rows owed
before this revision are NORMAL. The claim reads pending rows in (priority, id) order, which
the index serves.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='50', nullable=False))
        batch_op.create_index('ix_outbox_claim_order', ['status', 'priority', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_claim_order')
        batch_op.drop_column('priority')
