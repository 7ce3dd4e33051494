"""The flask-smorest Api: errors answered and documented in the one error shape, OpenAPI names, URL
converters."""

from __future__ import annotations

import http
from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api
from werkzeug.routing import BaseConverter, IntegerConverter

from eventapp import errors, lengths
from eventapp.schemas import SLUG_RE


class EventApi(Api):
    """flask-smorest's Api, answering and documenting errors in the one error shape."""

    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):
        """Every HTTP error the Api meets, in the one error shape."""
        return errors.handle_http_exception(error)


def schema_name(schema: type[ma.Schema] | ma.Schema) -> str:
    """OpenAPI component names: FooSchema is Foo, and its partial form for PATCH is FooUpdate."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    return f"{name}Update" if not isinstance(schema, type) and schema.partial else name


class IdConverter(IntegerConverter):
    """<int:...> in every route: an id the database's integer column can hold; any other number is no route
    (404)."""

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
    is not JSON (400 for malformed JSON, 415 for another media type) or is too large (413); a query parameter
    the operation does not take (400); a token refused too often from one address (429)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        """Add those errors to each operation of path."""
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            statuses = [400, 413, 415] if "requestBody" in operation else []
            if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
                statuses.append(400)  # a query parameter the operation does not take
            statuses += [429] if operation.get("security") else []
            for status in statuses:
                responses.setdefault(str(status), http.HTTPStatus(status).name)


def init_openapi(app: Flask) -> EventApi:
    """The app's Api, with its URL converters and security scheme; the factory registers the blueprints."""
    api = EventApi(
        app,
        spec_kwargs={
            "info": {"description": "Conferences, their programme and their people."},
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
            "extra_plugins": [CommonErrorsPlugin()],
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    app.url_map.converters.update(int=IdConverter, slug=SlugConverter)
    api.register_converter(SlugConverter, _slug_param_schema)
    return api
