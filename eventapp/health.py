"""/healthz: whether the app and its database answer, for load balancers and orchestrators."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from eventapp import errors
from eventapp.db import get_session
from eventapp.views import ApiBlueprint

blp = ApiBlueprint("health", __name__, description="Liveness and readiness")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200)
    @blp.alt_response(503, description="The database does not answer")
    def get(self):
        """Whether the app and its database answer."""
        try:
            get_session().execute(text("SELECT 1"))
        except SQLAlchemyError:
            return errors.error_body(503, "The database does not answer."), 503
        return {"status": "ok", "database": "ok"}
