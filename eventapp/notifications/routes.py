"""Webhook endpoints of a conference, their delivery log and replays (organizer and admin tokens)."""

from __future__ import annotations

from sqlalchemy import select

from eventapp.auth.access import conference_for_write
from eventapp.conferences.models import Conference
from eventapp.db import get_session
from eventapp.errors import NotFound
from eventapp.notifications.models import OutboxDelivery, WebhookEndpoint
from eventapp.notifications.operations import replay, save_endpoint
from eventapp.notifications.schemas import (
    DeliveryQueryArgs,
    DeliverySchema,
    NewWebhookEndpointSchema,
    WebhookEndpointSchema,
)
from eventapp.schemas import PageArgs, page_of
from eventapp.transactions import begin_write_transaction
from eventapp.views import (
    AUTH,
    ApiBlueprint,
    ResourceView,
    check_if_match,
    commit_and_respond,
    commit_and_respond_created,
    document_errors,
    paginate,
    respond_with_etag,
)

blp = ApiBlueprint(
    "webhooks", __name__, url_prefix="/api/v1/conferences/<slug:slug>/webhooks", description="Webhooks"
)
blp.before_request(begin_write_transaction)


def _endpoint(conference: Conference, endpoint_id: int) -> WebhookEndpoint:
    endpoint = get_session().get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.conference_id != conference.id:
        raise NotFound(
            f"No webhook endpoint {endpoint_id} in this conference.", "endpoint_id", location="path"
        )
    return endpoint


@blp.route("")
class Endpoints(ResourceView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(WebhookEndpointSchema))
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404)
    def get(self, args, slug):
        """The conference's webhook endpoints."""
        conference = conference_for_write(slug)
        stmt = select(WebhookEndpoint).where(WebhookEndpoint.conference_id == conference.id)
        return paginate(stmt.order_by(WebhookEndpoint.id), args)

    @blp.arguments(WebhookEndpointSchema)
    @blp.response(201, NewWebhookEndpointSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404)
    def post(self, data, slug):
        """Register an endpoint; the answer holds its signing secret, shown this once."""
        conference = conference_for_write(slug)
        endpoint = save_endpoint(get_session(), conference, data)
        return commit_and_respond_created(NewWebhookEndpointSchema(), endpoint, endpoint.id)


@blp.route("/<int:endpoint_id>")
class Endpoint(ResourceView):
    @blp.response(200, WebhookEndpointSchema)
    @blp.doc(**AUTH)
    @document_errors(304, 401, 403, 404)
    def get(self, slug, endpoint_id):
        """One endpoint."""
        return respond_with_etag(WebhookEndpointSchema(), _endpoint(conference_for_write(slug), endpoint_id))

    @blp.arguments(WebhookEndpointSchema(partial=True))
    @blp.response(200, WebhookEndpointSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 412)
    def patch(self, data, slug, endpoint_id):
        """Change an endpoint's URL or events, or turn it off and on again. Honours If-Match."""
        conference = conference_for_write(slug)
        endpoint = _endpoint(conference, endpoint_id)
        check_if_match(WebhookEndpointSchema(), endpoint)
        return commit_and_respond(
            WebhookEndpointSchema(), save_endpoint(get_session(), conference, data, endpoint)
        )

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 412)
    def delete(self, slug, endpoint_id):
        """Delete an endpoint and its delivery log. Honours If-Match."""
        endpoint = _endpoint(conference_for_write(slug), endpoint_id)
        check_if_match(WebhookEndpointSchema(), endpoint)
        get_session().delete(endpoint)
        get_session().commit()


@blp.route("/<int:endpoint_id>/deliveries")
class Deliveries(ResourceView):
    @blp.arguments(DeliveryQueryArgs, location="query")
    @blp.response(200, page_of(DeliverySchema))
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404)
    def get(self, args, slug, endpoint_id):
        """The endpoint's delivery log, newest first."""
        endpoint = _endpoint(conference_for_write(slug), endpoint_id)
        stmt = select(OutboxDelivery).where(OutboxDelivery.endpoint_id == endpoint.id)
        if args.get("state"):
            stmt = stmt.where(OutboxDelivery.state == args["state"])
        return paginate(stmt.order_by(OutboxDelivery.id.desc()), args)


@blp.route("/<int:endpoint_id>/deliveries/<int:delivery_id>/replay")
class Replay(ResourceView):
    @blp.response(200, DeliverySchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409)
    def post(self, slug, endpoint_id, delivery_id):
        """Send a delivery again, now, with its webhook-id (receivers that saw it already can tell)."""
        endpoint = _endpoint(conference_for_write(slug), endpoint_id)
        delivery = get_session().get(OutboxDelivery, delivery_id)
        if delivery is None or delivery.endpoint_id != endpoint.id:
            raise NotFound(f"No delivery {delivery_id} to this endpoint.", "delivery_id", location="path")
        return commit_and_respond(DeliverySchema(), replay(get_session(), delivery))
