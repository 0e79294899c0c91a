"""Profitability control (§5): contract terms, tasks with keys and assignees, offer states

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 02:09:58.991085
"""

import sqlalchemy as sa
from alembic import op

import plugin.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qh_contract_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('call_pricing', sa.String(length=12), nullable=True),
    sa.Column('call_price', plugin.db.Money(precision=14, scale=4), nullable=True),
    sa.Column('first_increment', sa.Integer(), nullable=False),
    sa.Column('next_increment', sa.Integer(), nullable=False),
    sa.Column('reference_price_per_minute', plugin.db.Money(precision=14, scale=4), nullable=True),
    sa.Column('tolerance_percent', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('cost_cap_amounts', sa.Text(), nullable=True),
    sa.Column('cost_cap_category', sa.Integer(), nullable=True),
    sa.Column('cost_cap_kinds', sa.Text(), nullable=False),
    sa.Column('per_minute_price', plugin.db.Money(precision=14, scale=4), nullable=True),
    sa.Column('hourly_floor', plugin.db.Money(precision=14, scale=2), nullable=True),
    sa.Column('budget_thresholds', sa.String(length=40), nullable=False),
    sa.Column('budget_mail', sa.Boolean(), nullable=False),
    sa.CheckConstraint("call_pricing IS NULL OR call_pricing IN ('per_minute', 'per_call', 'flat')", name=op.f('ck_qh_contract_terms_call_pricing_known')),
    sa.CheckConstraint('tolerance_percent >= 0', name=op.f('ck_qh_contract_terms_tolerance_not_negative')),
    sa.ForeignKeyConstraint(['contract_id'], ['qh_contracts.id'], name=op.f('fk_qh_contract_terms_contract_id_qh_contracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_contract_terms')),
    sa.UniqueConstraint('contract_id', name=op.f('uq_qh_contract_terms_contract_id'))
    )
    with op.batch_alter_table('qh_offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False, server_default='en'))
        batch_op.add_column(sa.Column('to_address', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('proposal', sa.Text(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('outbox_message_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_offer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('new_contract_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_qh_offers_first_offer_id_qh_offers'), 'qh_offers', ['first_offer_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_qh_offers_outbox_message_id_qh_outbox_messages'), 'qh_outbox_messages', ['outbox_message_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_qh_offers_new_contract_id_qh_contracts'), 'qh_contracts', ['new_contract_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_qh_offers_status_known'), type_='check')
        batch_op.create_check_constraint(
            'status_known', "status IN ('draft', 'sent', 'accepted', 'declined', 'expired')")

    with op.batch_alter_table('qh_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', plugin.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', plugin.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
        batch_op.create_unique_constraint(batch_op.f('uq_qh_tasks_key'), ['key'])
        batch_op.create_foreign_key(batch_op.f('fk_qh_tasks_closed_by_id_qh_users'), 'qh_users', ['closed_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_qh_tasks_assignee_id_qh_users'), 'qh_users', ['assignee_id'], ['id'])



def downgrade():
    with op.batch_alter_table('qh_tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_qh_tasks_assignee_id_qh_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_qh_tasks_closed_by_id_qh_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_qh_tasks_key'), type_='unique')
        batch_op.drop_column('note')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('key')

    with op.batch_alter_table('qh_offers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_qh_offers_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', "status IN ('draft', 'sent', 'answered')")
        batch_op.drop_constraint(batch_op.f('fk_qh_offers_new_contract_id_qh_contracts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_qh_offers_outbox_message_id_qh_outbox_messages'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_qh_offers_first_offer_id_qh_offers'), type_='foreignkey')
        batch_op.drop_column('new_contract_id')
        batch_op.drop_column('first_offer_id')
        batch_op.drop_column('outbox_message_id')
        batch_op.drop_column('created_at')
        batch_op.drop_column('proposal')
        batch_op.drop_column('to_address')
        batch_op.drop_column('language')
        batch_op.drop_column('kind')

    op.drop_table('qh_contract_terms')
