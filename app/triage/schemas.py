"""The triage endpoint's schemas, for the OpenAPI document (the service reads the body)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.eligibility.schemas import (
    EligibilityItemSchema,
    SeverityVerdictSchema,
    Ticket,
    VerdictSchema,
)
from app.schemas import Day, QuerySchema
from app.triage.service import TicketSchema


class TriageRequestSchema(TicketSchema, EligibilityItemSchema):
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
    reply = fields.String(
        required=True,
        metadata={
            "description": "one paragraph to send to the customer as it is: coverage, status "
            "and its next change, the priority and when the answer is due, upgrade advice"
        },
    )
    ticket = fields.String(metadata={"description": "the request's ticket, when it had one"})


class HistoryQuerySchema(QuerySchema):
    """The history's query parameters; any other is refused (422)."""

    ticket = Ticket()
    since = fields.String(
        metadata={
            "description": "records from this date (its start, UTC) or timestamp (with an "
            "offset) on",
            "example": "2026-11-01",
        }
    )
    limit = fields.Integer(
        validate=validate.Range(1, 1000), metadata={"description": "at most this many (100)"}
    )


class HistoryItemSchema(Schema):
    id = fields.Integer(required=True)
    ticket = fields.String(required=True)
    at = fields.String(required=True, metadata={"format": "date-time"})
    token_name = fields.String(
        required=True, metadata={"description": "the name of the token that asked, or cli"}
    )
    input = fields.Dict(required=True, metadata={"description": "the triage request as sent"})
    answer = fields.Nested(TriageSchema, required=True)


class HistorySchema(Schema):
    items = fields.List(fields.Nested(HistoryItemSchema), required=True)
