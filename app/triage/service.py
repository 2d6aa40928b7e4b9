"""The triage of a ticket (SPEC 9, ``POST /api/v1/triage``): its eligibility verdict,
judged with the ticket's requested severity, when a response is due on the support
plan's business calendar, and the reply to send (SPEC 17). An answer given with a
``ticket`` is recorded in the triage history, with one insert."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.eligibility import query as queries
from app.eligibility import service as eligibility
from app.eligibility.schemas import Ticket
from app.errors import Unprocessable
from app.inputs import CONTROL, MAX_DATE, MIN_DATE
from app.schemas import LongText, StrictSchema
from app.triage import history
from app.triage.plan import SupportSettings, settings
from lifecycle.errors import InvalidVersion
from lifecycle.reply import compose_reply
from lifecycle.triage import Channel, ResponseTarget, TargetUnit, requested_severity, response_due
from lifecycle.verdict import Query, Verdict
from lifecycle.versions import parse_version

TICKET_FIELDS = ("subject", "body", "channel", "submitted_at", "ticket")
# SPEC 12's ways to name who asks: taken, and refused plainly until customers are kept.
CUSTOMER_FIELDS = ("from", "customer", "deployment")
NO_CUSTOMERS = (
    "Triage by sender, customer or deployment needs the customer records, which this "
    "service does not keep yet; give product, version and subscription instead."
)
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
    ticket = Ticket(allow_none=True)


_TICKET_SCHEMA = TicketSchema()


def triage(
    payload: Any, support: SupportSettings | None = None, *, actor: str | None = None
) -> dict[str, Any]:
    """The answer of SPEC 9 to a ticket: the eligibility verdict, judged with the
    requested severity, plus that severity's source, when a response is due and the
    reply to send (SPEC 17).

    ``payload`` is the request body: the ticket fields and the eligibility fields of
    SPEC 5 (``as_of`` defaults to the calendar-local date of ``submitted_at``). Every
    invalid field is reported at once (422); then an unknown product is a 404 and a
    version that does not parse a 422 ``invalid_version``. An answer to a payload with
    a ``ticket`` is recorded in the history, as asked by ``actor`` (a token's name).
    """
    support = support or settings()
    calendar = support.calendar
    if not isinstance(payload, Mapping):
        raise Unprocessable(
            "The body must be a JSON object with the ticket's fields.",
            errors={"_body": ["Expected a JSON object."]},
        )
    ticket_part = {k: v for k, v in payload.items() if k in TICKET_FIELDS}
    query_part = {
        k: v for k, v in payload.items() if k not in TICKET_FIELDS and k not in CUSTOMER_FIELDS
    }

    errors: dict[str, Any] = {
        name: [NO_CUSTOMERS] for name in CUSTOMER_FIELDS if payload.get(name) is not None
    }
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
    view = eligibility.find_product(query.product)
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
    target_words = describe_target(target) if target is not None else None
    answer["response_target"] = target_words
    answer["response_due_at"] = due.isoformat() if due is not None else None
    answer["reply"] = compose_reply(
        verdict,
        product_name=view.name,
        platform_name=_platform_name(verdict, view.registry),
        response_due_at=due,
        response_target=target_words,
    )
    reference: str | None = ticket.get("ticket")
    if reference is not None:
        reference = reference.strip()
        answer["ticket"] = reference
        history.record(reference, actor or "unknown", payload, answer)
    return answer


def _platform_name(verdict: Verdict, registry: Any) -> str | None:
    """The customer's platform in words, as recorded (``Ubuntu 22.04``), when one was given."""
    check = verdict.platform
    if check is None:
        return None
    platform = registry.platforms.get(check.platform)
    return f"{platform.name if platform is not None else check.platform} {check.version}"


_UNIT_WORDS = {
    TargetUnit.ELAPSED_HOURS: ("hour", "hours", ", around the clock"),
    TargetUnit.BUSINESS_HOURS: ("business hour", "business hours", ""),
    TargetUnit.BUSINESS_DAYS: ("business day", "business days", ""),
}


def describe_target(target: ResponseTarget) -> str:
    """The target in words: ``"4 business hours"``, ``"1 hour, around the clock"``."""
    one, many, suffix = _UNIT_WORDS[target.unit]
    return f"{target.amount:g} {one if target.amount == 1 else many}{suffix}"
