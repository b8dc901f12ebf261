"""slash-command tokens are stored as SHA-256 hashes, never in plain text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:30:00

A slash-command token lets anyone who holds it act as any user, so the database keeps only
its hash (storage.models.token_hash). Existing rows are hashed here; the plain column goes.
A downgrade cannot bring the tokens back: it leaves the column empty, and
`amtsbote register` has to be run again.
"""
import hashlib

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('slash_command', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    table = sa.table('slash_command', sa.column('id', sa.Integer()), sa.column('token', sa.String()),
                     sa.column('token_hash', sa.String()))
    conn = op.get_bind()
    for row_id, token in conn.execute(sa.select(table.c.id, table.c.token)).all():
        digest = hashlib.sha256((token or "").encode("utf-8", "surrogatepass")).hexdigest()
        conn.execute(table.update().where(table.c.id == row_id).values(token_hash=digest, token=""))
    with op.batch_alter_table('slash_command', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.drop_column('token')


def downgrade() -> None:
    with op.batch_alter_table('slash_command', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), server_default='',
                                      nullable=False))
        batch_op.drop_column('token_hash')
