"""One name per concept: a call's billsec (as the telephone system counted it, distinct from its
rated_seconds after the tariff's increments); invoice lines keep the contract they bill

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# How a frozen invoice's evidence log names a call's seconds: (before, after) this revision.
CALL_KEYS = (("seconds", "billsec"), ("billed_seconds", "rated_seconds"))


def _rename_call_keys(renames) -> None:
    """The evidence logs frozen into invoices speak of a call's seconds as the table does."""
    invoices = sa.table("qh_invoices", sa.column("id", sa.Integer), sa.column("snapshot", sa.Text))
    conn = op.get_bind()
    for invoice_id, snapshot in conn.execute(
            sa.select(invoices.c.id, invoices.c.snapshot).where(invoices.c.snapshot.is_not(None))):
        frozen = json.loads(snapshot)
        calls = (frozen.get("evidence") or {}).get("calls") or []
        if not calls:
            continue
        for call in calls:
            for old, new in renames:
                if old in call:
                    call[new] = call.pop(old)
        conn.execute(invoices.update().where(invoices.c.id == invoice_id)
                     .values(snapshot=json.dumps(frozen)))


def upgrade():
    with op.batch_alter_table('qh_calls', schema=None) as batch_op:
        batch_op.alter_column('billed_seconds', new_column_name='billsec',
                              existing_type=sa.Integer(), existing_nullable=False)
    with op.batch_alter_table('qh_invoice_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_qh_invoice_lines_contract_id_qh_contracts'),
                                    'qh_contracts', ['contract_id'], ['id'])
    _rename_call_keys(CALL_KEYS)


def downgrade():
    _rename_call_keys([(new, old) for old, new in CALL_KEYS])
    with op.batch_alter_table('qh_invoice_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_qh_invoice_lines_contract_id_qh_contracts'),
                                 type_='foreignkey')
        batch_op.drop_column('contract_id')
    with op.batch_alter_table('qh_calls', schema=None) as batch_op:
        batch_op.alter_column('billsec', new_column_name='billed_seconds',
                              existing_type=sa.Integer(), existing_nullable=False)
