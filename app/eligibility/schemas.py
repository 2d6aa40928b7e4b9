"""The eligibility endpoints' schemas. The views parse their input by hand (the hot
path, :mod:`app.eligibility.query`); these document it in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from app.catalogue.schemas import DatesSchema
from app.eligibility import query as queries
from app.eligibility.batch import MAX_BATCH
from app.inputs import TICKET_WIDTH, ticket_problem
from app.schemas import Day, QuerySchema, StrictSchema, VersionText
from lifecycle.severity import Severity
from lifecycle.status import Status, SupportLevel

JSON = "application/json"


_NOT_BLANK = validate.Length(min=1, max=queries.MAX_TEXT)


def _ticket(value: str) -> None:
    problem = ticket_problem(value)
    if problem is not None:
        raise ValidationError(problem)


def Ticket(**kwargs: Any) -> fields.String:
    """SPEC 17: an opaque reference to the desk's ticket, echoed in the answer."""
    return fields.String(
        validate=[validate.Length(min=1, max=TICKET_WIDTH), _ticket],
        metadata={
            "description": "an opaque reference to your ticket (at most 200 characters), "
            "echoed in the answer",
            "example": "ZD-48213",
        },
        **kwargs,
    )


class _EligibilityFields(Schema):
    product = fields.String(
        required=True,
        validate=_NOT_BLANK,
        metadata={"description": "product slug, in any case", "example": "aperturedb"},
    )
    version = VersionText(required=True)
    platform = fields.String(
        validate=_NOT_BLANK,
        metadata={
            "description": "platform slug, in any case; give platform_version with it",
            "example": "ubuntu",
        },
    )
    platform_version = fields.String(
        validate=_NOT_BLANK,
        metadata={
            "description": "platform version or one of its aliases (22.04 matches 22.4 and "
            "jammy; on a platform of whole-number versions, 9.2 matches 9)",
            "example": "22.04",
        },
    )
    environment = fields.String(
        validate=validate.OneOf(queries.ENVIRONMENTS),
        metadata={"description": "default production"},
    )
    subscription = fields.String(
        validate=validate.OneOf(queries.SUBSCRIPTIONS),
        metadata={"description": "default production; basic is a non-production subscription"},
    )
    severity = fields.String(
        validate=_NOT_BLANK,
        metadata={
            "description": f"the requested severity: {queries.SEVERITY_HELP}, any case",
            "example": "high",
        },
    )
    as_of = Day(metadata={"description": "the date to judge on (default: today, UTC)"})
    ticket = Ticket()


class EligibilityQuerySchema(_EligibilityFields, QuerySchema):
    """The query parameters of the GET; any other parameter is refused (422)."""


class EligibilityItemSchema(_EligibilityFields, StrictSchema):
    """The GET's parameters as JSON fields; null is the same as absent for optional ones."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        if not field_obj.required:
            field_obj.allow_none = True


_ITEM_TEXT = (
    "the fields of GET /api/v1/eligibility, as JSON: product and version "
    "(strings) required; platform, platform_version, environment, subscription, severity, "
    "as_of and ticket optional (strings, or null for absent). A query that is not valid (or "
    'not a known product) is still answered: with {"error": problem} in its place. A '
    "ticket is echoed in its result, verdict or error."
)


class BatchSchema(StrictSchema):
    """The batch: only the envelope is refused (422); each query is answered in place."""

    queries = fields.List(
        fields.Dict(metadata={"description": _ITEM_TEXT}),
        required=True,
        # Not maxItems: the limit is answered 413 (SPEC 6), where a schema violation is a 422.
        metadata={"description": f"at most {MAX_BATCH:,} queries; more is a 413"},
    )


class PlatformVerdictSchema(Schema):
    platform = fields.String(required=True)
    version = fields.String(required=True)
    supported = fields.Boolean(required=True)
    vendor_eol = fields.Date(required=True, allow_none=True)


_SEVERITY = validate.OneOf([s.value for s in Severity])
REASON_CODES = (
    "unknown_cycle, prerelease, planned, current, security_only, eol, eosl, unknown_release, "
    "platform_unchecked, unknown_platform, platform_not_supported, platform_vendor_eol, "
    "no_subscription, non_production, basic_subscription, severity_downgraded, "
    "severity_unavailable"
)


class SeverityVerdictSchema(Schema):
    requested = fields.String(required=True, allow_none=True, validate=_SEVERITY)
    granted = fields.String(required=True, allow_none=True, validate=_SEVERITY)


class ReasonSchema(Schema):
    code = fields.String(
        required=True,
        metadata={"description": f"stable, one of: {REASON_CODES}", "example": "security_only"},
    )
    message = fields.String(
        required=True, metadata={"description": "a sentence to paste into a reply"}
    )
    did_you_mean = fields.List(
        fields.String(),
        metadata={
            "description": "unknown_platform only: up to three known platform slugs (or "
            "versions of the platform) close to the one given"
        },
    )


class VerdictSchema(Schema):
    product = fields.String(required=True)
    version = fields.String(required=True)
    release_known = fields.Boolean(required=True)
    cycle = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    support_level = fields.String(
        required=True, validate=validate.OneOf([s.value for s in SupportLevel])
    )
    covered = fields.Boolean(required=True)
    as_of = fields.Date(required=True)
    dates = fields.Nested(DatesSchema, required=True, allow_none=True)
    platform = fields.Nested(PlatformVerdictSchema, required=True, allow_none=True)
    environment = fields.String(required=True, validate=validate.OneOf(queries.ENVIRONMENTS))
    subscription = fields.String(required=True, validate=validate.OneOf(queries.SUBSCRIPTIONS))
    allowed_severities = fields.List(fields.String(validate=_SEVERITY), required=True)
    severity = fields.Nested(SeverityVerdictSchema, required=True)
    upgrade_to = fields.String(required=True, allow_none=True)
    upgrade_on_platform = fields.String(
        allow_none=True,
        metadata={
            "description": "only when a platform is given: the latest GA release of the "
            "newest current cycle that supports that platform version, while its vendor "
            "still supports it; null when there is none"
        },
    )
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    ticket = fields.String(metadata={"description": "the query's ticket, when it had one"})


_BATCH_ERROR = {
    "type": "object",
    "properties": {
        "error": {"$ref": "#/components/schemas/Problem"},
        "ticket": {"type": "string"},
    },
    "required": ["error"],
    "additionalProperties": False,
}


class BatchResultsSchema(Schema):
    results = fields.List(
        fields.Raw(
            metadata={
                "description": "the verdict, or the problem the single GET would answer",
                "oneOf": [{"$ref": "#/components/schemas/Verdict"}, _BATCH_ERROR],
            }
        ),
        required=True,
    )
