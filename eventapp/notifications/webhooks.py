"""Webhook deliveries as the Standard Webhooks spec has them, signed by its library, sent only where allowed."""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
import socket
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from standardwebhooks import Webhook


def new_secret() -> str:
    """A signing secret in the spec's form: whsec_ and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class AddressRefused(ValueError):
    """The URL may not be called: not http(s), or an address inside this network."""


class Unresolvable(AddressRefused):
    """The URL's host has no address now (it may later: the check is made again before every delivery)."""


def _checked_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Unresolvable(f"Its host {host!r} does not resolve.") from exc
    addresses = sorted({info[4][0] for info in infos})
    if not allow_private:
        for address in addresses:
            # Loopback, private, link-local (cloud metadata at 169.254.169.254), multicast, reserved: not global.
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise AddressRefused(f"Its host {host!r} is at {address}, an address inside this network.")
    return addresses


def check_url(url: str, *, allow_private: bool) -> list[str]:
    """The addresses url's host resolves to, all of them allowed; AddressRefused names the reason otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("Only http and https URLs are called.")
    return _checked_addresses(
        parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), allow_private
    )


def body(event_type: str, timestamp: datetime, data: dict[str, Any]) -> bytes:
    """The spec's payload: type, timestamp and a small data object (ids and a link to the current state)."""
    document = {"type": event_type, "timestamp": timestamp.isoformat(), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def post(
    url: str,
    secret: str,
    message_id: str,
    timestamp: datetime,
    payload: bytes,
    *,
    allow_private: bool,
    timeout: float,
) -> int:
    """POST payload to url, signed; the status code. Raises AddressRefused or httpx.HTTPError.

    The request goes to the address that was checked, not to a second lookup of the name (which a hostile DNS
    server could answer with an inside address), with the name kept for Host and TLS.
    """
    parts = urlsplit(url)
    address = check_url(url, allow_private=allow_private)[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    headers = {
        "content-type": "application/json",
        "user-agent": "eventapp-webhooks",
        "host": parts.netloc.rsplit("@", 1)[-1],
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, timestamp, payload.decode()),
    }
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    import httpx  # imported by the first delivery: every command and web worker that sends none skips its 0.1 s

    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        response = client.post(target, content=payload, headers=headers, extensions=extensions)
    return response.status_code
