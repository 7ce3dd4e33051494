"""The one error shape of the API, the domain errors that map onto it, and the handlers that produce it.

Every error the API answers, whatever raised it, has this body::

    {"status": 422, "code": "validation_failed", "message": "The request is not valid.",
     "errors": [{"location": "json", "field": "ends_at", "message": "Must be after starts_at."}]}

``errors`` lists one entry per problem (empty when there is nothing field-specific to say); ``field`` is a
dotted path into the request (``participants.1.person_id``) or null.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import marshmallow as ma
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

# Machine-readable codes for the HTTP statuses the API answers with.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


class ErrorDetailSchema(ma.Schema):
    location = ma.fields.String(
        allow_none=True, metadata={"description": "Where the problem is: json, query, path, header, or null"}
    )
    field = ma.fields.String(allow_none=True, metadata={"description": "Dotted path to the field, or null"})
    message = ma.fields.String(metadata={"description": "What is wrong, in words"})
    session = ma.fields.Dict(
        metadata={
            "description": "On a scheduling conflict: the session in the way {id, code, title, starts_at, ends_at}"
        }
    )


class ErrorSchema(ma.Schema):
    """The body of every error response."""

    status = ma.fields.Integer(metadata={"description": "The HTTP status"})
    code = ma.fields.String(metadata={"description": "Machine-readable error code, e.g. validation_failed"})
    message = ma.fields.String(metadata={"description": "What went wrong, in words"})
    errors = ma.fields.List(
        ma.fields.Nested(ErrorDetailSchema), metadata={"description": "One entry a problem"}
    )


class DomainError(Exception):
    """A rule of the domain refused an operation; the API answers it with status, the seed loader with its place."""

    status = 422
    code = "validation_failed"
    headers: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        location: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        if details is None:
            details = [
                {"location": location or ("json" if field else None), "field": field, "message": message}
            ]
        self.details = details


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="eventapp"'}


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


class Gone(DomainError):
    status = 410
    code = "gone"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class SchedulingConflict(Conflict):
    """Two confirmed sessions at one time in one room, or with one person in both: a double booking."""


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(DomainError):
    """A rate limit refused the request; the client may try again after retry_after seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


def flatten_messages(
    messages: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Turn marshmallow's nested messages into (path, message) pairs; a path is a tuple of keys and indexes."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from flatten_messages(value, path if key == ma.exceptions.SCHEMA else (*path, key))
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from flatten_messages(item, path)
    else:
        yield path, str(messages)


def dotted(path: tuple[str | int, ...]) -> str | None:
    """participants.1.person_id for ("participants", 1, "person_id"); None for the empty path."""
    return ".".join(str(part) for part in path) or None


def error_body(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The error shape for status."""
    return {
        "status": status,
        "code": STATUS_CODES.get(status, "error"),
        "message": message,
        "errors": errors or [],
    }


def _webargs_details(messages: Mapping[str, Any]) -> list[dict[str, Any]]:
    # webargs keys its messages by location first: {"json": {...}, "query": {...}}
    return [
        {"location": location, "field": dotted(path), "message": message}
        for location, by_field in messages.items()
        for path, message in flatten_messages(by_field)
    ]


def handle_http_exception(error: HTTPException):
    """Answer any HTTP error (including flask-smorest's abort and webargs's 422) in the one shape."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = data.get("headers") or {}
    if "messages" in data:
        details = _webargs_details(data["messages"])
        message = (
            "The request is not valid." if status == 422 else details[0]["message"] if details else error.name
        )
    else:
        details = data.get("errors") or []
        message = data.get("message") or error.description or error.name
    if status == 413:
        message = (
            f"The request body is larger than the limit of {current_app.config['MAX_CONTENT_LENGTH']} bytes."
        )
    if status >= 500:
        message = "The server could not complete the request."
    response_headers = dict(headers)
    # werkzeug's 429 and 503 carry Retry-After (retry_after=...): keep it.
    response_headers.update((name, value) for name, value in error.get_headers() if name == "Retry-After")
    if status == 405 and getattr(error, "valid_methods", None):
        response_headers["Allow"] = ", ".join(error.valid_methods)
    return error_body(status, message, details), status, response_headers


def handle_domain_error(error: DomainError):
    """Answer a refused operation with its status and the fields it names."""
    details = [
        {**detail, "location": detail.get("location") or ("json" if detail.get("field") else None)}
        for detail in error.details
    ]
    return error_body(error.status, error.message, details), error.status, error.headers


def handle_database_unavailable(error: OperationalError):
    """A database that does not answer is a passing condition: 503, and the client may retry."""
    log.error("database unavailable: %s", error.orig if error.orig is not None else error)
    return error_body(503, "The database is unavailable; try again shortly."), 503, {"Retry-After": "5"}


def handle_integrity_error(error: IntegrityError):
    """A write that a database constraint refused (e.g. two requests racing for one unique name): 409."""
    log.warning("integrity error: %s", error.orig if error.orig is not None else error)
    return error_body(409, "The change conflicts with stored data (a duplicate or a broken reference)."), 409


def handle_unexpected(error: Exception):
    """Log the traceback and answer 500 in the error shape, without the traceback."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError())


def register_errorhandlers(app: Flask) -> None:
    """Install the handlers so that no error leaves the app in another shape."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(Exception, handle_unexpected)
