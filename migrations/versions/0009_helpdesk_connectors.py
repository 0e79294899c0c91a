"""Helpdesk connectors: connections (token encrypted), mappings, ticket origins, pushes, webhook deliveries, the log

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:11:41.600660
"""

import sqlalchemy as sa
from alembic import op

import plugin.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qh_helpdesk_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('token_encrypted', sa.Text(), nullable=False),
    sa.Column('webhook_secret_encrypted', sa.Text(), nullable=True),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('synced_since', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_helpdesk_connections')),
    sa.UniqueConstraint('source', name=op.f('uq_qh_helpdesk_connections_source'))
    )
    op.create_table('qh_webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('delivery_id', sa.String(length=100), nullable=False),
    sa.Column('received_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_webhook_deliveries')),
    sa.UniqueConstraint('channel', 'delivery_id', name=op.f('uq_qh_webhook_deliveries_channel_delivery_id'))
    )
    op.create_table('qh_helpdesk_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('hint', sa.String(length=100), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('installation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['connection_id'], ['qh_helpdesk_connections.id'], name=op.f('fk_qh_helpdesk_mappings_connection_id_qh_helpdesk_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_helpdesk_mappings_customer_id_qh_customers')),
    sa.ForeignKeyConstraint(['installation_id'], ['qh_installations.id'], name=op.f('fk_qh_helpdesk_mappings_installation_id_qh_installations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_helpdesk_mappings')),
    sa.UniqueConstraint('connection_id', 'hint', 'value', name=op.f('uq_qh_helpdesk_mappings_connection_id_hint_value'))
    )
    with op.batch_alter_table('qh_helpdesk_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_helpdesk_mappings_connection_id'), ['connection_id'], unique=False)

    op.create_table('qh_helpdesk_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('helpdesk_status', sa.String(length=50), nullable=False),
    sa.Column('hints', sa.Text(), nullable=False),
    sa.Column('unmapped_reason', sa.Text(), nullable=False),
    sa.Column('updated_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_seen_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_qh_helpdesk_tickets_status_known')),
    sa.ForeignKeyConstraint(['connection_id'], ['qh_helpdesk_connections.id'], name=op.f('fk_qh_helpdesk_tickets_connection_id_qh_helpdesk_connections'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['qh_tickets.id'], name=op.f('fk_qh_helpdesk_tickets_ticket_id_qh_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_helpdesk_tickets')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_qh_helpdesk_tickets_source_external_id')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_qh_helpdesk_tickets_ticket_id'))
    )
    with op.batch_alter_table('qh_helpdesk_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_helpdesk_tickets_connection_id'), ['connection_id'], unique=False)

    op.create_table('qh_helpdesk_pushes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_expires_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('remote_id', sa.String(length=100), nullable=True),
    sa.Column('last_answer', sa.Text(), nullable=False),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'held')", name=op.f('ck_qh_helpdesk_pushes_status_known')),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_qh_helpdesk_pushes_minutes_positive')),
    sa.ForeignKeyConstraint(['connection_id'], ['qh_helpdesk_connections.id'], name=op.f('fk_qh_helpdesk_pushes_connection_id_qh_helpdesk_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['qh_time_entries.id'], name=op.f('fk_qh_helpdesk_pushes_entry_id_qh_time_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_helpdesk_pushes')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_qh_helpdesk_pushes_idempotency_key')),
    sa.UniqueConstraint('reference', name=op.f('uq_qh_helpdesk_pushes_reference'))
    )
    with op.batch_alter_table('qh_helpdesk_pushes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_helpdesk_pushes_connection_id'), ['connection_id'], unique=False)
        batch_op.create_index('ix_qh_helpdesk_pushes_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qh_helpdesk_pushes_entry_id'), ['entry_id'], unique=False)

    op.create_table('qh_helpdesk_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('push_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("event IN ('check', 'sync', 'push', 'webhook')", name=op.f('ck_qh_helpdesk_log_event_known')),
    sa.CheckConstraint("outcome IN ('ok', 'retry', 'failed', 'refused', 'held')", name=op.f('ck_qh_helpdesk_log_outcome_known')),
    sa.ForeignKeyConstraint(['connection_id'], ['qh_helpdesk_connections.id'], name=op.f('fk_qh_helpdesk_log_connection_id_qh_helpdesk_connections'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['push_id'], ['qh_helpdesk_pushes.id'], name=op.f('fk_qh_helpdesk_log_push_id_qh_helpdesk_pushes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_helpdesk_log'))
    )
    with op.batch_alter_table('qh_helpdesk_log', schema=None) as batch_op:
        batch_op.create_index('ix_qh_helpdesk_log_at', ['at'], unique=False)



def downgrade():
    with op.batch_alter_table('qh_helpdesk_log', schema=None) as batch_op:
        batch_op.drop_index('ix_qh_helpdesk_log_at')

    op.drop_table('qh_helpdesk_log')
    with op.batch_alter_table('qh_helpdesk_pushes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_helpdesk_pushes_entry_id'))
        batch_op.drop_index('ix_qh_helpdesk_pushes_due')
        batch_op.drop_index(batch_op.f('ix_qh_helpdesk_pushes_connection_id'))

    op.drop_table('qh_helpdesk_pushes')
    with op.batch_alter_table('qh_helpdesk_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_helpdesk_tickets_connection_id'))

    op.drop_table('qh_helpdesk_tickets')
    with op.batch_alter_table('qh_helpdesk_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_helpdesk_mappings_connection_id'))

    op.drop_table('qh_helpdesk_mappings')
    op.drop_table('qh_webhook_deliveries')
    op.drop_table('qh_helpdesk_connections')
