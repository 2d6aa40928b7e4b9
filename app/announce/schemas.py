"""The announcement endpoints' schemas: strict input, output shapes, the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.schemas import Day, QuerySchema, Slug, StrictSchema

MILESTONES = ["security_only_from", "eol_on", "eosl_on"]
_NO_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")


class UpcomingQuerySchema(QuerySchema):
    within_days = fields.Integer(
        load_default=90,
        validate=validate.Range(0, 3660),
        metadata={"description": "how many days ahead of as_of to look (0 to 3660)"},
    )
    product = Slug()
    as_of = Day(metadata={"description": "the first day to look at (default: today, UTC)"})


class UpcomingSchema(Schema):
    product = fields.String()
    cycle = fields.String()
    milestone = fields.String(metadata={"enum": MILESTONES})
    date = fields.Date()
    status_after = fields.String(metadata={"description": "the status that starts on date"})
    message = fields.String()


def _url_text(value: str) -> None:
    if _NO_SPACE_OR_CONTROL.search(value):
        raise ValidationError("A URL holds no spaces or control characters.")
    if not value.lower().startswith(("http://", "https://")):
        raise ValidationError("A webhook URL must start with http:// or https://.")


class SubscriptionCreateSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["webhook", "email"]))
    url = fields.String(
        validate=[validate.Length(min=1, max=2000), _url_text],
        metadata={"description": "for a webhook: where to POST (http or https)"},
    )
    address = fields.Email(
        validate=validate.Length(max=254), metadata={"description": "for email: the recipient"}
    )
    products = fields.List(
        Slug(),
        allow_none=True,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "product slugs to hear about; absent or null: every product"},
    )

    @validates_schema
    def _fits_kind(self, data: dict[str, Any], **_: Any) -> None:
        kind = data.get("kind")
        if kind == "webhook":
            if "url" not in data:
                raise ValidationError("A webhook subscription needs a url.", "url")
            if "address" in data:
                raise ValidationError("A webhook subscription takes no address.", "address")
        elif kind == "email":
            if "address" not in data:
                raise ValidationError("An email subscription needs an address.", "address")
            if "url" in data:
                raise ValidationError("An email subscription takes no url.", "url")


class SubscriptionSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["webhook", "email"]})
    url = fields.String(metadata={"description": "webhooks only"})
    address = fields.String(metadata={"description": "email only"})
    products = fields.List(fields.String(), allow_none=True)
    active = fields.Boolean(metadata={"description": "false once a webhook answered 410"})
    disabled_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class SubscriptionCreatedSchema(SubscriptionSchema):
    secret = fields.String(
        metadata={"description": "webhooks only: the signing secret (whsec_...), shown only here"}
    )


class AnnouncementsQuerySchema(QuerySchema):
    product = Slug()
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class DeliveryStateSchema(Schema):
    subscription_id = fields.Integer(
        allow_none=True, metadata={"description": "null once the subscription is deleted"}
    )
    state = fields.String(metadata={"enum": ["pending", "sent", "failed"]})
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True, metadata={"description": "when pending"})
    last_error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)


class AnnouncementSchema(Schema):
    id = fields.Integer()
    product = fields.String()
    product_name = fields.String()
    cycle = fields.String()
    milestone = fields.String(metadata={"enum": MILESTONES})
    date = fields.Date()
    lead_days = fields.Integer()
    status_after = fields.String()
    message = fields.String()
    url = fields.String()
    announced_on = fields.Date()
    created_at = fields.DateTime()
    deliveries = fields.List(fields.Nested(DeliveryStateSchema))
