"""Security headers on every answer, errors and 304s included.

The API answers JSON, iCalendar and XML that no browser should render, frame or run scripts in: its policy
allows nothing. The one HTML page, the interactive docs, loads swagger-ui from its CDN
(OPENAPI_SWAGGER_UI_URL) and starts it with one inline script, allowed by its hash and nothing else.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from urllib.parse import urlsplit

from flask import Response, current_app, request

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"
# HTTPS only, for a year, once a client has reached us over HTTPS.
HSTS = "max-age=31536000"
INLINE_SCRIPT_RE = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


@functools.lru_cache(maxsize=8)
def docs_policy(page: bytes, swagger_ui_url: str) -> str:
    """The docs page's policy: swagger-ui from its CDN, the page's own inline scripts by hash, the API itself."""
    parts = urlsplit(swagger_ui_url)
    cdn = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in INLINE_SCRIPT_RE.findall(page)
    )
    return (
        f"default-src 'none'; script-src {cdn} {hashes}; "
        # swagger-ui sets style attributes as it renders, which no hash can name.
        f"style-src {cdn} 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
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
            response.get_data(), current_app.config.get("OPENAPI_SWAGGER_UI_URL", "")
        )
    else:
        headers["Content-Security-Policy"] = API_POLICY
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    # Whatever the server in front says about itself, the app adds nothing.
    headers.pop("Server", None)
    return response
