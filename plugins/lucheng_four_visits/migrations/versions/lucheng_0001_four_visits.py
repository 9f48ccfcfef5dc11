"""Lucheng four visits: households, visits, findings, two votes and one degree, negative list.

Revision ID: lucheng_0001
Revises:
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "lucheng_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("lucheng.four_visits",)
depends_on: str | Sequence[str] | None = "core_0003"

P = "lucheng_four_visits_"


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=P + name, native_enum=False)


def upgrade() -> None:
    op.create_table(
        P + "household",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("code", sa.String(200), nullable=False),
        sa.UniqueConstraint("unit_id", "code", name="uq_lucheng_four_visits_household"),
    )
    op.create_index("ix_lucheng_four_visits_household_unit_id", P + "household", ["unit_id"])
    op.create_table(
        P + "household_count",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False, unique=True),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(100)),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        P + "visit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_key", sa.String(100), nullable=False, unique=True),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("initiative.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey(P + "household.id"), nullable=False),
        sa.Column("visitor_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("recorded_by", sa.String(100)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_lucheng_four_visits_visit_campaign_id", P + "visit", ["campaign_id"])
    op.create_index("ix_lucheng_four_visits_visit_unit_id", P + "visit", ["unit_id"])
    op.create_index("ix_lucheng_four_visits_visit_visitor_id", P + "visit", ["visitor_id"])
    op.create_index(
        "ix_lucheng_four_visits_visit_coverage",
        P + "visit",
        ["campaign_id", "unit_id", "household_id"],
    )
    op.create_table(
        P + "visit_ask",
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey(P + "visit.id"), primary_key=True),
        sa.Column("ask", _enum("ask", "NEEDS", "GRIEVANCE", "ADVICE", "EFFECT"), primary_key=True),
    )
    op.create_table(
        P + "person_met",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey(P + "visit.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column(
            "category",
            _enum("met_category", "PARTY_MEMBER", "CADRE", "VILLAGER", "NOTABLE", "DEPUTY"),
            nullable=False,
        ),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id")),
    )
    op.create_index("ix_lucheng_four_visits_person_met_visit_id", P + "person_met", ["visit_id"])
    op.create_table(
        P + "finding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey(P + "visit.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("finding_kind", "NEED", "GRIEVANCE", "ADVICE"), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "status",
            _enum("finding_status", "OPEN", "ASSIGNED", "RESOLVED", "CLOSED_UNRESOLVABLE"),
            nullable=False,
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("assigned_unit_id", sa.Integer(), sa.ForeignKey("unit.id")),
        sa.Column("due_on", sa.Date()),
        sa.Column("assigned_on", sa.Date()),
        sa.Column("assigned_by", sa.String(100)),
        sa.Column("resolved_on", sa.Date()),
        sa.Column("resolution", sa.Text()),
        sa.Column("resolved_by", sa.String(100)),
        sa.Column("resolution_days", sa.Integer()),
        sa.Column("closed_on", sa.Date()),
        sa.Column("closed_reason", sa.Text()),
        sa.Column("escalated_in", sa.String(300)),
        sa.Column("closed_by", sa.String(100)),
    )
    op.create_index("ix_lucheng_four_visits_finding_visit_id", P + "finding", ["visit_id"])
    op.create_index("ix_lucheng_four_visits_finding_unit_id", P + "finding", ["unit_id"])
    op.create_index(
        "ix_lucheng_four_visits_finding_assigned_unit_id", P + "finding", ["assigned_unit_id"]
    )
    op.create_index("ix_lucheng_four_visits_finding_status", P + "finding", ["status", "due_on"])
    op.create_table(
        P + "vote_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("initiative_id", sa.Integer(), sa.ForeignKey("initiative.id"), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("party_members_eligible", sa.Integer(), nullable=False),
        sa.Column("representatives_eligible", sa.Integer(), nullable=False),
        sa.Column("raters_eligible", sa.Integer()),
        sa.Column("party_weight", sa.Float(), nullable=False),
        sa.Column("representative_weight", sa.Float(), nullable=False),
        sa.Column("satisfaction_weight", sa.Float(), nullable=False),
        sa.Column("basically_satisfied_credit", sa.Float(), nullable=False),
        sa.Column("recorded_by", sa.String(100)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("unit_id", "initiative_id", name="uq_lucheng_four_visits_vote_round"),
    )
    op.create_index("ix_lucheng_four_visits_vote_round_unit_id", P + "vote_round", ["unit_id"])
    op.create_index(
        "ix_lucheng_four_visits_vote_round_initiative_id", P + "vote_round", ["initiative_id"]
    )
    op.create_table(
        P + "tally",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey(P + "vote_round.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id")),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "party_for",
                "party_against",
                "party_abstain",
                "representative_for",
                "representative_against",
                "representative_abstain",
                "satisfied",
                "basically_satisfied",
                "dissatisfied",
            )
        ),
        *(
            sa.Column(name, sa.Float(), nullable=False)
            for name in ("party_approval", "representative_approval", "satisfaction", "composite")
        ),
        sa.UniqueConstraint("round_id", "person_id", name="uq_lucheng_four_visits_tally"),
    )
    op.create_index("ix_lucheng_four_visits_tally_round_id", P + "tally", ["round_id"])
    op.create_index("ix_lucheng_four_visits_tally_unit_id", P + "tally", ["unit_id"])
    op.create_index("ix_lucheng_four_visits_tally_person_id", P + "tally", ["person_id"])
    op.create_index("ix_lucheng_four_visits_tally_composite", P + "tally", ["composite"])
    op.create_table(
        P + "negative_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column(
            "source", _enum("negative_source", "VISIT", "FINDING", "VOTE", "UNIT"), nullable=False
        ),
        sa.Column("source_visit_id", sa.Integer(), sa.ForeignKey(P + "visit.id")),
        sa.Column("source_finding_id", sa.Integer(), sa.ForeignKey(P + "finding.id")),
        sa.Column("source_round_id", sa.Integer(), sa.ForeignKey(P + "vote_round.id")),
        sa.Column("source_unit_id", sa.Integer(), sa.ForeignKey("unit.id")),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            _enum("negative_status", "PENDING", "CONFIRMED", "CLEARED"),
            nullable=False,
        ),
        sa.Column("entered_by", sa.String(100)),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(100)),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("confirm_reason", sa.Text()),
        sa.Column("cleared_by", sa.String(100)),
        sa.Column("cleared_at", sa.DateTime(timezone=True)),
        sa.Column("clear_reason", sa.Text()),
    )
    op.create_index(
        "ix_lucheng_four_visits_negative_entry_person_id", P + "negative_entry", ["person_id"]
    )
    op.create_index(
        "ix_lucheng_four_visits_negative_entry_unit_id", P + "negative_entry", ["unit_id"]
    )


def downgrade() -> None:
    for table in (
        "negative_entry",
        "tally",
        "vote_round",
        "finding",
        "person_met",
        "visit_ask",
        "visit",
        "household_count",
        "household",
    ):
        op.drop_table(P + table)
