"""one truth per person and day: when someone joined a rotation, and which one is their home

Revision ID: 0006
Revises: 0005_rsvp_day
Create Date: 2026-12-05 09:30:00

`rotation_member.joined_at` orders a person's rotations (the first one joined sets their days
unless they chose another with `/homeoffice stammteam`, `rotation_member.home`). Rows from before
get their rotation's creation time, so the rotation set up first stays the one that counts.
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0006'
down_revision = '0005_rsvp_day'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rotation_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_at', storage.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('home', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE rotation_member SET joined_at = (SELECT rotation.created_at FROM rotation "
               "WHERE rotation.channel_id = rotation_member.channel_id)")


def downgrade() -> None:
    with op.batch_alter_table('rotation_member', schema=None) as batch_op:
        batch_op.drop_column('home')
        batch_op.drop_column('joined_at')
