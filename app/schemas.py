"""Marshmallow schemas: strict input validation, output shapes, and the OpenAPI document."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

SLUG_RE = r"^[a-z0-9][a-z0-9-]{0,63}$"
# SLUG_RE is also the OpenAPI pattern; in Python "$" matches before a final newline, so
# loading uses this fullmatch form.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# Control characters are Unicode's Cc: C0, DEL and C1 (U+0080..U+009F); multi-line texts
# may hold tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Dates outside this range are typos, and month arithmetic near year 9999 overflows.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)


def _no_control(multiline: bool) -> validate.Validator:
    pattern = _CONTROL if multiline else _CONTROL_ANY

    class NoControl(validate.Validator):
        def __call__(self, value: str) -> str:
            if pattern.search(value):
                raise ValidationError("Control characters are not allowed.")
            return value

    return NoControl()


def is_slug(text: str) -> bool:
    """True when ``text`` is a slug (SPEC 6), with no trailing newline slipping through."""
    return _SLUG.fullmatch(text) is not None


def _slug(value: str) -> None:
    if not is_slug(value):
        raise ValidationError("A slug is 1-64 of a-z, 0-9 and -, starting with a letter or digit.")


def Slug(**kwargs: Any) -> fields.String:
    kwargs["metadata"] = {"pattern": SLUG_RE, "example": "aperturedb", **kwargs.get("metadata", {})}
    return fields.String(validate=[validate.Length(min=1, max=64), _slug], **kwargs)


def Name(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=1, max=200), _no_control(False), _not_blank],
        **kwargs,
    )


def LongText(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=[validate.Length(max=10_000), _no_control(True)], allow_none=True, **kwargs
    )


class _Day(fields.Date):
    """A date written YYYY-MM-DD (SPEC 6): not the other forms ``date.fromisoformat`` takes
    (``20261122``, ``2026-W47-7``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
            raise self.make_error("invalid")
        result: date = super()._deserialize(value, attr, data, **kwargs)
        return result


def Day(**kwargs: Any) -> fields.Date:
    kwargs["metadata"] = {"example": "2026-11-22", **kwargs.get("metadata", {})}
    return _Day(validate=validate.Range(min=MIN_DATE, max=MAX_DATE), **kwargs)


def VersionText(**kwargs: Any) -> fields.String:
    kwargs["metadata"] = {"example": "2.5.1", **kwargs.get("metadata", {})}
    return fields.String(validate=[validate.Length(min=1, max=200), _no_control(False)], **kwargs)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


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


# --- policy and products ---------------------------------------------------------------


class PolicySchema(StrictSchema):
    cycle = fields.String(validate=validate.OneOf(["major", "minor"]), load_default="major")
    full_support_cycles = fields.Integer(
        strict=True, validate=validate.Range(1, 100), load_default=1
    )
    security_cycles = fields.Integer(strict=True, validate=validate.Range(0, 100), load_default=1)
    eosl_months = fields.Integer(strict=True, validate=validate.Range(0, 1200), load_default=6)


class PolicyPatchSchema(StrictSchema):
    cycle = fields.String(validate=validate.OneOf(["major", "minor"]))
    full_support_cycles = fields.Integer(strict=True, validate=validate.Range(1, 100))
    security_cycles = fields.Integer(strict=True, validate=validate.Range(0, 100))
    eosl_months = fields.Integer(strict=True, validate=validate.Range(0, 1200))


class ProductCreateSchema(StrictSchema):
    slug = Slug(required=True)
    name = Name(required=True)
    description = LongText()
    policy = fields.Nested(PolicySchema)


class ProductPatchSchema(StrictSchema):
    name = Name()
    description = LongText()
    policy = fields.Nested(PolicyPatchSchema)


class DatesSchema(Schema):
    released_on = fields.Date(allow_none=True)
    security_only_from = fields.Date(allow_none=True)
    eol_on = fields.Date(allow_none=True)
    eosl_on = fields.Date(allow_none=True)


class MatrixEntrySchema(StrictSchema):
    platform = Slug(required=True)
    version = fields.String(
        required=True, validate=[validate.Length(min=1, max=100), _no_control(False)]
    )


class MatrixEntryOutSchema(Schema):
    platform = fields.String()
    version = fields.String()
    vendor_eol = fields.Date(allow_none=True)


class CycleSchema(Schema):
    cycle = fields.String()
    status = fields.String()
    support_level = fields.String()
    released_on = fields.Date(allow_none=True)
    security_only_from = fields.Date(allow_none=True)
    eol_on = fields.Date(allow_none=True)
    eosl_on = fields.Date(allow_none=True)
    latest = fields.String(allow_none=True)
    latest_released_on = fields.Date(allow_none=True)
    releases = fields.Integer()
    platforms = fields.List(fields.Nested(MatrixEntryOutSchema))


class ProductSchema(Schema):
    slug = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    policy = fields.Nested(PolicySchema)
    releases = fields.Integer()
    status = fields.String(allow_none=True, metadata={"description": "newest cycle's status"})


class ProductDetailSchema(ProductSchema):
    as_of = fields.Date()
    cycles = fields.List(fields.Nested(CycleSchema))


class AsOfQuerySchema(QuerySchema):
    as_of = Day(metadata={"description": "the date to judge on (default: today, UTC)"})


# --- releases ---------------------------------------------------------------------------


class ReleaseCreateSchema(StrictSchema):
    version = VersionText(required=True)
    released_on = Day(required=True)
    notes = LongText()


class ReleasePatchSchema(StrictSchema):
    released_on = Day()
    notes = LongText()


class ReleaseSchema(Schema):
    version = fields.String()
    released_on = fields.Date()
    notes = fields.String(allow_none=True)
    cycle = fields.String()
    prerelease = fields.Boolean()
    status = fields.String()


# --- platforms --------------------------------------------------------------------------


class PlatformVersionInSchema(StrictSchema):
    version = fields.String(
        required=True, validate=[validate.Length(min=1, max=100), _no_control(False), _not_blank]
    )
    vendor_eol = Day(allow_none=True)


class PlatformCreateSchema(StrictSchema):
    slug = Slug(required=True)
    name = Name(required=True)
    versions = fields.List(fields.Nested(PlatformVersionInSchema), load_default=list)

    @validates_schema
    def _unique_versions(self, data: dict[str, Any], **_: Any) -> None:
        from platforms.matrix import version_match_key

        seen: set[object] = set()
        for item in data.get("versions", []):
            key = version_match_key(item["version"])
            if key in seen:
                raise ValidationError(f"Version {item['version']!r} is listed twice.", "versions")
            seen.add(key)


class PlatformPatchSchema(StrictSchema):
    name = Name()


class VendorEolSchema(StrictSchema):
    vendor_eol = Day(required=True, allow_none=True)


class PlatformVersionSchema(Schema):
    version = fields.String()
    vendor_eol = fields.Date(allow_none=True)


class PlatformSchema(Schema):
    slug = fields.String()
    name = fields.String()
    versions = fields.List(fields.Nested(PlatformVersionSchema))
