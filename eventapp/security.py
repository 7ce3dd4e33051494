"""Security headers on every answer, errors and 304s included.

The API answers JSON, iCalendar and XML that no browser should render, frame or run scripts in: its policy
allows nothing. The attendee's pages (eventapp/pages) run their own files only. The interactive docs load swagger-ui from OPENAPI_SWAGGER_UI_URL (by
default this service's own /api/v1/docs/, served from the swagger-ui-bundle package) and starts it with one
inline script, allowed by its hash and nothing else.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from urllib.parse import urlsplit

from flask import Response, current_app, request

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The attendee's pages (eventapp/pages): their own stylesheets and script, and the API on the same origin
# (favourites become an agenda); no inline script or style, no other origin.
PAGES_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"
# HTTPS only, for a year, once a client has reached us over HTTPS.
HSTS = "max-age=31536000"
INLINE_SCRIPT_RE = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
# What a Host header may hold to be written into a policy: a name or an address, and a port.
NETLOC_RE = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def assets_source(swagger_ui_url: str, host_url: str) -> str:
    """Where the docs page may load swagger-ui from: a CDN's origin, or, for files this service serves (a
    path), that folder of this service and nothing else of it."""
    parts = urlsplit(swagger_ui_url)
    if parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    origin = urlsplit(host_url)
    if origin.scheme not in ("http", "https") or not NETLOC_RE.fullmatch(origin.netloc):
        return "'self'"  # a Host header that could not be written into a policy as it is
    # http: also matches https (CSP 3), so a TLS-terminating proxy that is not trusted changes nothing.
    return f"{origin.scheme}://{origin.netloc}{parts.path or '/'}"


@functools.lru_cache(maxsize=32)
def docs_policy(page: bytes, swagger_ui_url: str, host_url: str = "") -> str:
    """The docs page's policy: swagger-ui from where it is served, the page's own inline scripts by hash, the
    API itself."""
    assets = assets_source(swagger_ui_url, host_url)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in INLINE_SCRIPT_RE.findall(page)
    )
    return (
        f"default-src 'none'; script-src {assets} {hashes}; "
        # swagger-ui sets style attributes as it renders, which no hash can name.
        f"style-src {assets} 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def add_headers(response: Response) -> Response:
    """after_request: the headers every answer carries."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    if request.endpoint == DOCS_ENDPOINT and response.status_code == 200:
        headers["Content-Security-Policy"] = docs_policy(
            response.get_data(), current_app.config.get("OPENAPI_SWAGGER_UI_URL", ""), request.host_url
        )
    elif request.blueprint == "pages":
        headers["Content-Security-Policy"] = PAGES_POLICY
    else:
        headers["Content-Security-Policy"] = API_POLICY
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    # Whatever the server in front says about itself, the app adds nothing.
    headers.pop("Server", None)
    return response
