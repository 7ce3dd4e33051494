"""The pages' language: ?lang=, then Accept-Language; catalogues by Flask-Babel (Babel's gettext)."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel, get_locale, lazy_gettext

LANGUAGES = ("en", "ja")
DEFAULT = "en"


def select_locale() -> str:
    """The UI language: ?lang= when it is one the pages speak, else the browser's best match, else English."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def current_language() -> str:
    """The language of this request's page ("en" or "ja")."""
    return str(get_locale() or DEFAULT)


def init_app(app: Flask) -> None:
    """Flask-Babel with the pages' catalogues (eventapp/pages/translations)."""
    Babel(app, locale_selector=select_locale, default_translation_directories="pages/translations")


# The closed vocabularies as pages show them (the msgids are what the API says, made readable).
KINDS = {
    "plenary": lazy_gettext("Plenary"),
    "keynote": lazy_gettext("Keynote"),
    "session": lazy_gettext("Session"),
    "roundtable": lazy_gettext("Roundtable"),
    "town_hall": lazy_gettext("Town hall"),
    "forum": lazy_gettext("Forum"),
    "workshop": lazy_gettext("Workshop"),
    "symposium": lazy_gettext("Symposium"),
    "satellite_symposium": lazy_gettext("Satellite symposium"),
    "poster": lazy_gettext("Poster"),
    "exhibition": lazy_gettext("Exhibition"),
    "networking": lazy_gettext("Networking"),
    "break": lazy_gettext("Break"),
    "other": lazy_gettext("Other"),
}
ROLES = {
    "organizer": lazy_gettext("Organizer"),
    "moderator": lazy_gettext("Moderator"),
    "co_host": lazy_gettext("Co-host"),
    "speaker": lazy_gettext("Speaker"),
    "panelist": lazy_gettext("Panelist"),
    "discussant": lazy_gettext("Discussant"),
}
CHANGES = {
    "created": lazy_gettext("Added"),
    "moved": lazy_gettext("Moved"),
    "room_changed": lazy_gettext("Room changed"),
    "retitled": lazy_gettext("Retitled"),
    "people_changed": lazy_gettext("People changed"),
    "language_changed": lazy_gettext("Language changed"),
    "cancelled": lazy_gettext("Cancelled"),
    "restored": lazy_gettext("Restored"),
    "deleted": lazy_gettext("Removed"),
}
STATUSES = {
    "confirmed": lazy_gettext("Confirmed"),
    "cancelled": lazy_gettext("Cancelled"),
    "moved": lazy_gettext("Moved"),
}
DELIVERIES = {
    "in_person": lazy_gettext("In person"),
    "online": lazy_gettext("Online"),
    "hybrid": lazy_gettext("Hybrid"),
}
