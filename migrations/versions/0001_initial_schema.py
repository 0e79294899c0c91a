"""Initial schema: every table of PRODUCT.md §3

Revision ID: 0001
Revises:
Create Date: 2026-11-22 13:14:04.283953
"""

import sqlalchemy as sa
from alembic import op

import plugin.db

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qh_customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('vat_id', sa.String(length=20), nullable=True),
    sa.Column('billing_email', sa.String(length=254), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('default_hourly_rate', plugin.db.Money(precision=14, scale=2), nullable=True),
    sa.Column('buyer_reference', sa.String(length=100), nullable=True),
    sa.Column('vat_exempt', sa.Boolean(), nullable=False),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_customers'))
    )
    op.create_table('qh_invoice_number_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_qh_invoice_number_counters'))
    )
    op.create_table('qh_job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=50), nullable=False),
    sa.Column('run_key', sa.String(length=40), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('started_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_job_runs')),
    sa.UniqueConstraint('job_id', 'run_key', name=op.f('uq_qh_job_runs_job_id_run_key'))
    )
    op.create_table('qh_offer_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_offer_templates')),
    sa.UniqueConstraint('key', 'language', name=op.f('uq_qh_offer_templates_key_language'))
    )
    op.create_table('qh_tariffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('price_per_minute', plugin.db.Money(precision=14, scale=4), nullable=False),
    sa.Column('connect_fee', plugin.db.Money(precision=14, scale=4), nullable=False),
    sa.Column('first_increment', sa.Integer(), nullable=False),
    sa.Column('next_increment', sa.Integer(), nullable=False),
    sa.Column('markup_percent', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('minimum_charge', plugin.db.Money(precision=14, scale=4), nullable=False),
    sa.CheckConstraint('first_increment > 0 AND next_increment > 0', name=op.f('ck_qh_tariffs_increments_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_tariffs')),
    sa.UniqueConstraint('prefix', 'valid_from', name=op.f('uq_qh_tariffs_prefix_valid_from'))
    )
    op.create_table('qh_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=256), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_users')),
    sa.UniqueConstraint('external_id', name=op.f('uq_qh_users_external_id')),
    sa.UniqueConstraint('username', name=op.f('uq_qh_users_username'))
    )
    op.create_table('qh_api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['qh_users.id'], name=op.f('fk_qh_api_tokens_user_id_qh_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_qh_api_tokens_token_hash'))
    )
    with op.batch_alter_table('qh_api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('qh_billing_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('running', 'done', 'failed')", name=op.f('ck_qh_billing_runs_status_known')),
    sa.ForeignKeyConstraint(['started_by_id'], ['qh_users.id'], name=op.f('fk_qh_billing_runs_started_by_id_qh_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_billing_runs'))
    )
    with op.batch_alter_table('qh_billing_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_billing_runs_period'), ['period'], unique=False)

    op.create_table('qh_call_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('format', sa.String(length=12), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('started_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('unrated', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Text(), nullable=False),
    sa.CheckConstraint("format IN ('asterisk', 'freeswitch', 'csv')", name=op.f('ck_qh_call_imports_format_known')),
    sa.CheckConstraint("mode IN ('reject', 'quarantine')", name=op.f('ck_qh_call_imports_mode_known')),
    sa.ForeignKeyConstraint(['user_id'], ['qh_users.id'], name=op.f('fk_qh_call_imports_user_id_qh_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_call_imports'))
    )
    op.create_table('qh_contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('fee', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('quota_minutes', sa.Integer(), nullable=True),
    sa.Column('overflow_rate', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('minimum', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('unit_seconds', sa.Integer(), nullable=False),
    sa.Column('grace_seconds', sa.Integer(), nullable=False),
    sa.Column('rounding_scope', sa.String(length=20), nullable=False),
    sa.Column('rollover', sa.Boolean(), nullable=False),
    sa.Column('rollover_cap_minutes', sa.Integer(), nullable=True),
    sa.Column('phone_entries', sa.Boolean(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('seat_pricing', sa.String(length=10), nullable=True),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("rounding_scope IN ('entry', 'ticket_day', 'ticket_period')", name=op.f('ck_qh_contracts_scope_known')),
    sa.CheckConstraint("seat_pricing IN ('volume', 'graduated')", name=op.f('ck_qh_contracts_seat_pricing_known')),
    sa.CheckConstraint('grace_seconds >= 0', name=op.f('ck_qh_contracts_grace_not_negative')),
    sa.CheckConstraint('quota_minutes IS NULL OR quota_minutes >= 0', name=op.f('ck_qh_contracts_quota_not_negative')),
    sa.CheckConstraint('unit_seconds > 0', name=op.f('ck_qh_contracts_unit_positive')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_qh_contracts_valid_range')),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_contracts_customer_id_qh_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_contracts'))
    )
    with op.batch_alter_table('qh_contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_contracts_customer_id'), ['customer_id'], unique=False)

    op.create_table('qh_customer_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_customer_numbers_customer_id_qh_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_customer_numbers')),
    sa.UniqueConstraint('number', name=op.f('uq_qh_customer_numbers_number'))
    )
    with op.batch_alter_table('qh_customer_numbers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_customer_numbers_customer_id'), ['customer_id'], unique=False)

    op.create_table('qh_installations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('connection', sa.String(length=10), nullable=False),
    sa.Column('modem_number', sa.String(length=20), nullable=True),
    sa.Column('warranty_until', sa.Date(), nullable=True),
    sa.CheckConstraint("connection = 'vpn' OR modem_number IS NOT NULL", name=op.f('ck_qh_installations_modem_has_number')),
    sa.CheckConstraint("connection IN ('modem', 'vpn')", name=op.f('ck_qh_installations_connection_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_installations_customer_id_qh_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_installations'))
    )
    with op.batch_alter_table('qh_installations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_installations_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qh_installations_modem_number'), ['modem_number'], unique=False)

    op.create_table('qh_user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('engineer', 'admin', 'billing')", name=op.f('ck_qh_user_roles_role_known')),
    sa.ForeignKeyConstraint(['user_id'], ['qh_users.id'], name=op.f('fk_qh_user_roles_user_id_qh_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_qh_user_roles'))
    )
    op.create_table('qh_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('unique_key', sa.String(length=200), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('caller', sa.String(length=40), nullable=False),
    sa.Column('callee', sa.String(length=40), nullable=False),
    sa.Column('started_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=False),
    sa.Column('billed_seconds', sa.Integer(), nullable=False),
    sa.Column('disposition', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('installation_id', sa.Integer(), nullable=True),
    sa.Column('tariff_id', sa.Integer(), nullable=True),
    sa.Column('cost', plugin.db.Money(precision=14, scale=4), nullable=True),
    sa.CheckConstraint("direction IN ('inbound', 'outbound')", name=op.f('ck_qh_calls_direction_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_calls_customer_id_qh_customers')),
    sa.ForeignKeyConstraint(['import_id'], ['qh_call_imports.id'], name=op.f('fk_qh_calls_import_id_qh_call_imports')),
    sa.ForeignKeyConstraint(['installation_id'], ['qh_installations.id'], name=op.f('fk_qh_calls_installation_id_qh_installations')),
    sa.ForeignKeyConstraint(['tariff_id'], ['qh_tariffs.id'], name=op.f('fk_qh_calls_tariff_id_qh_tariffs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_calls')),
    sa.UniqueConstraint('unique_key', name=op.f('uq_qh_calls_unique_key'))
    )
    with op.batch_alter_table('qh_calls', schema=None) as batch_op:
        batch_op.create_index('ix_qh_calls_customer_started', ['customer_id', 'started_at'], unique=False)

    op.create_table('qh_contract_installations',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('installation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['qh_contracts.id'], name=op.f('fk_qh_contract_installations_contract_id_qh_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['installation_id'], ['qh_installations.id'], name=op.f('fk_qh_contract_installations_installation_id_qh_installations')),
    sa.PrimaryKeyConstraint('contract_id', 'installation_id', name=op.f('pk_qh_contract_installations'))
    )
    op.create_table('qh_invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('net', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('vat', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('gross', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('credits_invoice_id', sa.Integer(), nullable=True),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finalized_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('invoice', 'credit_note')", name=op.f('ck_qh_invoices_kind_known')),
    sa.CheckConstraint("status IN ('draft', 'finalized', 'credited')", name=op.f('ck_qh_invoices_status_known')),
    sa.ForeignKeyConstraint(['credits_invoice_id'], ['qh_invoices.id'], name=op.f('fk_qh_invoices_credits_invoice_id_qh_invoices')),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_invoices_customer_id_qh_customers')),
    sa.ForeignKeyConstraint(['run_id'], ['qh_billing_runs.id'], name=op.f('fk_qh_invoices_run_id_qh_billing_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_invoices')),
    sa.UniqueConstraint('number', name=op.f('uq_qh_invoices_number'))
    )
    with op.batch_alter_table('qh_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_invoices_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('uq_qh_invoices_one_live_per_period', ['customer_id', 'period'], unique=True, sqlite_where=sa.text("kind = 'invoice' AND status IN ('draft', 'finalized')"), postgresql_where=sa.text("kind = 'invoice' AND status IN ('draft', 'finalized')"))

    op.create_table('qh_rollover_balances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['qh_contracts.id'], name=op.f('fk_qh_rollover_balances_contract_id_qh_contracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_rollover_balances')),
    sa.UniqueConstraint('contract_id', 'period', name=op.f('uq_qh_rollover_balances_contract_id_period'))
    )
    op.create_table('qh_seat_tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('from_seat', sa.Integer(), nullable=False),
    sa.Column('price', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['qh_contracts.id'], name=op.f('fk_qh_seat_tiers_contract_id_qh_contracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_seat_tiers')),
    sa.UniqueConstraint('contract_id', 'from_seat', name=op.f('uq_qh_seat_tiers_contract_id_from_seat'))
    )
    op.create_table('qh_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'done')", name=op.f('ck_qh_tasks_status_known')),
    sa.ForeignKeyConstraint(['contract_id'], ['qh_contracts.id'], name=op.f('fk_qh_tasks_contract_id_qh_contracts')),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_tasks_customer_id_qh_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_tasks'))
    )
    with op.batch_alter_table('qh_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_tasks_customer_id'), ['customer_id'], unique=False)

    op.create_table('qh_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('installation_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('external_source', sa.String(length=50), nullable=True),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_qh_tickets_status_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_tickets_customer_id_qh_customers')),
    sa.ForeignKeyConstraint(['installation_id'], ['qh_installations.id'], name=op.f('fk_qh_tickets_installation_id_qh_installations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_tickets')),
    sa.UniqueConstraint('external_source', 'external_id', name=op.f('uq_qh_tickets_external_source_external_id'))
    )
    with op.batch_alter_table('qh_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_tickets_customer_id'), ['customer_id'], unique=False)

    op.create_table('qh_invoice_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', plugin.db.Money(precision=14, scale=3), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('unit_price', plugin.db.Money(precision=14, scale=4), nullable=False),
    sa.Column('amount', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('vat_category', sa.String(length=4), nullable=False),
    sa.Column('vat_rate', plugin.db.Money(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['qh_invoices.id'], name=op.f('fk_qh_invoice_lines_invoice_id_qh_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_invoice_lines')),
    sa.UniqueConstraint('invoice_id', 'position', name=op.f('uq_qh_invoice_lines_invoice_id_position'))
    )
    op.create_table('qh_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('follow_up_task_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'sent', 'answered')", name=op.f('ck_qh_offers_status_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['qh_customers.id'], name=op.f('fk_qh_offers_customer_id_qh_customers')),
    sa.ForeignKeyConstraint(['follow_up_task_id'], ['qh_tasks.id'], name=op.f('fk_qh_offers_follow_up_task_id_qh_tasks')),
    sa.ForeignKeyConstraint(['task_id'], ['qh_tasks.id'], name=op.f('fk_qh_offers_task_id_qh_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_offers'))
    )
    with op.batch_alter_table('qh_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_offers_task_id'), ['task_id'], unique=False)

    op.create_table('qh_time_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engineer_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('started_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('billable', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('long_running_flagged_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('voided_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('timer', 'manual', 'phone')", name=op.f('ck_qh_time_entries_source_known')),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_qh_time_entries_ends_after_start')),
    sa.ForeignKeyConstraint(['engineer_id'], ['qh_users.id'], name=op.f('fk_qh_time_entries_engineer_id_qh_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['qh_tickets.id'], name=op.f('fk_qh_time_entries_ticket_id_qh_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_time_entries'))
    )
    with op.batch_alter_table('qh_time_entries', schema=None) as batch_op:
        batch_op.create_index('ix_qh_time_entries_engineer_started', ['engineer_id', 'started_at'], unique=False)
        batch_op.create_index('ix_qh_time_entries_ticket_started', ['ticket_id', 'started_at'], unique=False)
        batch_op.create_index('uq_qh_time_entries_one_running', ['engineer_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL AND voided_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL AND voided_at IS NULL'))

    op.create_table('qh_time_entry_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('create', 'edit', 'void')", name=op.f('ck_qh_time_entry_audit_action_known')),
    sa.ForeignKeyConstraint(['actor_id'], ['qh_users.id'], name=op.f('fk_qh_time_entry_audit_actor_id_qh_users')),
    sa.ForeignKeyConstraint(['entry_id'], ['qh_time_entries.id'], name=op.f('fk_qh_time_entry_audit_entry_id_qh_time_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_time_entry_audit'))
    )
    with op.batch_alter_table('qh_time_entry_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_time_entry_audit_entry_id'), ['entry_id'], unique=False)

    op.create_table('qh_time_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('started_at', plugin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', plugin.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_qh_time_segments_ends_after_start')),
    sa.ForeignKeyConstraint(['entry_id'], ['qh_time_entries.id'], name=op.f('fk_qh_time_segments_entry_id_qh_time_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_time_segments'))
    )
    with op.batch_alter_table('qh_time_segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qh_time_segments_entry_id'), ['entry_id'], unique=False)


def downgrade():
    with op.batch_alter_table('qh_time_segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_time_segments_entry_id'))

    op.drop_table('qh_time_segments')
    with op.batch_alter_table('qh_time_entry_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_time_entry_audit_entry_id'))

    op.drop_table('qh_time_entry_audit')
    with op.batch_alter_table('qh_time_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_qh_time_entries_one_running', sqlite_where=sa.text('ended_at IS NULL AND voided_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL AND voided_at IS NULL'))
        batch_op.drop_index('ix_qh_time_entries_ticket_started')
        batch_op.drop_index('ix_qh_time_entries_engineer_started')

    op.drop_table('qh_time_entries')
    with op.batch_alter_table('qh_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_offers_task_id'))

    op.drop_table('qh_offers')
    op.drop_table('qh_invoice_lines')
    with op.batch_alter_table('qh_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_tickets_customer_id'))

    op.drop_table('qh_tickets')
    with op.batch_alter_table('qh_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_tasks_customer_id'))

    op.drop_table('qh_tasks')
    op.drop_table('qh_seat_tiers')
    op.drop_table('qh_rollover_balances')
    with op.batch_alter_table('qh_invoices', schema=None) as batch_op:
        batch_op.drop_index('uq_qh_invoices_one_live_per_period', sqlite_where=sa.text("kind = 'invoice' AND status IN ('draft', 'finalized')"), postgresql_where=sa.text("kind = 'invoice' AND status IN ('draft', 'finalized')"))
        batch_op.drop_index(batch_op.f('ix_qh_invoices_customer_id'))

    op.drop_table('qh_invoices')
    op.drop_table('qh_contract_installations')
    with op.batch_alter_table('qh_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_qh_calls_customer_started')

    op.drop_table('qh_calls')
    op.drop_table('qh_user_roles')
    with op.batch_alter_table('qh_installations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_installations_modem_number'))
        batch_op.drop_index(batch_op.f('ix_qh_installations_customer_id'))

    op.drop_table('qh_installations')
    with op.batch_alter_table('qh_customer_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_customer_numbers_customer_id'))

    op.drop_table('qh_customer_numbers')
    with op.batch_alter_table('qh_contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_contracts_customer_id'))

    op.drop_table('qh_contracts')
    op.drop_table('qh_call_imports')
    with op.batch_alter_table('qh_billing_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_billing_runs_period'))

    op.drop_table('qh_billing_runs')
    with op.batch_alter_table('qh_api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qh_api_tokens_user_id'))

    op.drop_table('qh_api_tokens')
    op.drop_table('qh_users')
    op.drop_table('qh_tariffs')
    op.drop_table('qh_offer_templates')
    op.drop_table('qh_job_runs')
    op.drop_table('qh_invoice_number_counters')
    op.drop_table('qh_customers')
