"""Email messages: text and HTML in the recipient's language, with an iMIP invitation where one belongs.

Each kind of message has a renderer; other areas add theirs to RENDERERS (the registration area's
confirmations and offers). Renderers read the current state when the message is sent, so a message that waited
for a retry tells what is true then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import Flask
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.conferences.models import Conference
from eventapp.notifications.invites import Method, base_url, invite
from eventapp.notifications.models import OutboxDelivery, OutboxEvent
from eventapp.people.models import Person
from eventapp.program.models import ProgramSession

TEMPLATES = Environment(
    loader=PackageLoader("eventapp.notifications"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)

# The words of messages, in the two languages the meeting runs in. Kept here rather than in gettext catalogues:
# emails are rendered by workers outside any request, for the recipient's language, not the browser's.
WORDS = {
    "en": {
        "greeting": "Dear {name},",
        "signature": "{conference}",
        "moved": "{title} now runs {when}, in {room}.",
        "cancelled": "{title} ({when}) is cancelled.",
        "changed_intro": "A session you take part in has changed:",
        "changed_intro_many": "Sessions you take part in have changed:",
        "subject_changed": "Changed: {title}",
        "subject_changed_many": "{count} of your sessions changed",
        "subject_cancelled": "Cancelled: {title}",
        "invite_note": "The attached invitation updates the event in your calendar.",
        "link": "The session",
        "no_room": "a room still to be announced",
    },
    "ja": {
        "greeting": "{name} 様",
        "signature": "{conference}",
        "moved": "{title} は {when}、{room} に変更されました。",
        "cancelled": "{title}（{when}）は中止になりました。",
        "changed_intro": "ご担当のセッションが変更されました。",
        "changed_intro_many": "ご担当のセッションが変更されました。",
        "subject_changed": "変更: {title}",
        "subject_changed_many": "ご担当のセッション {count} 件が変更されました",
        "subject_cancelled": "中止: {title}",
        "invite_note": "添付の招待状でカレンダーの予定が更新されます。",
        "link": "セッション",
        "no_room": "会場未定",
    },
}


def words(lang: str | None) -> dict[str, str]:
    """The words in lang, English for any language we have none in."""
    return WORDS.get(lang or "en", WORDS["en"])


@dataclass
class Mail:
    """What a renderer makes of a delivery: the words, and an invitation if the message carries one."""

    lang: str
    subject: str
    greeting: str
    paragraphs: list[str]
    link: str | None = None
    link_label: str = ""
    invite: bytes | None = None
    invite_method: Method | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


Renderer = Callable[[Flask, Session, OutboxDelivery], Mail | None]
RENDERERS: dict[str, Renderer] = {}


def renders(kind: str):
    """Register a renderer for a kind of email delivery."""

    def decorator(function: Renderer) -> Renderer:
        RENDERERS[kind] = function
        return function

    return decorator


def when(program_session: ProgramSession, lang: str) -> str:
    """The session's day and times in its conference's zone, labelled with the zone."""
    zone = program_session.conference.zone
    start, end = program_session.starts_at.astimezone(zone), program_session.ends_at.astimezone(zone)
    day = f"{start:%Y-%m-%d}" if lang == "ja" else f"{start:%a %d %b %Y}"
    return f"{day} {start:%H:%M}-{end:%H:%M} ({program_session.conference.timezone})"


def session_title(program_session: ProgramSession, lang: str) -> str:
    """The title in lang where the data has it."""
    return program_session.title_translations.get(lang) or program_session.title


def session_link(app: Flask, program_session: ProgramSession) -> str:
    """Where the recipient reads the session: SESSION_PAGE_URL, else its page here (eventapp/pages)."""
    page = app.config.get("SESSION_PAGE_URL", "")
    slug = program_session.conference.slug
    if page:
        return page.format(conference=slug, id=program_session.id)
    return f"{base_url(app)}/conferences/{slug}/sessions/{program_session.id}"


def describe_change(program_session: ProgramSession, lang: str) -> str:
    """One line on what a session is now: moved there, or cancelled."""
    said = words(lang)
    title, at = session_title(program_session, lang), when(program_session, lang)
    if program_session.status != "confirmed":
        return said["cancelled"].format(title=title, when=at)
    room = program_session.room.name if program_session.room is not None else said["no_room"]
    return said["moved"].format(title=title, when=at, room=room)


def _events(db: Session, delivery: OutboxDelivery) -> list[OutboxEvent]:
    uids = delivery.data.get("events", [])
    found = {e.uid: e for e in db.scalars(select(OutboxEvent).where(OutboxEvent.uid.in_(uids)))}
    return [found[uid] for uid in uids if uid in found]


@renders("session-changes")
def _session_changes(app: Flask, db: Session, delivery: OutboxDelivery) -> Mail | None:
    """To a speaker or moderator: what changed in their sessions since the batch began, one line a session."""
    person = db.get(Person, delivery.data["person_id"])
    session_ids = list(dict.fromkeys(e.data["session_id"] for e in _events(db, delivery)))
    sessions = [s for s in (db.get(ProgramSession, i) for i in session_ids) if s is not None]
    if person is None or not sessions:
        return None  # the person or every session was deleted since: nothing left to tell
    conference = sessions[0].conference
    lang = "ja" if "ja" in (conference.languages or [])[:1] else "en"
    said = words(lang)
    mail = Mail(
        lang=lang,
        subject="",
        greeting=said["greeting"].format(name=person.display_name),
        paragraphs=[said["changed_intro"] if len(sessions) == 1 else said["changed_intro_many"]]
        + [describe_change(s, lang) for s in sessions],
    )
    if len(sessions) == 1:
        (program_session,) = sessions
        cancelled = program_session.status != "confirmed"
        key = "subject_cancelled" if cancelled else "subject_changed"
        mail.subject = said[key].format(title=session_title(program_session, lang))
        mail.link, mail.link_label = session_link(app, program_session), said["link"]
        mail.invite_method = Method.CANCEL if cancelled else Method.REQUEST
        mail.invite = invite(
            app,
            program_session,
            mail.invite_method,
            attendee=delivery.recipient,
            attendee_name=person.display_name,
        )
        mail.paragraphs.append(said["invite_note"])
    else:
        mail.subject = said["subject_changed_many"].format(count=len(sessions))
    return mail


def compose(app: Flask, conference: Conference, delivery: OutboxDelivery, mail: Mail) -> EmailMessage:
    """The email: text and HTML alternatives, and the invitation as a text/calendar part with its METHOD (what
    Outlook and Gmail read) and as an .ics attachment (what other clients offer to import)."""
    said = words(mail.lang)
    context = {
        "lang": mail.lang,
        "subject": mail.subject,
        "greeting": mail.greeting,
        "paragraphs": mail.paragraphs,
        "link": mail.link,
        "link_label": mail.link_label,
        "signature": said["signature"].format(conference=conference.name),
    }
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = formataddr((conference.name, app.config["MAIL_FROM"]))
    message["To"] = delivery.recipient
    if conference.contact_email:
        message["Reply-To"] = conference.contact_email
    message["Date"] = format_datetime(delivery.created_at)
    # Stable across retries, so that a message sent twice after a crash is one message to mail clients.
    message["Message-ID"] = f"<{delivery.uid}@{app.config['UID_DOMAIN']}>"
    message["Content-Language"] = mail.lang
    message.set_content(TEMPLATES.get_template("mail.txt").render(context))
    message.add_alternative(TEMPLATES.get_template("mail.html").render(context), subtype="html")
    if mail.invite is not None and mail.invite_method is not None:
        message.add_alternative(
            mail.invite.decode(), subtype="calendar", params={"method": str(mail.invite_method)}
        )
        message.add_attachment(
            mail.invite,
            maintype="application",
            subtype="ics",
            filename="invite.ics",
        )
    for name, content in mail.attachments:
        message.add_attachment(content, maintype="text", subtype="calendar", filename=name)
    return message
