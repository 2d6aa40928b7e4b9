"""The triage endpoint's schemas, for the OpenAPI document (the service reads the body)."""

from __future__ import annotations

from marshmallow import fields

from app.eligibility.schemas import EligibilityItemSchema, SeverityVerdictSchema, VerdictSchema
from app.schemas import Day
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
