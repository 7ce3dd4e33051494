"""schedule changes

Revision ID: 7d70d3ad565a
Revises: ab2b6460fcb4
Create Date: 2026-12-04 11:55:45.826355
"""

import sqlalchemy as sa
from alembic import op

revision = "7d70d3ad565a"
down_revision = "ab2b6460fcb4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("session_code", sa.String(length=64), nullable=True),
        sa.Column("session_title", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('created', 'moved', 'room_changed', 'retitled', 'people_changed', 'language_changed', 'cancelled', 'restored', 'deleted')",
            name=op.f("ck_schedule_changes_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_schedule_changes_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_changes")),
    )
    with op.batch_alter_table("schedule_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedule_changes_conference_version", ["conference_id", "schedule_version"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("schedule_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_changes_conference_version")

    op.drop_table("schedule_changes")
