"""The REST layer's shared parts: the flask-smorest Api in our error shape, pagination, the health check."""

from __future__ import annotations

from typing import Any

import functools
import hashlib
import http
import json
import random
import time

import marshmallow as ma
from flask import Flask, Response, g, request
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.routing import BaseConverter, IntegerConverter

from eventapp import errors, lengths
from eventapp.db import begin_write, close_session, get_session, is_retryable
from eventapp.errors import PreconditionFailed
from eventapp.schemas import SLUG_RE


class EventApi(Api):
    """flask-smorest's Api, answering and documenting errors in the one error shape."""

    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)


def etag_for(schema: ma.Schema, obj: Any) -> str:
    """A strong ETag: the hash of the representation a GET shows."""
    body = json.dumps(schema.dump(obj), sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def etag_list(header: str | None) -> set[str]:
    """The entity tags an If-Match or If-None-Match header names, weak ones as strong."""
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",") if tag.strip()}


def check_if_match(schema: ma.Schema, obj: Any) -> None:
    """412 when the request's If-Match names another version of obj than the stored one."""
    wanted = etag_list(request.headers.get("If-Match"))
    if wanted and "*" not in wanted and etag_for(schema, obj) not in wanted:
        raise PreconditionFailed(
            "The resource has changed since that ETag: read it again, then retry.", "If-Match", location="header"
        )


def send(schema: ma.Schema, obj: Any, status: int = 200):
    """obj with its ETag; 304 for a GET whose If-None-Match names the current one."""
    etag = etag_for(schema, obj)
    if request.method in ("GET", "HEAD") and etag in etag_list(request.headers.get("If-None-Match")):
        return Response(status=304, headers={"ETag": etag})
    return obj, status, {"ETag": etag}


def commit_and_send(schema: ma.Schema, obj: Any, status: int = 200):
    """send() the written object, then commit: the answer is read inside the transaction, so a commit that
    fails (the database went away) answers 503 with nothing stored, and one that succeeds needs no more reads."""
    answer = send(schema, obj, status)
    get_session().commit()
    return answer


def paginate(stmt: Select, args: dict[str, Any]) -> dict[str, Any]:
    """One page of stmt's rows in the list envelope; the total counts every page."""
    db = get_session()
    page, page_size = args["page"], args["page_size"]
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": items, "total": total, "page": page, "page_size": page_size}


# For write operations in the OpenAPI document.
AUTH = {"security": [{"bearerAuth": []}]}

_ERROR_DOCS = Blueprint("error-docs", __name__)


def document_errors(*statuses: int):
    """Document the answers other than success a view may give: errors in the one error shape, 304 bodiless."""

    def decorator(func):
        for status in statuses:
            if status == 304:
                func = _ERROR_DOCS.alt_response(304, description="Not modified: the client's copy is current")(func)
            else:
                func = _ERROR_DOCS.alt_response(status, schema=errors.ErrorSchema)(func)
        return func

    return decorator

health = Blueprint("health", __name__, description="Liveness and readiness")


@health.route("/healthz")
class Health(MethodView):
    @health.response(200)
    @health.alt_response(503, description="The database does not answer")
    def get(self):
        """Whether the app and its database answer."""
        try:
            get_session().execute(text("SELECT 1"))
        except SQLAlchemyError:
            return errors.error_body(503, "The database does not answer."), 503
        return {"status": "ok", "database": "ok"}


def writes_need_a_token() -> None:
    """Before a blueprint parses a body: who may not write learns nothing about what a valid body looks like."""
    from eventapp.auth.access import require_token

    if request.method not in READ_METHODS:
        begin_write()
        require_token()


READ_METHODS = ("GET", "HEAD", "OPTIONS")
ATTEMPTS = 10


def retry_serialization_failures(view):
    """Run a writing view again when its transaction lost a race to a concurrent one (PostgreSQL SERIALIZABLE);
    the second attempt sees the winner's rows, and answers 409 where the rules say so."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method in READ_METHODS:
            return view(*args, **kwargs)
        for attempt in range(ATTEMPTS):
            try:
                return view(*args, **kwargs)
            except DBAPIError as error:
                if not is_retryable(error) or attempt == ATTEMPTS - 1:
                    raise
                close_session()
                g.pop("api_token", None)
                time.sleep(random.uniform(0, 0.01 * 2**attempt))
                begin_write()
        raise AssertionError("unreachable")

    return wrapper


def schema_name(schema: type[ma.Schema] | ma.Schema) -> str:
    """OpenAPI component names: FooSchema is Foo, and its partial form for PATCH is FooUpdate."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    return f"{name}Update" if not isinstance(schema, type) and schema.partial else name


class IdConverter(IntegerConverter):
    """<int:...> in every route: an id the database's integer column can hold; any other number is no route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", lengths.MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


class SlugConverter(BaseConverter):
    """<slug:...>: only what a slug can be reaches the database (a NUL byte would make PostgreSQL fail)."""

    regex = SLUG_RE.pattern.removeprefix("^").removesuffix("$")


def _slug_param_schema(_converter) -> dict[str, Any]:
    return {"type": "string", "pattern": SLUG_RE.pattern}


class CommonErrorsPlugin(BasePlugin):
    """Document the errors that whole kinds of operations answer, so that no view has to list them: a body that
    is not JSON (400) or is too large (413); a token refused too often from one address (429)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            statuses = [400, 413] if "requestBody" in operation else []
            statuses += [429] if operation.get("security") else []
            for status in statuses:
                responses.setdefault(str(status), http.HTTPStatus(status).name)


def register_api(app: Flask) -> EventApi:
    """Create the app's Api and register every blueprint on it."""
    from eventapp.conferences.routes import blp as conferences
    from eventapp.feeds.routes import blp as feeds
    from eventapp.people.routes import blp as people
    from eventapp.program.routes import blp as program

    api = EventApi(app, spec_kwargs={
        "info": {"description": "Conferences, their programme and their people."},
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "extra_plugins": [CommonErrorsPlugin()],
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    app.url_map.converters.update(int=IdConverter, slug=SlugConverter)
    api.register_converter(SlugConverter, _slug_param_schema)
    for blueprint in (health, conferences, program, people, feeds):
        api.register_blueprint(blueprint)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.split(".")[0] in (conferences.name, program.name, people.name, feeds.name):
            app.view_functions[endpoint] = retry_serialization_failures(view)
    return api
