"""import sources: the source system's id of every imported unit, person, posting, metric and
observation (unique per source), so that importing again updates instead of duplicating

Revision ID: core_0008
Revises: core_0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'core_0008'
down_revision: str | Sequence[str] | None = 'core_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('unit', 'person', 'posting', 'metric_definition', 'observation')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('import_source', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('external_id', sa.String(length=100), nullable=True))
        # a unique index (not a constraint): SQLite adds it without rebuilding the table, and
        # INSERT … ON CONFLICT (import_source, external_id) uses it on both databases
        op.create_index(f'uq_{table}_import_source', table, ['import_source', 'external_id'], unique=True)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(f'uq_{table}_import_source', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('external_id')
            batch_op.drop_column('import_source')
