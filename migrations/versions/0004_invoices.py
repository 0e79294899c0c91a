"""Invoices: run progress, the snapshot frozen at finalization, accounting deliveries

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-22 13:31:43.114998
"""

import sqlalchemy as sa
from alembic import op

import plugin.db

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qh_invoice_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('updated_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name=op.f('ck_qh_invoice_deliveries_status_known')),
    sa.ForeignKeyConstraint(['invoice_id'], ['qh_invoices.id'], name=op.f('fk_qh_invoice_deliveries_invoice_id_qh_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_invoice_deliveries')),
    sa.UniqueConstraint('invoice_id', name=op.f('uq_qh_invoice_deliveries_invoice_id'))
    )
    with op.batch_alter_table('qh_billing_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customers_total', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('customers_done', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('qh_invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('qh_invoices', schema=None) as batch_op:
        batch_op.drop_column('snapshot')

    with op.batch_alter_table('qh_billing_runs', schema=None) as batch_op:
        batch_op.drop_column('customers_done')
        batch_op.drop_column('customers_total')

    op.drop_table('qh_invoice_deliveries')
