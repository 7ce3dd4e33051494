"""The values of a frab schedule: texts, identifiers, clock times, durations, kinds and names."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date, datetime, timedelta

from eventapp import lengths as limits
from eventapp.enums import SessionKind
from eventapp.schemas import LANGUAGE_RE, SLUG_RE, UNSAFE_TEXT_RE

# Words in a frab type, tried in this order: "Keynote talk" is a keynote, "Workshop talk" a workshop.
KIND_WORDS: tuple[tuple[tuple[str, ...], SessionKind], ...] = (
    (("keynote",), SessionKind.KEYNOTE),
    (("workshop",), SessionKind.WORKSHOP),
    (("panel", "podium", "roundtable"), SessionKind.ROUNDTABLE),
    (("talk", "lecture", "lightning", "vortrag"), SessionKind.SESSION),
)
OWN_KINDS = {kind.value for kind in SessionKind} - {SessionKind.SATELLITE_SYMPOSIUM.value}
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
MINUTES_RE = re.compile(r"^\d+$")
HOURS_MINUTES_RE = re.compile(r"^(\d+):(\d{2})$")
# pretalx writes days unpadded ("1:02:30"); pentabarf pads the hours of its HH:MM:SS ("01:30:00").
DAYS_HOURS_MINUTES_RE = re.compile(r"^([1-9]):(\d{2}):(\d{2})$")
HOURS_MINUTES_SECONDS_RE = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})$")
ISO_DURATION_RE = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def blank(value: str | None) -> bool:
    """True for no text, or only white space."""
    return value is None or not value.strip()


def clean(text: str, length: int | None = None) -> str:
    """Text that the database, the feeds and a seed export (YAML) all carry unchanged, cut to length."""
    text = UNSAFE_TEXT_RE.sub("", text.replace("\x85", "\n"))
    return text[:length] if length else text


def hashed_id(key: str, digits: int = 20) -> str:
    """A stable identifier "frab-<hex digits>" for key, when the file gives none that fits."""
    return f"frab-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:digits]}"


def bounded_slug(candidate: str, key: str) -> str:
    """candidate if it is a slug that fits, else a stable hash of key."""
    if len(candidate) <= limits.SLUG and SLUG_RE.match(candidate):
        return candidate
    return hashed_id(key)


def canonical_guid(guid: str) -> str | None:
    """The guid as a UUID in canonical lower case; None when it is no UUID."""
    try:
        return str(uuid.UUID(guid.strip()))
    except ValueError:
        return None


def clock_time(text: str | None) -> timedelta | None:
    """'09:30' or '09:30:00' as the time since midnight; hours past 23 count into the next day."""
    match = CLOCK_RE.match((text or "").strip())
    if not match or int(match[2]) > 59 or int(match[3] or 0) > 59:
        return None
    return timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3] or 0))


def parse_duration(text: str | None) -> timedelta | None:
    """'HH:MM' (hours may pass 24), pretalx's 'D:HH:MM', pentabarf's 'HH:MM:SS', ISO 'PT1H30M', or minutes."""
    text = (text or "").strip()
    if MINUTES_RE.match(text):
        return timedelta(minutes=int(text))
    if match := HOURS_MINUTES_RE.match(text):
        hours, minutes = int(match[1]), int(match[2])
        return timedelta(hours=hours, minutes=minutes) if minutes < 60 else None
    if (match := DAYS_HOURS_MINUTES_RE.match(text)) and int(match[2]) < 24 and int(match[3]) < 60:
        return timedelta(days=int(match[1]), hours=int(match[2]), minutes=int(match[3]))
    if match := HOURS_MINUTES_SECONDS_RE.match(text):
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3])
        if max(minutes, seconds) < 60:
            return timedelta(hours=hours, minutes=minutes, seconds=seconds)
        return None
    if text and (match := ISO_DURATION_RE.match(text)):
        days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    return None


def date_or_datetime(text: str | None) -> date | datetime | None:
    """An ISO date, or date and time; None when blank or neither."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if ISO_DATE_RE.match(text) else datetime.fromisoformat(text)
    except ValueError:
        return None


def frab_kind(frab_type: str | None) -> str | None:
    """Our session kind for a frab type; None (our default) when the file gives none."""
    if blank(frab_type):
        return None
    words = "_".join(re.split(r"[\s_-]+", frab_type.strip().lower()))
    if words in OWN_KINDS:
        return words
    if words == SessionKind.SATELLITE_SYMPOSIUM.value:
        return SessionKind.SYMPOSIUM.value
    for keys, kind in KIND_WORDS:
        if any(key in words for key in keys):
            return kind.value
    return SessionKind.OTHER.value


def split_name(name: str) -> tuple[str, str]:
    """(given, family): the last word is the family name; a single word is both, as both must be given."""
    words = name.split()
    given = " ".join(words[:-1]) or words[-1]
    return given[: limits.NAME], words[-1][: limits.NAME]


def language(text: str | None) -> str | None:
    """The text as a language tag our schemas accept (as written, else lower-cased); None otherwise."""
    text = (text or "").strip()
    for candidate in (text, text.lower()):
        if candidate and len(candidate) <= limits.LANGUAGE and LANGUAGE_RE.match(candidate):
            return candidate
    return None


def paragraphs(*parts: str | None) -> str | None:
    """The non-blank parts as paragraphs, each left out when the text so far holds it as whole paragraphs.

    The abstract of our own export, read back, already ends with the description: it is not added twice.
    """
    text = ""
    for part in parts:
        part = clean(part or "").strip()
        if part and f"\n\n{part}\n\n" not in f"\n\n{text}\n\n":
            text = f"{text}\n\n{part}" if text else part
    return text[: limits.LONG_TEXT] or None
