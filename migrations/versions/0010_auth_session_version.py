"""Users: a session version, bumped to end every session and remember-me cookie of a user;
and whether they must choose a new password (after an admin reset it)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('qh_users') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                   server_default='1'))
        batch.add_column(sa.Column('password_must_change', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('qh_users') as batch:
        batch.drop_column('password_must_change')
        batch.drop_column('session_version')
