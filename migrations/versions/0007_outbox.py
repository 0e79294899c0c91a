"""The outbox: e-mails queued with the business change and their attachments, sent by a job

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:08:09.633216
"""

import sqlalchemy as sa
from alembic import op

import plugin.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qh_outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('related_kind', sa.String(length=30), nullable=True),
    sa.Column('related_id', sa.Integer(), nullable=True),
    sa.Column('to_addresses', sa.Text(), nullable=False),
    sa.Column('reply_to', sa.String(length=320), nullable=True),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_expires_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=250), nullable=True),
    sa.Column('last_answer', sa.Text(), nullable=False),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resent_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_qh_outbox_messages_status_known')),
    sa.ForeignKeyConstraint(['resent_from_id'], ['qh_outbox_messages.id'], name=op.f('fk_qh_outbox_messages_resent_from_id_qh_outbox_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_outbox_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_qh_outbox_messages_idempotency_key'))
    )
    with op.batch_alter_table('qh_outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_qh_outbox_messages_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_qh_outbox_messages_related', ['related_kind', 'related_id'], unique=False)

    op.create_table('qh_outbox_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('builder', sa.String(length=50), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('mimetype', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint('(data IS NOT NULL AND builder IS NULL AND object_id IS NULL AND filename IS NOT NULL AND mimetype IS NOT NULL) OR (data IS NULL AND builder IS NOT NULL AND object_id IS NOT NULL)', name=op.f('ck_qh_outbox_attachments_file_or_reference')),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['qh_outbox_messages.id'], name=op.f('fk_qh_outbox_attachments_outbox_message_id_qh_outbox_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_outbox_attachments'))
    )
    with op.batch_alter_table('qh_outbox_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_outbox_attachments_outbox_message_id'), ['outbox_message_id'], unique=False)


def downgrade():
    with op.batch_alter_table('qh_outbox_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_outbox_attachments_outbox_message_id'))

    op.drop_table('qh_outbox_attachments')
    with op.batch_alter_table('qh_outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_qh_outbox_messages_related')
        batch_op.drop_index('ix_qh_outbox_messages_due')

    op.drop_table('qh_outbox_messages')
