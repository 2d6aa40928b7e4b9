"""Triage (SPEC 9): a ticket in, its eligibility verdict, severity and response due time out.

The body is read by the service (``app.triage.plan.triage``), which parses the
eligibility fields with the same parser as the GET and the batch; the schemas here
document the endpoint in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.auth import Role, protected
from app.eligibility.routes import (
    JSON,
    EligibilityItemSchema,
    SeverityVerdictSchema,
    VerdictSchema,
)
from app.eligibility.service import encode
from app.schemas import Day
from app.triage import plan as service

blp = Blueprint(
    "triage",
    __name__,
    url_prefix="/api/v1",
    description="Ticket triage: priority and response targets (SPEC 9). Role support or admin.",
)


class TriageRequestSchema(service.TicketSchema, EligibilityItemSchema):
    """A ticket: its own fields and the eligibility fields of SPEC 5."""

    as_of = Day(
        metadata={
            "description": "the date to judge on (default: the date of submitted_at "
            "in the business calendar's time zone)"
        }
    )


class TriageSeveritySchema(SeverityVerdictSchema):
    source = fields.String(
        required=True,
        metadata={
            "enum": ["field", "subject", "default"],
            "description": "where the requested severity came from",
        },
    )


class TriageSchema(VerdictSchema):
    """The eligibility verdict, judged with the ticket's requested severity, and when a
    response is due."""

    severity = fields.Nested(TriageSeveritySchema, required=True)
    channel = fields.String(required=True, metadata={"example": "portal"})
    submitted_at = fields.String(
        required=True,
        metadata={
            "format": "date-time",
            "description": "submitted_at in the business calendar's time zone",
            "example": "2026-11-17T10:30:00-08:00",
        },
    )
    response_target = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "the support plan's target for the granted severity; "
            "null when none is granted",
            "example": "4 business hours",
        },
    )
    response_due_at = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "format": "date-time",
            "description": "when the first response is due, in the business calendar's "
            "time zone; null when no severity is granted",
            "example": "2026-11-17T14:30:00-08:00",
        },
    )


@blp.route("/triage")
class Triage(MethodView):
    @protected(blp, Role.SUPPORT)
    @blp.doc(requestBody={"required": True, "content": {JSON: {"schema": TriageRequestSchema}}})
    @blp.response(200, TriageSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self) -> Any:
        """Triage a ticket: its eligibility, granted severity and response due time.

        The requested severity is the ``severity`` field, else ``[Emergency]``,
        ``[Urgent]`` or ``[High]`` in the subject, else ``low`` for an email and
        ``normal`` otherwise; it is granted as SPEC 5 rule 7 allows. The response is
        due after the support plan's target for the granted severity, counted in the
        business calendar (null when nothing is granted).

        404 for an unknown product; 422 for invalid fields (``errors`` names each: a
        ``submitted_at`` without a UTC offset, an unknown channel, unknown fields), with
        the code ``invalid_version`` for a version that does not parse.
        """
        answer = service.triage(request.get_json())
        return Response(encode(answer), mimetype=JSON)
