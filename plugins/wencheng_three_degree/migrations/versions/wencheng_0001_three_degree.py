"""Wencheng three-degree assessment: reserve cadres, ratings, objections, transitions.

Revision ID: wencheng_0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "wencheng_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("wencheng.three_degree",)
depends_on: str | Sequence[str] | None = "core_0003"

PREFIX = "wencheng_three_degree_"
OPEN = sa.text("state NOT IN ('POOLED', 'REJECTED')")


def _state(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(20), nullable=nullable)


def upgrade() -> None:
    cadre = PREFIX + "reserve_cadre"
    op.create_table(
        cadre,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        _state("state"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state_since", sa.Date(), nullable=False),
        sa.Column("nominated_on", sa.Date(), nullable=False),
        sa.Column("nomination_reason", sa.Text(), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.Column("loyalty", sa.Float(), nullable=True),
        sa.Column("satisfaction", sa.Float(), nullable=True),
        sa.Column("competence", sa.Float(), nullable=True),
        sa.Column("overall", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("meeting_on", sa.Date(), nullable=True),
        sa.Column("meeting_note", sa.Text(), nullable=True),
        sa.Column("notice_start", sa.Date(), nullable=True),
        sa.Column("notice_end", sa.Date(), nullable=True),
        sa.Column("trial_posting_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        _state("rejected_at_stage", nullable=True),
        sa.Column("election_initiative_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("external_key", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f(f"fk_{cadre}_person_id_person")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f(f"fk_{cadre}_unit_id_unit")),
        sa.ForeignKeyConstraint(["trial_posting_id"], ["posting.id"], name=op.f(f"fk_{cadre}_trial_posting_id_posting")),
        sa.ForeignKeyConstraint(["election_initiative_id"], ["initiative.id"], name=op.f(f"fk_{cadre}_election_initiative_id_initiative")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{cadre}")),
        sa.UniqueConstraint("external_key", name=op.f(f"uq_{cadre}_external_key")),
    )
    for column in ("person_id", "unit_id", "state", "trial_posting_id", "election_initiative_id"):
        op.create_index(op.f(f"ix_{cadre}_{column}"), cadre, [column])
    op.create_index(
        "uq_wencheng_three_degree_open_candidacy",
        cadre,
        ["person_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )

    def child(name: str, *columns: sa.Column) -> None:
        table = PREFIX + name
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("reserve_cadre_id", sa.Integer(), nullable=False),
            *columns,
            sa.ForeignKeyConstraint(["reserve_cadre_id"], [f"{cadre}.id"], name=op.f(f"fk_{table}_reserve_cadre_id_{cadre}")),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_reserve_cadre_id"), table, ["reserve_cadre_id"])

    child(
        "rating",
        sa.Column("rater_group", sa.String(20), nullable=False),
        sa.Column("loyalty", sa.Float(), nullable=False),
        sa.Column("satisfaction", sa.Float(), nullable=False),
        sa.Column("competence", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rater_name", sa.String(100), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.Column("entered_by", sa.String(100), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    )
    child(
        "objection",
        sa.Column("lodged_on", sa.Date(), nullable=False),
        sa.Column("objector", sa.String(100), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("lodged_by", sa.String(100), nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
    )
    child(
        "transition",
        _state("from_state", nullable=True),
        _state("to_state"),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for name in ("transition", "objection", "rating"):
        op.drop_table(PREFIX + name)
    op.drop_table(PREFIX + "reserve_cadre")
