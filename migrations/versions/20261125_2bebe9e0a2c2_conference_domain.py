"""conference domain

Revision ID: 2bebe9e0a2c2
Revises:
Create Date: 2026-11-25 10:58:46.921754
"""

import sqlalchemy as sa
from alembic import op

revision = "2bebe9e0a2c2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "conferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_translations", sa.JSON(), nullable=False),
        sa.Column("series", sa.String(length=200), nullable=True),
        sa.Column("edition", sa.Integer(), nullable=True),
        sa.Column("venue_name", sa.String(length=200), nullable=True),
        sa.Column("venue_address", sa.String(length=500), nullable=True),
        sa.Column("venue_city", sa.String(length=200), nullable=True),
        sa.Column("venue_country", sa.String(length=2), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("schedule_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_conferences_status_valid")),
        sa.CheckConstraint("edition IS NULL OR edition > 0", name=op.f("ck_conferences_edition_positive")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_conferences_dates_ordered")),
        sa.CheckConstraint("schedule_version > 0", name=op.f("ck_conferences_schedule_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conferences")),
        sa.UniqueConstraint("slug", name=op.f("uq_conferences_slug")),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("native_name", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('regulator', 'academia', 'industry', 'cro', 'association', 'government', 'media', 'other')",
            name=op.f("ck_organizations_kind_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.create_table(
        "booths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_booths_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_booths_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booths")),
        sa.UniqueConstraint("conference_id", "label", name=op.f("uq_booths_conference_id_label")),
    )
    with op.batch_alter_table("booths", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booths_conference_id"), ["conference_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booths_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("family_name_first", sa.Boolean(), nullable=False),
        sa.Column("native_name", sa.String(length=200), nullable=True),
        sa.Column("honorific", sa.String(length=64), nullable=True),
        sa.Column("position", sa.String(length=500), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("biography", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_people_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("slug", name=op.f("uq_people_slug")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("is_online", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name=op.f("ck_rooms_capacity_not_negative")),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_rooms_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("conference_id", "name", name=op.f("uq_rooms_conference_id_name")),
    )
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rooms_conference_id"), ["conference_id"], unique=False)

    op.create_table(
        "tracks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_tracks_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracks")),
        sa.UniqueConstraint("conference_id", "name", name=op.f("uq_tracks_conference_id_name")),
    )
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracks_conference_id"), ["conference_id"], unique=False)

    op.create_table(
        "program_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("title_translations", sa.JSON(), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=True),
        sa.Column("abstract_translations", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("interpretation", sa.JSON(), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "delivery IN ('in_person', 'online', 'hybrid')", name=op.f("ck_program_sessions_delivery_valid")
        ),
        sa.CheckConstraint(
            "kind <> 'satellite_symposium' OR sponsor_id IS NOT NULL",
            name=op.f("ck_program_sessions_satellite_has_sponsor"),
        ),
        sa.CheckConstraint(
            "kind IN ('plenary', 'keynote', 'session', 'roundtable', 'town_hall', 'forum', 'workshop', 'symposium', 'satellite_symposium', 'poster', 'exhibition', 'networking', 'break', 'other')",
            name=op.f("ck_program_sessions_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'confirmed', 'cancelled')", name=op.f("ck_program_sessions_status_valid")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_program_sessions_ends_after_start")),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_program_sessions_sequence_not_negative")),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_program_sessions_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_program_sessions_room_id_rooms"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["organizations.id"],
            name=op.f("fk_program_sessions_sponsor_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_program_sessions_track_id_tracks"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_sessions")),
        sa.UniqueConstraint("conference_id", "code", name=op.f("uq_program_sessions_conference_id_code")),
    )
    with op.batch_alter_table("program_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_sessions_conference_id"), ["conference_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_program_sessions_room_id"), ["room_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_program_sessions_sponsor_id"), ["sponsor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_program_sessions_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_program_sessions_track_id"), ["track_id"], unique=False)

    op.create_table(
        "participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("presentation_title", sa.String(length=500), nullable=True),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('organizer', 'moderator', 'co_host', 'speaker', 'panelist', 'discussant')",
            name=op.f("ck_participations_role_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_participations_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["program_sessions.id"],
            name=op.f("fk_participations_session_id_program_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participations")),
        sa.UniqueConstraint(
            "session_id", "person_id", "role", name=op.f("uq_participations_session_id_person_id_role")
        ),
    )
    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participations_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participations_session_id"), ["session_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participations_session_id"))
        batch_op.drop_index(batch_op.f("ix_participations_person_id"))

    op.drop_table("participations")
    with op.batch_alter_table("program_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_sessions_track_id"))
        batch_op.drop_index(batch_op.f("ix_program_sessions_starts_at"))
        batch_op.drop_index(batch_op.f("ix_program_sessions_sponsor_id"))
        batch_op.drop_index(batch_op.f("ix_program_sessions_room_id"))
        batch_op.drop_index(batch_op.f("ix_program_sessions_conference_id"))

    op.drop_table("program_sessions")
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracks_conference_id"))

    op.drop_table("tracks")
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rooms_conference_id"))

    op.drop_table("rooms")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_organization_id"))

    op.drop_table("people")
    with op.batch_alter_table("booths", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booths_organization_id"))
        batch_op.drop_index(batch_op.f("ix_booths_conference_id"))

    op.drop_table("booths")
    op.drop_table("organizations")
    op.drop_table("conferences")
