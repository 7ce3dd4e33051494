"""The bare reference: a WSGI app with no framework and no database that answers the very bytes and headers
eventapp answered, and a bare 304 to any If-None-Match. Run under the same gunicorn as the app.

    REFERENCE_RESPONSES=/path/to/responses.pickle gunicorn -w 2 bench.reference:app
"""

from __future__ import annotations

import os
import pickle

with open(os.environ["REFERENCE_RESPONSES"], "rb") as handle:
    # {path with query: (status line, [(header, value), ...], body bytes)}
    RESPONSES: dict[str, tuple[str, list[tuple[str, str]], bytes]] = pickle.load(handle)

NOT_MODIFIED = "304 Not Modified"


def app(environ, start_response):
    """Answer a captured response, or 304 when the client names any version."""
    path = environ.get("PATH_INFO", "")
    if environ.get("QUERY_STRING"):
        path += "?" + environ["QUERY_STRING"]
    status, headers, body = RESPONSES[path]
    if environ.get("HTTP_IF_NONE_MATCH"):
        start_response(NOT_MODIFIED, [h for h in headers if h[0] in ("ETag", "Cache-Control")])
        return [b""]
    start_response(status, headers)
    return [body]
