"""Statement marks: a change appends a row instead of updating its statement (no hot row)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 06:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'qh_statement_marks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_qh_statement_marks')))
    with op.batch_alter_table('qh_statement_marks', schema=None) as batch_op:
        batch_op.create_index('ix_qh_statement_marks_customer_period',
                              ['customer_id', 'period'], unique=False)


def downgrade():
    with op.batch_alter_table('qh_statement_marks', schema=None) as batch_op:
        batch_op.drop_index('ix_qh_statement_marks_customer_period')
    op.drop_table('qh_statement_marks')
