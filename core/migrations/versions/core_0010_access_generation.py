"""access generation: one counter bumped by triggers when users, tokens, grants or postings change

Revision ID: core_0010
Revises: core_0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'core_0010'
down_revision: str | Sequence[str] | None = 'core_0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: What a principal is computed from (core.access.principal).
WATCHED = ("app_user", "api_token", "access_grant", "posting")


def upgrade() -> None:
    op.create_table('access_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_state'))
    )
    op.execute("INSERT INTO access_state (id, generation) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        # once per statement, so that a bulk import of postings bumps it once
        op.execute(
            "CREATE FUNCTION access_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN INSERT INTO access_state (id, generation) VALUES (1, 1) "
            "ON CONFLICT (id) DO UPDATE SET generation = access_state.generation + 1; "
            "RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_access_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION access_state_bump()"
            )
    else:
        for table in WATCHED:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_access_bump_{action.lower()} AFTER {action} ON {table} "
                    # (not INSERT OR IGNORE: an outer statement's ON CONFLICT overrides it)
                    "BEGIN INSERT INTO access_state (id, generation) SELECT 1, 0 "
                    "WHERE NOT EXISTS (SELECT 1 FROM access_state WHERE id = 1); "
                    "UPDATE access_state SET generation = generation + 1 WHERE id = 1; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_access_bump ON {table}")
        op.execute("DROP FUNCTION access_state_bump()")
    else:
        for table in WATCHED:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_access_bump_{action}")
    op.drop_table('access_state')
