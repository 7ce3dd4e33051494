"""/healthz: whether the app and its database answer, for load balancers and orchestrators."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from eventapp import errors
from eventapp.db import get_session
from eventapp.notifications.delivery import status as delivery_status
from eventapp.views import ApiBlueprint

blp = ApiBlueprint("health", __name__, description="Liveness and readiness")

# A delivery waiting longer than this (the sweep runs every minute) means no worker is taking the queue.
STALE_DELIVERY_SECONDS = 600


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200)
    @blp.alt_response(503, description="The database does not answer")
    def get(self):
        """Whether the app and its database answer."""
        try:
            get_session().execute(text("SELECT 1"))
            notifications = delivery_status(current_app)
        except SQLAlchemyError:
            return errors.error_body(503, "The database does not answer."), 503
        # Undelivered notifications are a warning for operators, not a failure: the app itself serves.
        warnings = []
        if (notifications["oldest_pending_seconds"] or 0) > STALE_DELIVERY_SECONDS:
            age = notifications["oldest_pending_seconds"]
            warnings.append(f"a notification has waited {age} s: is a worker running (flask worker)?")
        if notifications["dead"]:
            warnings.append(f"{notifications['dead']} notification(s) were given up")
        return {"status": "ok", "database": "ok", "notifications": notifications, "warnings": warnings}
