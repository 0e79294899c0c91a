"""Company settings with their audit trail; each customer's invoice delivery choice

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

import plugin.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qh_company_settings',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['qh_users.id'], name=op.f('fk_qh_company_settings_updated_by_id_qh_users')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_qh_company_settings'))
    )
    op.create_table('qh_company_setting_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['qh_users.id'], name=op.f('fk_qh_company_setting_changes_actor_id_qh_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_company_setting_changes'))
    )
    with op.batch_alter_table('qh_company_setting_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_company_setting_changes_at'), ['at'], unique=False)
    with op.batch_alter_table('qh_customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_delivery', sa.String(length=12), server_default='none', nullable=False))
        batch_op.create_check_constraint(op.f('ck_qh_customers_invoice_delivery_known'), "invoice_delivery IN ('pdf', 'zugferd', 'xrechnung', 'none')")


def downgrade():
    with op.batch_alter_table('qh_customers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_qh_customers_invoice_delivery_known'), type_='check')
        batch_op.drop_column('invoice_delivery')
    with op.batch_alter_table('qh_company_setting_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_company_setting_changes_at'))
    op.drop_table('qh_company_setting_changes')
    op.drop_table('qh_company_settings')
