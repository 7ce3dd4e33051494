"""Sending email: SMTP from MAIL_URL, or .eml files in MAIL_DIR when there is no mail server."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask

from eventapp.errors import DomainError

SMTP_TIMEOUT = 20


class MailSettingError(DomainError):
    """MAIL_URL names something this service cannot send through."""


def send(app: Flask, message: EmailMessage, name: str) -> None:
    """Send message through MAIL_URL's server, or write it as MAIL_DIR/<name>.eml."""
    url = app.config["MAIL_URL"]
    if not url:
        folder = Path(app.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f".{name}.eml.part"
        part.write_bytes(bytes(message))
        part.replace(folder / f"{name}.eml")  # whole files only: a reader never sees half a message
        return
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailSettingError(f"MAIL_URL must be smtp://host[:port] or smtps://host[:port], not {url!r}.")
    context = ssl.create_default_context()
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT, context=context
        )
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 587, timeout=SMTP_TIMEOUT)
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
