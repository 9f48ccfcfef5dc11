"""Pingyang volunteer teams and members.

Revision ID: pingyang_0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pingyang_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("pingyang.volunteers",)
depends_on: str | Sequence[str] | None = "core_0001"


def upgrade() -> None:
    op.create_table(
        "pingyang_volunteers_team",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("formed_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "pingyang_volunteers_member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("pingyang_volunteers_team.id"),
                  nullable=False, index=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False,
                  index=True),
        sa.Column("duty", sa.String(11), nullable=False),
        sa.UniqueConstraint("team_id", "person_id", name="uq_pingyang_member"),
    )


def downgrade() -> None:
    op.drop_table("pingyang_volunteers_member")
    op.drop_table("pingyang_volunteers_team")
