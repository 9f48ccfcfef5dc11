"""audit integrity

The units of an audit event become evidence: ``audit_event.chain_format`` (2 for new events, whose
hash covers their units; NULL for the events written before, verified as they were written), and
``audit_event_unit`` becomes append-only like ``audit_event``: no UPDATE or DELETE (nor TRUNCATE
on PostgreSQL), and rows only for the event being appended (the one ``audit_head`` points at).

Saved queries are scoped: ``saved_query.shared`` (true for plugin-shipped queries) and
``saved_query_unit``, the owner's read scope when the version was saved. Versions saved before
have no scope rows: until saved again (or shared) they are read by admins and their owner only.

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'core_0006'
down_revision: str | Sequence[str] | None = 'core_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSE_CHANGE = "audit_event_unit is append-only"
REFUSE_INSERT = "audit_event_unit rows belong to the event being appended"


def upgrade() -> None:
    # A plain ADD COLUMN (not a batch copy): on SQLite a copy would drop audit_event's triggers.
    op.add_column('audit_event', sa.Column('chain_format', sa.Integer(), nullable=True))

    with op.batch_alter_table('saved_query', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('shared', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE saved_query SET shared = true WHERE plugin_key IS NOT NULL")
    op.create_table(
        'saved_query_unit',
        sa.Column('query_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['query_id'], ['saved_query.id'],
            name=op.f('fk_saved_query_unit_query_id_saved_query'),
        ),
        sa.ForeignKeyConstraint(
            ['unit_id'], ['unit.id'], name=op.f('fk_saved_query_unit_unit_id_unit')
        ),
        sa.PrimaryKeyConstraint('query_id', 'unit_id', name=op.f('pk_saved_query_unit')),
    )
    with op.batch_alter_table('saved_query_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_query_unit_unit_id'), ['unit_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_unit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{REFUSE_CHANGE}'; END $$"
        )
        op.execute(
            "CREATE FUNCTION audit_event_unit_current_event() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN "
            "IF NEW.seq IS DISTINCT FROM (SELECT seq FROM audit_head WHERE id = 1) THEN "
            f"RAISE EXCEPTION '{REFUSE_INSERT}'; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_unit_no_change BEFORE UPDATE OR DELETE "
            "ON audit_event_unit FOR EACH ROW EXECUTE FUNCTION audit_event_unit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_unit_no_truncate BEFORE TRUNCATE ON audit_event_unit "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_unit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_unit_insert BEFORE INSERT ON audit_event_unit "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_unit_current_event()"
        )
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_event_unit FROM PUBLIC")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_unit_no_{action.lower()} BEFORE {action} "
                f"ON audit_event_unit BEGIN SELECT RAISE(ABORT, '{REFUSE_CHANGE}'); END"
            )
        op.execute(
            "CREATE TRIGGER audit_event_unit_insert BEFORE INSERT ON audit_event_unit "
            "WHEN NEW.seq IS NOT (SELECT seq FROM audit_head WHERE id = 1) "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSE_INSERT}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_unit_insert ON audit_event_unit")
        op.execute("DROP TRIGGER audit_event_unit_no_truncate ON audit_event_unit")
        op.execute("DROP TRIGGER audit_event_unit_no_change ON audit_event_unit")
        op.execute("DROP FUNCTION audit_event_unit_current_event()")
        op.execute("DROP FUNCTION audit_event_unit_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_unit_insert")
        op.execute("DROP TRIGGER audit_event_unit_no_update")
        op.execute("DROP TRIGGER audit_event_unit_no_delete")

    with op.batch_alter_table('saved_query_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_query_unit_unit_id'))
    op.drop_table('saved_query_unit')
    with op.batch_alter_table('saved_query', schema=None) as batch_op:
        batch_op.drop_column('shared')
    # Events written since keep their format-2 hashes: the code before core_0006 cannot verify
    # them. A plain DROP COLUMN (SQLite 3.35+), not a batch copy that would drop the triggers.
    op.execute("ALTER TABLE audit_event DROP COLUMN chain_format")
