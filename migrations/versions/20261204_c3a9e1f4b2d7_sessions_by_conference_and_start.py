"""sessions by conference and start: a page of a conference's sessions in order without sorting them all

Revision ID: c3a9e1f4b2d7
Revises: 03e8fbd0c0b5
Create Date: 2026-12-04 21:45:00.000000
"""

from alembic import op

revision = "c3a9e1f4b2d7"
down_revision = "03e8fbd0c0b5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_program_sessions_conference_starts", "program_sessions", ["conference_id", "starts_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_program_sessions_conference_starts", table_name="program_sessions")
