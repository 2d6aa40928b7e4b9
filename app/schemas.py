"""The schemas' ground floor: field types that hold input to the rules of ``app.inputs``
(slugs, names, texts, dates, versions), the strict and query base schemas, and the
problem+json shape. Each area builds its own schemas from these."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.inputs import (
    CONTROL,
    CONTROL_IN_MULTILINE,
    ISO_DAY,
    LONG_TEXT_WIDTH,
    MAX_DATE,
    MIN_DATE,
    NAME_WIDTH,
    SLUG_PATTERN,
    SLUG_RULE,
    SLUG_WIDTH,
    VERSION_WIDTH,
    is_slug,
)


def no_control(multiline: bool) -> validate.Validator:
    """Refuses control characters (multi-line texts may hold tab, line feed and CR)."""
    pattern = CONTROL_IN_MULTILINE if multiline else CONTROL

    class NoControl(validate.Validator):
        def __call__(self, value: str) -> str:
            if pattern.search(value):
                raise ValidationError("Control characters are not allowed.")
            return value

    return NoControl()


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _slug(value: str) -> None:
    if not is_slug(value):
        raise ValidationError(SLUG_RULE)


def Slug(**kwargs: Any) -> fields.String:
    kwargs["metadata"] = {
        "pattern": SLUG_PATTERN,
        "example": "aperturedb",
        **kwargs.get("metadata", {}),
    }
    return fields.String(validate=[validate.Length(min=1, max=SLUG_WIDTH), _slug], **kwargs)


def Name(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=1, max=NAME_WIDTH), no_control(False), not_blank],
        **kwargs,
    )


def LongText(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=[validate.Length(max=LONG_TEXT_WIDTH), no_control(True)],
        allow_none=True,
        **kwargs,
    )


class _Day(fields.Date):
    """A date written YYYY-MM-DD (SPEC 6): not the other forms ``date.fromisoformat`` takes
    (``20261122``, ``2026-W47-7``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, str) and not ISO_DAY.fullmatch(value):
            raise self.make_error("invalid")
        result: date = super()._deserialize(value, attr, data, **kwargs)
        return result


def Day(**kwargs: Any) -> fields.Date:
    kwargs["metadata"] = {"example": "2026-11-22", **kwargs.get("metadata", {})}
    return _Day(validate=validate.Range(min=MIN_DATE, max=MAX_DATE), **kwargs)


def VersionText(**kwargs: Any) -> fields.String:
    kwargs["metadata"] = {"example": "2.5.1", **kwargs.get("metadata", {})}
    return fields.String(
        validate=[validate.Length(min=1, max=VERSION_WIDTH), no_control(False)], **kwargs
    )


class StrictSchema(Schema):
    """Request bodies: unknown or server-owned fields are refused (marshmallow's default)."""


class QuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String()
    errors = fields.Dict(keys=fields.String())
    did_you_mean = fields.List(
        fields.String(),
        metadata={
            "description": "for an unknown product: up to three known slugs close to the "
            "one given (SPEC 17)"
        },
    )
