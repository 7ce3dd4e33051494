"""The flask-smorest Api: errors answered and documented in the one error shape, OpenAPI names, URL
converters, what generated clients need to know (operation ids, preconditions, security, servers), and the
interactive docs served from a package installed with the app."""

from __future__ import annotations

import http
import re
from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Blueprint, Flask, abort, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path
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


# null, and nothing else, in OpenAPI 3.0 (which has no null type): what a nullable reference may also be.
TYPED_NULL = {"type": "object", "nullable": True, "enum": [None]}


class EventConverter(OpenAPIConverter):
    """apispec's field converter, with two changes for generated clients: a nullable reference is the
    referenced schema or null (apispec's OpenAPI 3.0 form allows any object instead, which generators turn
    into a type of their own), and a partial schema (PATCH) shows no defaults, since a PATCH applies none."""

    def field2nullable(self, field, ret) -> dict:
        """Nullable fields; a nullable reference is anyOf the reference and a typed null, and a field of any
        type stays untyped."""
        if field.allow_none and self.openapi_version.major == 3 and self.openapi_version.minor == 0:
            # A reference with siblings (readOnly) comes wrapped in allOf.
            refs = [{"$ref": ret.pop("$ref")}] if "$ref" in ret else ret.pop("allOf", None)
            if refs:
                return {"anyOf": [*refs, dict(TYPED_NULL)]}
            if "type" not in ret:
                # A field of any type (Raw) already admits null; OpenAPI 3.0 allows `nullable` only beside a
                # `type`.
                return {}
        return super().field2nullable(field, ret)

    def fields2jsonschema(self, fields, *, partial=None) -> dict:
        """The schema of fields; a PATCH's (partial) fields without the defaults a creation would apply."""
        jsonschema = super().fields2jsonschema(fields, partial=partial)
        for name, prop in jsonschema["properties"].items():
            if partial is True or (partial and name in partial):
                prop.pop("default", None)
        return jsonschema


class EventMarshmallowPlugin(MarshmallowPlugin):
    """apispec's marshmallow plugin with EventConverter."""

    Converter = EventConverter


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


class CodeConverter(BaseConverter):
    """<code:...>: a session code as a path segment; control characters (a NUL byte would make PostgreSQL
    fail) are no code, so no route (404)."""

    regex = r"[^/\x00-\x1f\x7f]+"


def _code_param_schema(_converter) -> dict[str, Any]:
    return {"type": "string", "pattern": r"^[^/\x00-\x1f\x7f]+$"}


def _slug_param_schema(_converter) -> dict[str, Any]:
    return {"type": "string", "pattern": SLUG_RE.pattern}


class CommonErrorsPlugin(BasePlugin):
    """Document the errors that whole kinds of operations answer, so that no view has to list them: a body that
    is not JSON (400 for malformed JSON, 415 for another media type) or is too large (413); a query parameter
    the operation does not take (400); a token refused (401) or refused too often from one address (429)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        """Add those errors to each operation of path."""
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            statuses = [400, 413, 415] if "requestBody" in operation else []
            if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
                statuses.append(400)  # a query parameter the operation does not take
            if {} in operation.get("security", []):
                statuses.append(401)  # a token is optional, but one that is sent must be good
            statuses += [429] if operation.get("security") else []
            for status in statuses:
                responses.setdefault(str(status), http.HTTPStatus(status).name)


def _header_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "in": "header",
        "name": name,
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


ETAG = {"description": "The version of what the answer shows", "schema": {"type": "string"}, "required": True}
LOCATION = {"description": "The new item's address", "schema": {"type": "string"}, "required": True}
IF_NONE_MATCH = _header_parameter("If-None-Match", "An ETag of the client's copy: 304 when it is current")
IF_MATCH = _header_parameter(
    "If-Match", "The ETag of the version read: 412, changing nothing, when it is stale"
)
IF_MODIFIED_SINCE = _header_parameter(
    "If-Modified-Since", "An HTTP date (the Last-Modified of the client's copy); If-None-Match wins"
)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class ClientPlugin(BasePlugin):
    """What a generated client needs from every operation, derived from what it documents:

    - operationId: the method and the view's name (`patch_room_detail` for RoomDetail.patch), unique since
      every view has its own route;
    - security: an operation that declares none is public (`security: []`), not "as the document's default";
    - If-None-Match (and the ETag that goes with it) where a 304 is documented, If-Modified-Since too where the
      answer has a Last-Modified; If-Match where a 412 is; the ETag of every answer respond_with_etag makes,
      the Location of every 201 commit_and_respond_created makes (the writes with a token).
    """

    def operation_helper(self, path=None, operations=None, **kwargs):
        """Complete each operation of path."""
        view = kwargs["rule"].endpoint.rsplit(".", 1)[-1]
        for method, operation in (operations or {}).items():
            operation.setdefault("operationId", f"{method}_{_snake(view)}")
            operation.setdefault("security", [])
            responses = operation.setdefault("responses", {})
            parameters = operation.setdefault("parameters", [])
            # Statuses are ints where flask-smorest put them, strings where a plugin did.
            found = {int(status): answer for status, answer in responses.items() if str(status).isdigit()}
            tagged = []
            if 304 in found:
                parameters.append(IF_NONE_MATCH)
                tagged += [200, 304]
                if "Last-Modified" in found.get(200, {}).get("headers", {}):
                    parameters.append(IF_MODIFIED_SINCE)
            if 412 in found:
                parameters.append(IF_MATCH)
                tagged.append(200)
            if 201 in found and operation["security"]:
                tagged.append(201)
                found[201].setdefault("headers", {})["Location"] = LOCATION
            for status in tagged:
                if isinstance(found.get(status), dict):
                    found[status].setdefault("headers", {})["ETag"] = ETAG
            if not parameters:
                del operation["parameters"]


# The files of swagger-ui the docs page loads, and their source maps for a browser's developer tools.
DOCS_ASSET_RE = re.compile(r"swagger-ui(-bundle|-standalone-preset)?\.(js|css)(\.map)?")


def serve_docs_asset(filename: str):
    """A file of swagger-ui, from the swagger-ui-bundle package installed with the app: the docs need no CDN."""
    if not DOCS_ASSET_RE.fullmatch(filename):
        abort(404)
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def init_openapi(app: Flask) -> EventApi:
    """The app's Api, with its URL converters, security scheme, servers and docs assets; the factory registers
    the blueprints."""
    api = EventApi(
        app,
        spec_kwargs={
            "info": {"description": "Conferences, their programme and their people."},
            # Paths already start with /api/v1; PUBLIC_BASE_URL, when set, is where clients find the service.
            "servers": [{"url": app.config.get("PUBLIC_BASE_URL") or "/", "description": "This service"}],
            "marshmallow_plugin": EventMarshmallowPlugin(schema_name_resolver=schema_name),
            "extra_plugins": [CommonErrorsPlugin(), ClientPlugin()],
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    app.url_map.converters.update(int=IdConverter, slug=SlugConverter, code=CodeConverter)
    api.register_converter(SlugConverter, _slug_param_schema)
    api.register_converter(CodeConverter, _code_param_schema)
    docs = Blueprint("docs-assets", __name__)
    docs_path = f"{app.config['OPENAPI_URL_PREFIX']}/{app.config['OPENAPI_SWAGGER_UI_PATH']}"
    docs.add_url_rule(f"{docs_path}/<path:filename>", "asset", serve_docs_asset)
    app.register_blueprint(docs)
    return api
