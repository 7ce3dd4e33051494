"""What every resource of the API uses: ETags, pagination, error documentation and the base view class."""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

import flask_smorest
import marshmallow as ma
from flask import Response, current_app, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Select, func, select
from webargs.flaskparser import FlaskParser
from werkzeug.http import unquote_etag

from eventapp import errors
from eventapp.db import get_session
from eventapp.errors import PreconditionFailed, UnsupportedMediaType
from eventapp.transactions import retry_serialization_failures


class ApiParser(FlaskParser):
    """webargs' parser, refusing query parameters an endpoint does not take (webargs drops them by default, so a
    misspelt filter such as `tracks=2` would answer everything): 400, naming each one and what the endpoint
    takes. Bodies already refuse unknown fields (422, as every invalid value)."""

    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict[str, str | None]] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        """Unknown query parameters make the request malformed (400); other problems go on as 422."""
        unknown = schema.error_messages["unknown"]
        by_field = error.messages.get("query") if isinstance(error.messages, dict) else None
        if isinstance(by_field, dict) and any(unknown in messages for messages in by_field.values()):
            takes = ", ".join(sorted(name for name, field in schema.fields.items() if not field.dump_only))
            messages = {
                "query": {
                    name: [
                        f"Unknown parameter: this endpoint takes {takes}." if m == unknown else m
                        for m in found
                    ]
                    for name, found in by_field.items()
                }
            }
            flask_smorest.abort(400, exc=error, messages=messages, schema=schema, headers=error_headers)
        super().handle_error(
            error, req, schema, error_status_code=error_status_code, error_headers=error_headers
        )


class ApiBlueprint(Blueprint):
    """A blueprint of the API: its arguments are read by ApiParser."""

    ARGUMENTS_PARSER = ApiParser()


class ResourceView(MethodView):
    """A resource of the API: its writing methods run again when they lose a race to a concurrent writer."""

    decorators: ClassVar[list] = [retry_serialization_failures]


def check_if_match(schema: ma.Schema, obj: Any) -> None:
    """412 when the request's If-Match names another version of obj than the stored one (weak tags count)."""
    wanted = request.if_match
    if wanted and not wanted.contains_weak(unquote_etag(etag_for(schema, obj))[0]):
        raise PreconditionFailed(
            "The resource has changed since that ETag: read it again, then retry.",
            "If-Match",
            location="header",
        )


def _etag_of_dump(dumped: Any) -> str:
    body = json.dumps(dumped, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def etag_for(schema: ma.Schema, obj: Any) -> str:
    """A strong ETag: the hash of the representation a GET shows."""
    return _etag_of_dump(schema.dump(obj))


def respond_with_etag(schema: ma.Schema, obj: Any, status: int = 200, headers: dict[str, str] | None = None):
    """obj with its ETag; 304 for a GET whose If-None-Match names the current one (a weak tag counts).

    The representation is dumped once, for both the ETag and the body: the answer is the JSON response
    flask-smorest would make of it (schema is the view's response schema), which it passes on as it is."""
    dumped = schema.dump(obj)
    etag = _etag_of_dump(dumped)
    if request.method in ("GET", "HEAD"):
        tag = unquote_etag(etag)[0]
        # Only a tag validates a GET: If-None-Match: * is for writes that must not overwrite.
        if request.if_none_match.is_strong(tag) or request.if_none_match.is_weak(tag):
            return Response(status=304, headers={"ETag": etag})
    response = jsonify(dumped)
    response.status_code = status
    response.headers.update({"ETag": etag, **(headers or {})})
    return response


def with_headers(answer, headers: dict[str, str]):
    """A view's answer (a Response, as respond_with_etag makes, or an (obj, status, headers)) with more headers."""
    if isinstance(answer, Response):
        answer.headers.update(headers)
        return answer
    obj, status, own = answer
    return obj, status, {**own, **headers}


def commit_and_respond(schema: ma.Schema, obj: Any, status: int = 200, headers: dict[str, str] | None = None):
    """respond_with_etag() the written object, then commit: the answer is read inside the transaction, so a
    commit that fails (the database went away) answers 503 with nothing stored, and one that succeeds needs no
    more reads."""
    answer = respond_with_etag(schema, obj, status, headers)
    get_session().commit()
    return answer


def public_base_url() -> str:
    """The service's public address: PUBLIC_BASE_URL, else the address the request came to."""
    return current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """The public, absolute URL of an endpoint (url_for under public_base_url)."""
    return public_base_url() + url_for(endpoint, **values)


def commit_and_respond_created(schema: ma.Schema, obj: Any, key: str | int):
    """commit_and_respond() a new item with 201 and its Location: the collection posted to, then key (the
    API's collections keep their items one path segment below them)."""
    collection = public_base_url() + request.script_root + request.path.rstrip("/")
    return commit_and_respond(schema, obj, 201, {"Location": f"{collection}/{key}"})


def require_json_body() -> None:
    """before_request: a body the API would read must be JSON; anything else is 415, not a body read as empty."""
    if request.routing_exception is not None:
        return  # no such route (404) or method (405): that is the answer, whatever the body
    has_body = request.content_length or request.headers.get("Transfer-Encoding")
    if request.method in ("POST", "PUT", "PATCH") and has_body and not request.is_json:
        raise UnsupportedMediaType(
            f"The body must be JSON (Content-Type: application/json), not {request.mimetype or 'untyped'}.",
            "Content-Type",
            location="header",
        )


def paginate(stmt: Select, args: dict[str, Any]) -> dict[str, Any]:
    """One page of stmt's rows in the list envelope; the total counts every page."""
    db = get_session()
    page, page_size = args["page"], args["page_size"]
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": items, "total": total, "page": page, "page_size": page_size}


# For write operations in the OpenAPI document.
AUTH = {"security": [{"bearerAuth": []}]}
# For reads anyone may make that show more (drafts) to a token that reaches them: no token, or a Bearer token.
# Operations that declare neither are public (eventapp/openapi.py's ClientPlugin documents them so).
READ_AUTH = {"security": [{}, {"bearerAuth": []}]}

# Only its alt_response decorator is used: it records documentation on the view, whatever blueprint routes it.
_ERROR_DOCS = Blueprint("error-docs", __name__)


def document_errors(*statuses: int):
    """Document the answers other than success a view may give: errors in the error shape, 304 bodiless."""

    def decorator(func):
        for status in statuses:
            if status == 304:
                func = _ERROR_DOCS.alt_response(
                    304, description="Not modified: the client's copy is current"
                )(func)
            else:
                func = _ERROR_DOCS.alt_response(status, schema=errors.ErrorSchema)(func)
        return func

    return decorator
