"""Taishun joint review: member departments, batches, candidates, requests, verdict versions.

Revision ID: taishun_0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "taishun_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("taishun.joint_review",)
depends_on: str | Sequence[str] | None = "core_0003"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "taishun_joint_review_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("changed_at", TZ, nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["unit.id"],
            name=op.f("fk_taishun_joint_review_member_department_id_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taishun_joint_review_member")),
        sa.UniqueConstraint(
            "department_id", name=op.f("uq_taishun_joint_review_member_department_id")
        ),
    )
    op.create_table(
        "taishun_joint_review_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(200), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("initiative_code", sa.String(64), nullable=False),
        sa.Column("initiative_name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("submitted_by", sa.String(100), nullable=True),
        sa.Column("deadline_at", TZ, nullable=False),
        sa.Column("completed_at", TZ, nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("external_key", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_taishun_joint_review_batch_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["county_id"], ["unit.id"], name=op.f("fk_taishun_joint_review_batch_county_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_taishun_joint_review_batch_initiative_id_initiative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taishun_joint_review_batch")),
        sa.UniqueConstraint(
            "external_key", name=op.f("uq_taishun_joint_review_batch_external_key")
        ),
    )
    with op.batch_alter_table("taishun_joint_review_batch") as batch_op:
        batch_op.create_index(batch_op.f("ix_taishun_joint_review_batch_unit_id"), ["unit_id"])
        batch_op.create_index(batch_op.f("ix_taishun_joint_review_batch_county_id"), ["county_id"])
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_batch_initiative_id"), ["initiative_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_batch_submitted_at"), ["submitted_at"]
        )

    op.create_table(
        "taishun_joint_review_batch_department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["taishun_joint_review_batch.id"],
            name=op.f(
                "fk_taishun_joint_review_batch_department_batch_id_taishun_joint_review_batch"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["unit.id"],
            name=op.f("fk_taishun_joint_review_batch_department_department_id_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taishun_joint_review_batch_department")),
        sa.UniqueConstraint("batch_id", "department_id", name="uq_taishun_joint_review_batch_dept"),
    )
    with op.batch_alter_table("taishun_joint_review_batch_department") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_batch_department_batch_id"), ["batch_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_batch_department_department_id"), ["department_id"]
        )

    op.create_table(
        "taishun_joint_review_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("person_name", sa.String(100), nullable=False),
        sa.Column("post", sa.String(200), nullable=False),
        sa.Column("post_unit_id", sa.Integer(), nullable=True),
        sa.Column("post_unit_name", sa.String(200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("open_slot", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("concluded_at", TZ, nullable=True),
        sa.Column("withdrawn_at", TZ, nullable=True),
        sa.Column("withdrawn_by", sa.String(100), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["taishun_joint_review_batch.id"],
            name=op.f("fk_taishun_joint_review_candidate_batch_id_taishun_joint_review_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_taishun_joint_review_candidate_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["post_unit_id"],
            ["unit.id"],
            name=op.f("fk_taishun_joint_review_candidate_post_unit_id_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_taishun_joint_review_candidate_initiative_id_initiative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taishun_joint_review_candidate")),
        sa.UniqueConstraint(
            "initiative_id", "person_id", "open_slot", name="uq_taishun_joint_review_open_candidate"
        ),
    )
    with op.batch_alter_table("taishun_joint_review_candidate") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_candidate_batch_id"), ["batch_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_candidate_person_id"), ["person_id"]
        )

    op.create_table(
        "taishun_joint_review_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_answered_at", TZ, nullable=True),
        sa.Column("answered_at", TZ, nullable=True),
        sa.Column("answered_by", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["taishun_joint_review_batch.id"],
            name=op.f("fk_taishun_joint_review_request_batch_id_taishun_joint_review_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["taishun_joint_review_candidate.id"],
            name=op.f(
                "fk_taishun_joint_review_request_candidate_id_taishun_joint_review_candidate"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["unit.id"],
            name=op.f("fk_taishun_joint_review_request_department_id_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taishun_joint_review_request")),
        sa.UniqueConstraint(
            "candidate_id", "department_id", name="uq_taishun_joint_review_request"
        ),
    )
    with op.batch_alter_table("taishun_joint_review_request") as batch_op:
        batch_op.create_index(batch_op.f("ix_taishun_joint_review_request_batch_id"), ["batch_id"])
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_request_candidate_id"), ["candidate_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_request_department_id"), ["department_id"]
        )

    op.create_table(
        "taishun_joint_review_verdict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=True),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["taishun_joint_review_request.id"],
            name=op.f("fk_taishun_joint_review_verdict_request_id_taishun_joint_review_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taishun_joint_review_verdict")),
        sa.UniqueConstraint("request_id", "version", name="uq_taishun_joint_review_verdict"),
    )
    with op.batch_alter_table("taishun_joint_review_verdict") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taishun_joint_review_verdict_request_id"), ["request_id"]
        )


def downgrade() -> None:
    op.drop_table("taishun_joint_review_verdict")
    op.drop_table("taishun_joint_review_request")
    op.drop_table("taishun_joint_review_candidate")
    op.drop_table("taishun_joint_review_batch_department")
    op.drop_table("taishun_joint_review_batch")
    op.drop_table("taishun_joint_review_member")
