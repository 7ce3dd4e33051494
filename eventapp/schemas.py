"""Fields and schemas every area shares: validated scalars, local times, pagination."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import marshmallow as ma
from marshmallow import fields, validate

from eventapp import lengths
from eventapp.config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def slug_field(length: int, **kwargs: Any) -> fields.String:
    """A URL-safe key: lower-case letters, digits and single hyphens."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=length),
            validate.Regexp(SLUG_RE, error="Use lower-case letters, digits and single hyphens only."),
        ],
        **kwargs,
    )


# Control characters (other than tab and line breaks) and lone surrogates: no database, feed or export can carry
# them faithfully (PostgreSQL refuses NUL; iCalendar and XML forbid most C0 controls).
UNSAFE_TEXT_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _safe_text(value: str) -> None:
    match = UNSAFE_TEXT_RE.search(value)
    if match:
        raise ma.ValidationError(
            f"Contains a control character (U+{ord(match.group()):04X}) that cannot be stored."
        )


def string_field(length: int | None = None, *, required: bool = False, **kwargs: Any) -> fields.String:
    """A string of at most length characters without control characters; required ones must not be blank."""
    validators: list[Any] = [_safe_text]
    if length:
        validators.append(validate.Length(min=1 if required else 0, max=length))
    if required:
        # Regexp matches at the start: any text with one visible character, leading spaces or not.
        validators.append(validate.Regexp(r"\s*\S", error="Must not be blank."))
    return fields.String(required=required, validate=validators, **kwargs)


class WholeNumber(fields.Integer):
    """An integer that refuses a number with a fraction (2.5) rather than cutting it to 2, as fields.Integer does."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def id_field(**kwargs: Any) -> WholeNumber:
    """A reference to a row by its id: a positive integer the database's integer column can hold."""
    return WholeNumber(validate=validate.Range(min=1, max=lengths.MAX_INTEGER), **kwargs)


def search_text(**kwargs: Any) -> fields.String:
    """The text of a search filter (q): what a stored title could hold, so never a control character."""
    return fields.String(validate=[_safe_text, validate.Length(max=lengths.TITLE)], **kwargs)


def language_field(**kwargs: Any) -> fields.String:
    """A BCP 47 language tag such as "ja", "en" or "zh-Hans"."""
    return fields.String(
        validate=[
            validate.Length(max=lengths.LANGUAGE),
            validate.Regexp(LANGUAGE_RE, error="Not a language tag such as 'ja' or 'en'."),
        ],
        **kwargs,
    )


def country_field(**kwargs: Any) -> fields.String:
    """An ISO 3166-1 alpha-2 country code."""
    return fields.String(
        validate=validate.Regexp(COUNTRY_RE, error="Not an ISO 3166 country code such as 'JP'."), **kwargs
    )


def translations_field(length: int | None = None, **kwargs: Any) -> fields.Dict:
    """Texts keyed by language tag: {"ja": "...", "zh": "..."}."""
    return fields.Dict(
        keys=language_field(),
        values=fields.String(validate=[_safe_text, *([validate.Length(max=length)] if length else [])]),
        **kwargs,
    )


def validate_timezone(name: str) -> None:
    """Accept only IANA time zone names that this machine's database knows."""
    if name not in _zone_names():
        raise ma.ValidationError(f"Unknown time zone {name!r}: use an IANA name such as 'Asia/Tokyo'.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - guarded by the set above
        raise ma.ValidationError(f"Unknown time zone {name!r}.") from exc


_ZONES: set[str] | None = None


def _zone_names() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


class LocalDateTime(fields.DateTime):
    """Dumps a UTC datetime in the time zone of the object's conference, with its offset (+09:00)."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.astimezone(obj.conference.zone).isoformat()


class PageArgs(ma.Schema):
    """page and page_size query arguments of every list."""

    page = WholeNumber(
        load_default=1,
        validate=validate.Range(min=1, max=lengths.MAX_INTEGER),
        metadata={"description": "1-based page"},
    )
    page_size = WholeNumber(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Items a page, at most {MAX_PAGE_SIZE}"},
    )


_PAGE_SCHEMAS: dict[type[ma.Schema], type[ma.Schema]] = {}


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The list envelope {items, total, page, page_size} around item_schema."""
    if item_schema not in _PAGE_SCHEMAS:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _PAGE_SCHEMAS[item_schema] = ma.Schema.from_dict(
            {
                "items": fields.List(fields.Nested(item_schema)),
                "total": fields.Integer(metadata={"description": "Items over all pages"}),
                "page": fields.Integer(),
                "page_size": fields.Integer(),
            },
            name=name,
        )
    return _PAGE_SCHEMAS[item_schema]
