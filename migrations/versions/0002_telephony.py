"""Telephony: answered flag, seconds after increments, longer dispositions, import timezone

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:28:09.569898
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('qh_call_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='', nullable=False))

    with op.batch_alter_table('qh_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('rated_seconds', sa.Integer(), nullable=True))
        # FreeSWITCH hangup causes (e.g. NORMAL_TEMPORARY_FAILURE) are kept as the disposition.
        batch_op.alter_column('disposition',
               existing_type=sa.VARCHAR(length=20),
               type_=sa.String(length=40),
               existing_nullable=False)


def downgrade():
    with op.batch_alter_table('qh_calls', schema=None) as batch_op:
        batch_op.alter_column('disposition',
               existing_type=sa.String(length=40),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)
        batch_op.drop_column('rated_seconds')
        batch_op.drop_column('answered')

    with op.batch_alter_table('qh_call_imports', schema=None) as batch_op:
        batch_op.drop_column('timezone')
