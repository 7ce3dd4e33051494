"""The REST layer's shared parts: the flask-smorest Api in our error shape, pagination, the health check."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from eventapp import errors
from eventapp.db import get_session


class EventApi(Api):
    """flask-smorest's Api, answering and documenting errors in the one error shape."""

    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)


def paginate(stmt: Select, args: dict[str, Any]) -> dict[str, Any]:
    """One page of stmt's rows in the list envelope; the total counts every page."""
    db = get_session()
    page, page_size = args["page"], args["page_size"]
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    return {"items": items, "total": total, "page": page, "page_size": page_size}


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


def register_api(app: Flask) -> EventApi:
    """Create the app's Api and register every blueprint on it."""
    from eventapp.conferences.routes import blp as conferences
    from eventapp.program.routes import blp as program

    api = EventApi(app, spec_kwargs={"info": {"description": "Conferences, their programme and their people."}})
    for blueprint in (health, conferences, program):
        api.register_blueprint(blueprint)
    return api
