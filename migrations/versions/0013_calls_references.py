"""Calls: customer, installation and tariff references kept by the import and by triggers

qh_calls is an append-only ledger of imported records; its customer, installation and tariff
are results of matching that the import computes. PostgreSQL checked those three foreign keys
row by row on every import (more than the whole time budget of a big file), so they go: the
import checks what it wrote before it commits (plugin/services/calls/references.py), and these
triggers refuse to delete (or renumber) a customer, installation or tariff that calls refer to.
The import's foreign key to qh_call_imports stays. (On SQLite a later migration that makes
Alembic rebuild one of those tables must create its trigger again.)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:50:00
"""

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# (column of qh_calls, referred table, what the refusal says)
REFERENCES = (
    ("customer_id", "qh_customers",
     "a customer with calls cannot be deleted: its calls are billing records; keep it"),
    ("installation_id", "qh_installations",
     "an installation with calls cannot be deleted: its calls are billing records; keep it"),
    ("tariff_id", "qh_tariffs",
     "a tariff that rates calls cannot be deleted; add a new version with a later valid_from"),
)

PG_FUNCTION = """
CREATE FUNCTION qh_keep_referenced_by_calls() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    used boolean;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM qh_calls WHERE %I = $1)', TG_ARGV[0])
        INTO used USING OLD.id;
    IF used THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('%s %s: %s', TG_TABLE_NAME, OLD.id, TG_ARGV[1]);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
"""


def _name(table: str) -> str:
    return f"{table}_keep_calls"


def upgrade():
    with op.batch_alter_table("qh_calls") as batch_op:
        for column, referred, _ in REFERENCES:
            batch_op.drop_constraint(f"fk_qh_calls_{column}_{referred}", type_="foreignkey")
    if op.get_context().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for column, referred, refusal in REFERENCES:
            op.execute(f"CREATE TRIGGER {_name(referred)} BEFORE DELETE OR UPDATE OF id "
                       f"ON {referred} FOR EACH ROW EXECUTE FUNCTION "
                       f"qh_keep_referenced_by_calls('{column}', '{refusal}')")
        return
    for column, referred, refusal in REFERENCES:
        used = f"EXISTS (SELECT 1 FROM qh_calls WHERE {column} = OLD.id)"  # noqa: S608
        message = f"{referred}: {refusal}"
        op.execute(f"CREATE TRIGGER {_name(referred)} BEFORE DELETE ON {referred} "
                   f"FOR EACH ROW WHEN {used} BEGIN SELECT RAISE(ABORT, '{message}'); END")
        op.execute(f"CREATE TRIGGER {_name(referred)}_id BEFORE UPDATE OF id ON {referred} "
                   f"FOR EACH ROW WHEN NEW.id <> OLD.id AND {used} "
                   f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        for _, referred, _ in REFERENCES:
            op.execute(f"DROP TRIGGER IF EXISTS {_name(referred)} ON {referred}")
        op.execute("DROP FUNCTION IF EXISTS qh_keep_referenced_by_calls()")
    else:
        for _, referred, _ in REFERENCES:
            op.execute(f"DROP TRIGGER IF EXISTS {_name(referred)}")
            op.execute(f"DROP TRIGGER IF EXISTS {_name(referred)}_id")
    with op.batch_alter_table("qh_calls") as batch_op:
        for column, referred, _ in REFERENCES:
            batch_op.create_foreign_key(f"fk_qh_calls_{column}_{referred}", referred,
                                        [column], ["id"])
