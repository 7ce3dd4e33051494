"""personal agendas

Revision ID: 4951b136d226
Revises: 2c317d02bcf0
Create Date: 2026-11-25 11:16:03.191170
"""

import sqlalchemy as sa
from alembic import op

revision = "4951b136d226"
down_revision = "2c317d02bcf0"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "agendas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_agendas_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agendas")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agendas_token_hash")),
    )
    with op.batch_alter_table("agendas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agendas_conference_id"), ["conference_id"], unique=False)

    op.create_table(
        "agenda_sessions",
        sa.Column("agenda_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_id"],
            ["agendas.id"],
            name=op.f("fk_agenda_sessions_agenda_id_agendas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["program_sessions.id"],
            name=op.f("fk_agenda_sessions_session_id_program_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agenda_id", "session_id", name=op.f("pk_agenda_sessions")),
    )
    with op.batch_alter_table("agenda_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_sessions_session_id"), ["session_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("agenda_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_sessions_session_id"))

    op.drop_table("agenda_sessions")
    with op.batch_alter_table("agendas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agendas_conference_id"))

    op.drop_table("agendas")
