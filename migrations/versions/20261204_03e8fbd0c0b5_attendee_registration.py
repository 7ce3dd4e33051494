"""attendee registration

Revision ID: 03e8fbd0c0b5
Revises: 7d70d3ad565a
Create Date: 2026-12-04 20:51:17.078676
"""

import sqlalchemy as sa
from alembic import op

revision = "03e8fbd0c0b5"
down_revision = "7d70d3ad565a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_idempotency_keys_scope_key")),
    )
    op.create_table(
        "registration_settings",
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("waitlist_mode", sa.String(length=16), nullable=False),
        sa.Column("offer_hours", sa.Integer(), nullable=False),
        sa.Column("allow_overlaps", sa.Boolean(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "waitlist_mode IN ('offer', 'auto')", name=op.f("ck_registration_settings_waitlist_mode_valid")
        ),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 0", name=op.f("ck_registration_settings_capacity_not_negative")
        ),
        sa.CheckConstraint("offer_hours > 0", name=op.f("ck_registration_settings_offer_hours_positive")),
        sa.CheckConstraint(
            "taken >= 0 AND (capacity IS NULL OR taken <= capacity)",
            name=op.f("ck_registration_settings_taken_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_registration_settings_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conference_id", name=op.f("pk_registration_settings")),
    )
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("given_name", sa.String(length=200), nullable=True),
        sa.Column("family_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("email_key", sa.String(length=200), nullable=True),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("share_with_sponsor", sa.Boolean(), nullable=False),
        sa.Column("holds_place", sa.Boolean(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'rejected', 'cancelled')",
            name=op.f("ck_registrations_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_registrations_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint("conference_id", "email_key", "active", name="uq_registrations_active_email"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_registrations_token_hash")),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registrations_conference_id"), ["conference_id"], unique=False)

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_checkins_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_checkins_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["program_sessions.id"],
            name=op.f("fk_checkins_session_id_program_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("conference_id", "nonce", name=op.f("uq_checkins_conference_id_nonce")),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkins_conference_id"), ["conference_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_registration_id"), ["registration_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_session_id"), ["session_id"], unique=False)

    op.create_table(
        "seat_counters",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 0", name=op.f("ck_seat_counters_capacity_not_negative")
        ),
        sa.CheckConstraint(
            "taken >= 0 AND (capacity IS NULL OR taken <= capacity)",
            name=op.f("ck_seat_counters_taken_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["program_sessions.id"],
            name=op.f("fk_seat_counters_session_id_program_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_seat_counters")),
    )
    op.create_table(
        "seats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("ticket", sa.Integer(), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'cancelled') = (active IS NULL)", name=op.f("ck_seats_active_unless_cancelled")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'offered', 'waitlisted', 'cancelled')",
            name=op.f("ck_seats_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_seats_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["program_sessions.id"],
            name=op.f("fk_seats_session_id_program_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seats")),
        sa.UniqueConstraint("registration_id", "session_id", "active", name="uq_seats_active_seat"),
    )
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seats_registration_id"), ["registration_id"], unique=False)
        batch_op.create_index("ix_seats_session_status", ["session_id", "status", "ticket"], unique=False)

    with op.batch_alter_table("program_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("registration_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("capacity_not_negative", "capacity IS NULL OR capacity >= 0")

    # Check-in tokens: a third role, scoped to one conference like an organizer's.
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_role_valid"), type_="check")
        batch_op.drop_constraint(op.f("ck_api_tokens_organizer_has_conference"), type_="check")
        batch_op.create_check_constraint("role_valid", "role IN ('admin', 'organizer', 'checkin')")
        batch_op.create_check_constraint(
            "organizer_has_conference", "(role IN ('organizer', 'checkin')) = (conference_id IS NOT NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM api_tokens WHERE role = 'checkin'")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_role_valid"), type_="check")
        batch_op.drop_constraint(op.f("ck_api_tokens_organizer_has_conference"), type_="check")
        batch_op.create_check_constraint("role_valid", "role IN ('admin', 'organizer')")
        batch_op.create_check_constraint(
            "organizer_has_conference", "(role = 'organizer') = (conference_id IS NOT NULL)"
        )
    with op.batch_alter_table("program_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_program_sessions_capacity_not_negative"), type_="check")
        batch_op.drop_column("capacity")
        batch_op.drop_column("registration_required")

    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.drop_index("ix_seats_session_status")
        batch_op.drop_index(batch_op.f("ix_seats_registration_id"))

    op.drop_table("seats")
    op.drop_table("seat_counters")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkins_session_id"))
        batch_op.drop_index(batch_op.f("ix_checkins_registration_id"))
        batch_op.drop_index(batch_op.f("ix_checkins_conference_id"))

    op.drop_table("checkins")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_conference_id"))

    op.drop_table("registrations")
    op.drop_table("registration_settings")
    op.drop_table("idempotency_keys")
