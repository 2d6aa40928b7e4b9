"""The catalogue's schemas: strict input, output shapes, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.inputs import PLATFORM_VERSION_WIDTH
from app.schemas import (
    Day,
    LongText,
    Name,
    QuerySchema,
    Slug,
    StrictSchema,
    VersionText,
    no_control,
    not_blank,
)
from platforms.matrix import version_match_key

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
        required=True,
        validate=[validate.Length(min=1, max=PLATFORM_VERSION_WIDTH), no_control(False)],
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


def _alias() -> fields.String:
    return fields.String(
        validate=[validate.Length(min=1, max=PLATFORM_VERSION_WIDTH), no_control(False), not_blank]
    )


ALIASES_TEXT = (
    "other names of this version, compared case-insensitively and unique within the "
    "platform (SPEC 17), e.g. jammy for Ubuntu 22.04"
)


class PlatformVersionInSchema(StrictSchema):
    version = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=PLATFORM_VERSION_WIDTH), no_control(False), not_blank],
    )
    vendor_eol = Day(allow_none=True)
    aliases = fields.List(
        _alias(),
        validate=validate.Length(max=50),
        metadata={"description": ALIASES_TEXT, "example": ["jammy", "22.04 LTS"]},
    )


class PlatformCreateSchema(StrictSchema):
    slug = Slug(required=True)
    name = Name(required=True)
    versions = fields.List(fields.Nested(PlatformVersionInSchema), load_default=list)

    @validates_schema
    def _unique_versions(self, data: dict[str, Any], **_: Any) -> None:
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
    aliases = fields.List(
        _alias(),
        validate=validate.Length(max=50),
        metadata={"description": ALIASES_TEXT + "; absent leaves them as they are"},
    )


class PlatformVersionSchema(Schema):
    version = fields.String()
    vendor_eol = fields.Date(allow_none=True)
    aliases = fields.List(
        fields.String(), metadata={"description": "other names of it; absent when none"}
    )


class PlatformSchema(Schema):
    slug = fields.String()
    name = fields.String()
    versions = fields.List(fields.Nested(PlatformVersionSchema))
