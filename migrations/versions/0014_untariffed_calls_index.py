"""An index on the calls without a tariff, by start: a month's review counts stay quick

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 04:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('qh_calls', schema=None) as batch_op:
        batch_op.create_index('ix_qh_calls_untariffed_started', ['started_at'], unique=False,
                              postgresql_where=sa.text('tariff_id IS NULL'),
                              sqlite_where=sa.text('tariff_id IS NULL'))


def downgrade():
    with op.batch_alter_table('qh_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_qh_calls_untariffed_started')
