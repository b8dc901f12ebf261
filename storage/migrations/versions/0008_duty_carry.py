"""duty carry: where a duty's line stood at a day, so that the rota needs no older presence data

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 19:00:00

`duty.carry_day` and `duty.carry` (domain.duty.Carry as JSON) are written by the duty job once a
day and before the retention purge deletes presence data. Duties from before start without one:
their rota goes on from their start until the first carry is written.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carry_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('carry', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.drop_column('carry')
        batch_op.drop_column('carry_day')
