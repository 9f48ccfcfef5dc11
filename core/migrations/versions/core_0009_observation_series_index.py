"""observation series index: (unit, metric, period) covering the value

Revision ID: core_0009
Revises: core_0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'core_0009'
down_revision: str | Sequence[str] | None = 'core_0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_unit_metric_period', ['unit_id', 'metric_id', 'period_start'], unique=False, postgresql_include=['value'])
        batch_op.drop_index('ix_observation_unit_id')


def downgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_unit_id', ['unit_id'], unique=False)
        batch_op.drop_index('ix_observation_unit_metric_period')
