"""Live statements: each customer's period as billed now, marked stale by changes; engineers' hourly cost

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:50:00
"""

import sqlalchemy as sa
from alembic import op

import plugin.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qh_live_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('stale', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('computed_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_until', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('quota_minutes', sa.Integer(), nullable=True),
    sa.Column('quota_used_minutes', sa.Integer(), nullable=False),
    sa.Column('net', plugin.db.Money(scale=2, precision=14), nullable=False),
    sa.Column('telephony', plugin.db.Money(scale=2, precision=14), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('draft', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_live_statements_customer_id_qh_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_live_statements')),
    sa.UniqueConstraint('customer_id', 'period', name=op.f('uq_qh_live_statements_customer_id_period'))
    )
    with op.batch_alter_table('qh_live_statements', schema=None) as batch_op:
        batch_op.create_index('ix_qh_live_statements_stale', ['stale', 'period'], unique=False)
    with op.batch_alter_table('qh_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hourly_cost', plugin.db.Money(scale=2, precision=14),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('qh_users', schema=None) as batch_op:
        batch_op.drop_column('hourly_cost')
    with op.batch_alter_table('qh_live_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_qh_live_statements_stale')
    op.drop_table('qh_live_statements')
