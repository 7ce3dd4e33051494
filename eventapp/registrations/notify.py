"""What registration tells: outbox events (webhooks) and the attendee's emails, in the writing transaction.

Events carry ids and statuses, never a name or an address: webhook receivers are the organizers' systems and
read the person, if they may, through the organizer API. Emails go through the notifications area's outbox
(eventapp/notifications/events.py) and are rendered by the renderers below when they are sent.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from eventapp.enums import DeliveryChannel, EventType, SessionStatus
from eventapp.notifications import events
from eventapp.notifications.invites import Method, base_url, invite
from eventapp.notifications.messages import Mail, renders, session_title, when, words
from eventapp.notifications.models import OutboxDelivery, OutboxEvent
from eventapp.program.models import ProgramSession
from eventapp.registrations.models import Checkin, Registration, RegistrationStatus, Seat, SeatStatus

SEAT_EVENTS = {
    SeatStatus.CONFIRMED: EventType.REGISTRATION_CONFIRMED,
    SeatStatus.WAITLISTED: EventType.REGISTRATION_WAITLISTED,
    SeatStatus.OFFERED: EventType.REGISTRATION_OFFERED,
    SeatStatus.CANCELLED: EventType.REGISTRATION_CANCELLED,
}

WORDS = {
    "en": {
        "registered": "Your registration for {conference} is {status}.",
        "pending": "awaiting the organizers' approval",
        "confirmed": "confirmed",
        "rejected": "declined by the organizers",
        "cancelled": "cancelled",
        "seat_confirmed": "{title} ({when}): your seat is confirmed.",
        "seat_waitlisted": "{title} ({when}): you are on the waitlist.",
        "seat_pending": "{title} ({when}): asked for, awaiting approval.",
        "seat_offered": "{title} ({when}): a seat is yours if you accept it before {expires}.",
        "seat_cancelled": "{title} ({when}): your seat is cancelled.",
        "manage": "Your registration (keep this link to yourself)",
        "subject_registration": "Registration: {conference}",
        "subject_confirmed": "Seat confirmed: {title}",
        "subject_offered": "A seat for you: {title}",
        "subject_cancelled": "Seat cancelled: {title}",
        "seat_session_changed": "{title} ({when}): the session has changed; your seat stands.",
        "seat_session_cancelled": "{title}: the session is cancelled.",
        "subject_session_changed": "Session changed: {title}",
        "subject_session_cancelled": "Session cancelled: {title}",
    },
    "ja": {
        "registered": "{conference} への参加登録は「{status}」です。",
        "pending": "承認待ち",
        "confirmed": "確定",
        "rejected": "不承認",
        "cancelled": "取消",
        "seat_confirmed": "{title}（{when}）: 席が確定しました。",
        "seat_waitlisted": "{title}（{when}）: キャンセル待ちです。",
        "seat_pending": "{title}（{when}）: 承認待ちです。",
        "seat_offered": "{title}（{when}）: {expires} までに承諾すると席を確保できます。",
        "seat_cancelled": "{title}（{when}）: 席は取り消されました。",
        "manage": "登録内容（このリンクは他の人に教えないでください）",
        "subject_registration": "参加登録: {conference}",
        "subject_confirmed": "席の確定: {title}",
        "subject_offered": "席のご案内: {title}",
        "subject_cancelled": "席の取消: {title}",
        "seat_session_changed": "{title}（{when}）: セッションが変更されました。席はそのまま確保されています。",
        "seat_session_cancelled": "{title}: セッションは中止になりました。",
        "subject_session_changed": "セッションの変更: {title}",
        "subject_session_cancelled": "セッションの中止: {title}",
    },
}


def _said(lang: str | None) -> dict[str, str]:
    return {**words(lang), **WORDS.get(lang or "en", WORDS["en"])}


def _lang(registration: Registration) -> str:
    return registration.language if registration.language in WORDS else "en"


def seat_changed(db: Session, seat: Seat, *, was_confirmed: bool = False) -> None:
    """Record the seat's new status; email an invitation (REQUEST) for a confirmed seat, an offer, and a
    CANCEL for a confirmed seat given up (was_confirmed)."""
    registration = seat.registration
    event = events.record(
        db,
        registration.conference_id,
        SEAT_EVENTS.get(seat.status, EventType.REGISTRATION_WAITLISTED),
        # The reason tells an expired or declined offer from a withdrawal or an organizer's cancellation.
        {
            "registration_id": registration.id,
            "session_id": seat.session_id,
            "status": seat.status,
            "reason": seat.reason,
        },
    )
    if not registration.email or (seat.status == SeatStatus.CANCELLED and not was_confirmed):
        return
    kind = {
        SeatStatus.CONFIRMED: "seat-confirmed",
        SeatStatus.OFFERED: "seat-offered",
        SeatStatus.CANCELLED: "seat-cancelled",
    }.get(seat.status)
    if kind is not None:
        events.email(
            db, event, registration.email, kind, {"registration_id": registration.id, "seat_id": seat.id}
        )


def registration_changed(db: Session, registration: Registration, *, token: str | None = None) -> None:
    """Record the registration's status; on creation, the confirmation email with the self-service link (the
    token's only copy outside the answer, held by the delivery until it is sent or erased)."""
    # A pending registration is news for nobody but its holder: no event (pending is not waitlisted).
    event_type = (
        EventType.REGISTRATION_CANCELLED
        if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)
        else EventType.REGISTRATION_CONFIRMED
        if registration.status == RegistrationStatus.CONFIRMED
        else None
    )
    data = {"registration_id": registration.id, "session_id": None, "status": registration.status}
    if event_type is not None:
        event = events.record(db, registration.conference_id, event_type, data)
    else:
        event = OutboxEvent(
            uid=events.new_uid("msg"),
            conference_id=registration.conference_id,
            type="registration.pending",
            data=data,
        )
        db.add(event)
    if registration.email and token is not None:
        events.email(
            db,
            event,
            registration.email,
            "registration-confirmation",
            {"registration_id": registration.id, "link": f"/api/v1/registrations/{token}"},
        )


def checked_in(db: Session, checkin: Checkin) -> None:
    """Record a check-in."""
    events.record(
        db,
        checkin.conference_id,
        EventType.CHECKIN_CREATED,
        {
            "registration_id": checkin.registration_id,
            "session_id": checkin.session_id,
            "checkin_id": checkin.id,
        },
    )


def forget(db: Session, registration: Registration) -> None:
    """Drop the emails of an erased registration, sent or not: their rows hold its address (and its link)."""
    db.execute(
        delete(OutboxDelivery).where(
            OutboxDelivery.channel == DeliveryChannel.EMAIL,
            OutboxDelivery.recipient.is_not(None),
            OutboxDelivery.kind.in_(
                ["registration-confirmation", "seat-confirmed", "seat-offered", "seat-cancelled"]
            ),
            OutboxDelivery.data["registration_id"].as_integer() == registration.id,
        )
    )


def _name(registration: Registration) -> str:
    return " ".join(part for part in (registration.given_name, registration.family_name) if part)


def _seat_line(seat: Seat, lang: str) -> str:
    said = _said(lang)
    program_session = seat.program_session
    expires = (
        seat.offer_expires_at.astimezone(program_session.conference.zone).strftime("%Y-%m-%d %H:%M")
        if seat.offer_expires_at
        else ""
    )
    return said[f"seat_{seat.status}"].format(
        title=session_title(program_session, lang), when=when(program_session, lang), expires=expires
    )


@renders("registration-confirmation")
def _confirmation(app: Flask, db: Session, delivery: OutboxDelivery) -> Mail | None:
    """To the attendee: the registration's status, each seat's, and the link to manage it."""
    registration = db.get(Registration, delivery.data["registration_id"])
    if registration is None or registration.erased_at is not None:
        return None
    lang = _lang(registration)
    said = _said(lang)
    conference = registration.conference
    return Mail(
        lang=lang,
        subject=said["subject_registration"].format(conference=conference.name),
        greeting=said["greeting"].format(name=_name(registration)),
        paragraphs=[
            said["registered"].format(conference=conference.name, status=said[registration.status]),
            *(_seat_line(seat, lang) for seat in registration.seats),
        ],
        link=base_url(app) + delivery.data["link"],
        link_label=said["manage"],
    )


def _seat_mail(
    app: Flask,
    db: Session,
    delivery: OutboxDelivery,
    subject: str,
    method: Method | None,
    line: str | None = None,
) -> Mail | None:
    seat = db.get(Seat, delivery.data["seat_id"])
    if seat is None or seat.registration.erased_at is not None:
        return None
    registration = seat.registration
    lang = _lang(registration)
    said = _said(lang)
    program_session = seat.program_session
    title = session_title(program_session, lang)
    mail = Mail(
        lang=lang,
        subject=said[subject].format(title=title),
        greeting=said["greeting"].format(name=_name(registration)),
        paragraphs=[
            said[line].format(title=title, when=when(program_session, lang))
            if line
            else _seat_line(seat, lang)
        ],
    )
    if method is not None:
        mail.invite_method = method
        mail.invite = invite(
            app,
            program_session,
            method,
            attendee=delivery.recipient,
            attendee_name=_name(registration),
            sequence=seat_sequence(seat),
            lang=lang,
        )
        mail.paragraphs.append(said["invite_note"])
    return mail


def seat_sequence(seat: Seat) -> int:
    """The SEQUENCE of the person's event for the seat: the session's own, raised by every change of the seat,
    so that a seat given up cancels above anything sent before."""
    return seat.program_session.sequence + seat.revision


@renders("seat-confirmed")
def _seat_confirmed(app: Flask, db: Session, delivery: OutboxDelivery) -> Mail | None:
    """A confirmed seat, with its iMIP REQUEST invitation."""
    return _seat_mail(app, db, delivery, "subject_confirmed", Method.REQUEST)


@renders("seat-offered")
def _seat_offered(app: Flask, db: Session, delivery: OutboxDelivery) -> Mail | None:
    """An offer, and until when it stands."""
    return _seat_mail(app, db, delivery, "subject_offered", None)


@renders("seat-cancelled")
def _seat_cancelled(app: Flask, db: Session, delivery: OutboxDelivery) -> Mail | None:
    """A seat given up or cancelled, with its iMIP CANCEL."""
    return _seat_mail(app, db, delivery, "subject_cancelled", Method.CANCEL)


_SEATED = "eventapp.seated_conferences"


def _has_confirmed_seats(db: Session, conference_id: int) -> bool:
    """Whether any session of the conference has a confirmed seat, asked once a transaction and conference: a
    seed file that moves a thousand sessions of a meeting that takes no registrations asks once, not once a
    session. (A seat confirmed later in the same transaction gets its invitation as the session is then.)"""
    transaction = db.get_transaction()
    known = db.info.get(_SEATED)
    if known is None or known[0] is not transaction:
        known = db.info[_SEATED] = (transaction, {})
    answers = known[1]
    if conference_id not in answers:
        with db.no_autoflush:
            answers[conference_id] = (
                db.scalar(
                    select(Seat.id)
                    .join(ProgramSession, ProgramSession.id == Seat.session_id)
                    .where(ProgramSession.conference_id == conference_id, Seat.status == SeatStatus.CONFIRMED)
                    .limit(1)
                )
                is not None
            )
    return answers[conference_id]


def _tell_seat_holders(db: Session, outbox_event: OutboxEvent, program_session) -> None:
    """A session moved, re-roomed, retitled or cancelled: each confirmed seat's holder gets the updated
    invitation (eventapp/notifications/events.py calls this in the flush that records the change). Several
    changes within SPEAKER_BATCH_SECONDS make one message per seat, which says the session as it is then."""
    if not _has_confirmed_seats(db, program_session.conference_id):
        return
    seats = db.scalars(
        select(Seat).where(Seat.session_id == program_session.id, Seat.status == SeatStatus.CONFIRMED)
    ).all()
    delay = timedelta(seconds=current_app.config["SPEAKER_BATCH_SECONDS"])
    for seat in seats:
        if seat.registration.email:
            events.email(
                db,
                outbox_event,
                seat.registration.email,
                "seat-session-changed",
                {"registration_id": seat.registration_id, "seat_id": seat.id},
                batch_key=f"seat:{seat.id}",
                delay=delay,
            )


events.session_event_listeners.append(_tell_seat_holders)


@renders("seat-session-changed")
def _seat_session_changed(app: Flask, db: Session, delivery: OutboxDelivery) -> Mail | None:
    """The session of a confirmed seat changed: a REQUEST with the session's new SEQUENCE, or a CANCEL when
    it is cancelled by the time the message is sent."""
    seat = db.get(Seat, delivery.data["seat_id"])
    if seat is None:
        return None
    if seat.program_session.status in (SessionStatus.CANCELLED, SessionStatus.DRAFT):
        return _seat_mail(
            app, db, delivery, "subject_session_cancelled", Method.CANCEL, "seat_session_cancelled"
        )
    if seat.status != SeatStatus.CONFIRMED:
        return None  # given up since: its own CANCEL has gone out
    return _seat_mail(app, db, delivery, "subject_session_changed", Method.REQUEST, "seat_session_changed")
