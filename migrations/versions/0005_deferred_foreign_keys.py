"""Deferred foreign keys for bulk children: invoice lines, imported calls

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 14:40:00
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# (table, column, referred table, ondelete)
KEYS = (
    ("qh_invoice_lines", "invoice_id", "qh_invoices", "CASCADE"),
    ("qh_calls", "import_id", "qh_call_imports", None),
)


def _recreate(deferred: bool):
    for table, column, referred, ondelete in KEYS:
        name = f"fk_{table}_{column}_{referred}"
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.create_foreign_key(
                name, referred, [column], ["id"], ondelete=ondelete,
                deferrable=True if deferred else None,
                initially="DEFERRED" if deferred else None)


def upgrade():
    _recreate(deferred=True)


def downgrade():
    _recreate(deferred=False)
