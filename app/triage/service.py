"""The triage of a ticket (SPEC 9, ``POST /api/v1/triage``): its eligibility verdict,
judged with the ticket's requested severity, and when a response is due on the support
plan's business calendar."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.catalogue import store
from app.eligibility import query as queries
from app.eligibility import service as eligibility
from app.errors import Unprocessable
from app.inputs import CONTROL, MAX_DATE, MIN_DATE
from app.schemas import LongText, StrictSchema
from app.triage.plan import SupportSettings, settings
from lifecycle.errors import InvalidVersion
from lifecycle.triage import Channel, ResponseTarget, TargetUnit, requested_severity, response_due
from lifecycle.verdict import Query
from lifecycle.versions import parse_version

TICKET_FIELDS = ("subject", "body", "channel", "submitted_at")
MAX_SUBJECT = 1000
CHANNELS = tuple(c.value for c in Channel)
# Placeholder as-of for collecting the eligibility fields' errors when submitted_at,
# which gives the default, is itself invalid: the request is refused either way.
_ANY_DAY = date(2000, 1, 1)


def _single_line(value: str) -> None:
    if CONTROL.search(value):
        raise ValidationError("Control characters are not allowed.")
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _in_range(value: datetime) -> None:
    # Years outside the API's dates are typos, and near year 1 or 9999 converting the
    # instant to the calendar's zone would overflow.
    if not MIN_DATE.year <= value.year <= MAX_DATE.year:
        raise ValidationError(f"Must be between {MIN_DATE.year} and {MAX_DATE.year}.")


class TicketSchema(StrictSchema):
    """The ticket fields of a triage request (the eligibility fields are SPEC 5's)."""

    subject = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_SUBJECT), _single_line],
        metadata={
            "description": "the ticket's subject; [Emergency], [Urgent] or [High] in it "
            "requests that severity when the severity field is absent",
            "example": "[High] replication stalls after upgrade",
        },
    )
    body = LongText(metadata={"description": "the ticket's text (not used by the rules)"})
    channel = fields.String(
        validate=validate.OneOf(CHANNELS),
        load_default=Channel.PORTAL.value,
        metadata={"description": "how the ticket arrived; an email starts at low"},
    )
    submitted_at = fields.AwareDateTime(
        required=True,
        format="iso",
        validate=_in_range,
        error_messages={
            "invalid": "Not a valid ISO 8601 timestamp.",
            "invalid_awareness": "Must have a UTC offset, such as "
            "2026-11-17T10:30:00-08:00 or 2026-11-17T18:30:00Z.",
        },
        metadata={
            "description": "when the ticket arrived: ISO 8601 with a UTC offset",
            "example": "2026-11-17T10:30:00-08:00",
        },
    )


_TICKET_SCHEMA = TicketSchema()


def triage(payload: Any, support: SupportSettings | None = None) -> dict[str, Any]:
    """The answer of SPEC 9 to a ticket: the eligibility verdict, judged with the
    requested severity, plus that severity's source and when a response is due.

    ``payload`` is the request body: the ticket fields and the eligibility fields of
    SPEC 5 (``as_of`` defaults to the calendar-local date of ``submitted_at``). Every
    invalid field is reported at once (422); then an unknown product is a 404 and a
    version that does not parse a 422 ``invalid_version``.
    """
    support = support or settings()
    calendar = support.calendar
    if not isinstance(payload, Mapping):
        raise Unprocessable(
            "The body must be a JSON object with the ticket's fields.",
            errors={"_body": ["Expected a JSON object."]},
        )
    ticket_part = {k: v for k, v in payload.items() if k in TICKET_FIELDS}
    query_part = {k: v for k, v in payload.items() if k not in TICKET_FIELDS}

    errors: dict[str, Any] = {}
    try:
        ticket: dict[str, Any] = _TICKET_SCHEMA.load(ticket_part)
    except ValidationError as error:
        errors.update(error.messages_dict)
        ticket = {}
    submitted_at: datetime | None = ticket.get("submitted_at")
    default_as_of = calendar.local_date(submitted_at) if submitted_at is not None else _ANY_DAY
    query: Query | None = None
    try:
        query = queries.parse_query(query_part, default_as_of)
    except Unprocessable as error:
        errors.update(error.errors or {})
    if errors:
        if query is not None:
            # As the eligibility parser does: a bad version is told with the other errors.
            try:
                parse_version(query.version)
            except InvalidVersion as error:
                errors["version"] = [str(error)]
        names = sorted(errors)
        raise Unprocessable(
            "The ticket has invalid fields: " + ", ".join(names[:20]) + ".", errors=errors
        )
    assert query is not None and submitted_at is not None

    channel = Channel(ticket["channel"])
    severity, source = requested_severity(ticket["subject"], channel, query.severity)
    view = store.product(query.product)
    verdict = eligibility.judge_with(replace(query, severity=severity), view)

    granted = verdict.severity_granted
    due = response_due(support.plan, calendar, submitted_at, granted)
    target = support.plan.target(granted) if granted is not None else None
    answer = verdict.to_dict()
    answer["severity"] = {
        "requested": severity.value,
        "granted": granted.value if granted is not None else None,
        "source": source.value,
    }
    answer["channel"] = channel.value
    answer["submitted_at"] = calendar.local(submitted_at).isoformat()
    answer["response_target"] = describe_target(target) if target is not None else None
    answer["response_due_at"] = due.isoformat() if due is not None else None
    return answer


_UNIT_WORDS = {
    TargetUnit.ELAPSED_HOURS: ("hour", "hours", ", around the clock"),
    TargetUnit.BUSINESS_HOURS: ("business hour", "business hours", ""),
    TargetUnit.BUSINESS_DAYS: ("business day", "business days", ""),
}


def describe_target(target: ResponseTarget) -> str:
    """The target in words: ``"4 business hours"``, ``"1 hour, around the clock"``."""
    one, many, suffix = _UNIT_WORDS[target.unit]
    return f"{target.amount:g} {one if target.amount == 1 else many}{suffix}"
