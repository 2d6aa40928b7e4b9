"""Upcoming milestones, announcement subscribers and the announcements made (SPEC 6, 10)."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView

from app import clock
from app.announce.schemas import (
    AnnouncementSchema,
    AnnouncementsQuerySchema,
    SubscriptionCreatedSchema,
    SubscriptionCreateSchema,
    SubscriptionSchema,
    UpcomingQuerySchema,
    UpcomingSchema,
)
from app.auth import Role, protected
from app.openapi import Blueprint

blp = Blueprint(
    "announcements",
    __name__,
    url_prefix="/api/v1",
    description="Upcoming milestones, announcement subscribers and the announcements made.",
)

SUBSCRIPTION_ID = "<int(max=2147483647):subscription_id>"
# The views import their services (app.announce.service, .subscriptions) when called: they
# bring in the delivery code, which no other process than those answering these needs.


# --- views ------------------------------------------------------------------------------


@blp.route("/upcoming")
class Upcoming(MethodView):
    @blp.arguments(UpcomingQuerySchema, location="query")
    @blp.response(200, UpcomingSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any]) -> Any:
        """Milestones from as_of to as_of + within_days, soonest first."""
        from app.announce import service as service

        return service.upcoming(
            args.get("as_of") or clock.today(), args["within_days"], args.get("product")
        )


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @protected(blp, Role.SUPPORT)
    @blp.response(200, SubscriptionSchema(many=True))
    def get(self) -> Any:
        """Announcement subscribers (never their secrets)."""
        from app.announce import subscriptions

        return subscriptions.list_subscriptions()

    @protected(blp, Role.ADMIN)
    @blp.arguments(SubscriptionCreateSchema)
    @blp.response(201, SubscriptionCreatedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a subscriber; a webhook's signing secret is in this answer and never again."""
        from app.announce import subscriptions

        body = subscriptions.create_subscription(data)
        location = url_for("announcements.SubscriptionItem", subscription_id=body["id"])
        return body, 201, {"Location": location}


@blp.route(f"/subscriptions/{SUBSCRIPTION_ID}")
class SubscriptionItem(MethodView):
    @protected(blp, Role.SUPPORT)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, subscription_id: int) -> Any:
        """One subscriber (never its secret)."""
        from app.announce import subscriptions

        return subscriptions.get_subscription(subscription_id)

    @protected(blp, Role.ADMIN)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, subscription_id: int) -> Any:
        """Remove a subscriber; its queued deliveries end failed."""
        from app.announce import subscriptions

        subscriptions.delete_subscription(subscription_id)
        return Response(status=204)


@blp.route("/announcements")
class Announcements(MethodView):
    @protected(blp, Role.SUPPORT)
    @blp.arguments(AnnouncementsQuerySchema, location="query")
    @blp.response(200, AnnouncementSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Announcements made, newest first, with the state of their deliveries."""
        from app.announce import subscriptions

        return subscriptions.list_announcements(args["limit"], args.get("product"))
