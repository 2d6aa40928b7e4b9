"""The catalogue file of ``import``/``export`` (SPEC 7), version 1: its values and its
schema. A file is checked in full before anything is written: every problem is reported
with its place (``products[3].releases[12].version``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from app.catalogue.platforms import core_version
from app.catalogue.schemas import MatrixEntrySchema, PlatformVersionInSchema, PolicySchema
from app.catalogue.service import match_key
from app.errors import Unprocessable
from app.inputs import CYCLE_KEY_WIDTH, PLATFORM_VERSION_KEY_WIDTH, VERSION_WIDTH
from app.schemas import Day, LongText, Name, Slug, StrictSchema, VersionText
from lifecycle.errors import LifecycleError
from lifecycle.policy import Policy
from lifecycle.versions import canonical_version, parse_version
from platforms.matrix import PlatformVersion as CoreVersion
from platforms.matrix import name_clashes

FORMAT = "lifecycle-catalogue"
FORMAT_VERSION = 1


# --- the catalogue as values -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseEntry:
    version: str
    key: str
    released_on: date
    notes: str | None


@dataclass(frozen=True, slots=True)
class MatrixRowEntry:
    """A cycle's platforms as the file lists them, (platform slug, version) in file order."""

    cycle: str
    platforms: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ProductEntry:
    slug: str
    name: str
    description: str | None
    policy: Policy
    releases: tuple[ReleaseEntry, ...]
    matrix: tuple[MatrixRowEntry, ...]


@dataclass(frozen=True, slots=True)
class PlatformVersionEntry:
    version: str
    key: str
    vendor_eol: date | None
    # SPEC 17; None where the file leaves them out (a merge then keeps those recorded).
    aliases: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class PlatformEntry:
    slug: str
    name: str
    versions: tuple[PlatformVersionEntry, ...]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A whole catalogue file, validated: every version parses, every policy holds."""

    products: tuple[ProductEntry, ...]
    platforms: tuple[PlatformEntry, ...]


class CatalogueFileError(Unprocessable):
    """A catalogue file that cannot be imported, with every problem and its place."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        grouped: dict[str, list[str]] = {}
        for place, message in problems:
            grouped.setdefault(place, []).append(message)
        first = f"{problems[0][0]}: {problems[0][1]}" if problems else "Invalid catalogue file."
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more, errors=grouped)

    def lines(self) -> list[str]:
        return [f"{place}: {message}" for place, message in self.problems]


# --- the file's schema -----------------------------------------------------------------


def _parses(text: str) -> None:
    try:
        key = canonical_version(parse_version(text))
    except LifecycleError as exc:
        raise ValidationError(str(exc)) from None
    if len(key) > VERSION_WIDTH:
        raise ValidationError(f"Invalid version: {text!r} is too long once normalized.")


class _ReleaseSchema(StrictSchema):
    version = VersionText(required=True)
    released_on = Day(required=True)
    notes = LongText(load_default=None)

    @validates("version")
    def _version(self, value: str, **_: Any) -> None:
        _parses(value)

    @post_load
    def _entry(self, data: dict[str, Any], **_: Any) -> ReleaseEntry:
        version = data["version"].strip()
        key = canonical_version(parse_version(version))
        return ReleaseEntry(version, key, data["released_on"], data["notes"])


class _MatrixRowSchema(StrictSchema):
    cycle = fields.String(required=True, validate=validate.Length(min=1, max=CYCLE_KEY_WIDTH))
    platforms = fields.List(fields.Nested(MatrixEntrySchema), required=True)


class _ProductSchema(StrictSchema):
    slug = Slug(required=True)
    name = Name(required=True)
    description = LongText(load_default=None)
    policy = fields.Nested(PolicySchema)
    releases = fields.List(fields.Nested(_ReleaseSchema), load_default=list)
    matrix = fields.List(fields.Nested(_MatrixRowSchema), load_default=list)

    @post_load
    def _entry(self, data: dict[str, Any], **_: Any) -> ProductEntry:
        try:
            policy = Policy(**{**Policy().to_dict(), **data.get("policy", {})})
        except LifecycleError as exc:
            raise ValidationError({"policy": [str(exc)]}) from None
        problems: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        releases: list[ReleaseEntry] = data["releases"]
        for i, release in enumerate(releases):
            if release.key in first_seen:
                j = first_seen[release.key]
                problems.setdefault("releases", {})[i] = {
                    "version": [
                        f"{release.version!r} is the same version as releases[{j}] "
                        f"({releases[j].version!r})."
                    ]
                }
            first_seen.setdefault(release.key, i)
        rows: list[MatrixRowEntry] = []
        cycles: dict[str, int] = {}
        for i, row in enumerate(data["matrix"]):
            try:
                key = policy.normalize_cycle_key(row["cycle"])
            except LifecycleError as exc:
                problems.setdefault("matrix", {})[i] = {"cycle": [str(exc)]}
                continue
            if len(key) > CYCLE_KEY_WIDTH:
                problems.setdefault("matrix", {})[i] = {
                    "cycle": [f"Invalid cycle {key!r}: too long."]
                }
                continue
            if key in cycles:
                problems.setdefault("matrix", {})[i] = {
                    "cycle": [f"Cycle {key!r} has a row already (matrix[{cycles[key]}])."]
                }
            cycles.setdefault(key, i)
            entries = tuple((e["platform"], e["version"].strip()) for e in row["platforms"])
            rows.append(MatrixRowEntry(key, entries))
        if problems:
            raise ValidationError(problems)
        return ProductEntry(
            slug=data["slug"],
            name=data["name"],
            description=data["description"],
            policy=policy,
            releases=tuple(releases),
            matrix=tuple(rows),
        )


class _PlatformSchema(StrictSchema):
    slug = Slug(required=True)
    name = Name(required=True)
    versions = fields.List(fields.Nested(PlatformVersionInSchema), load_default=list)

    @post_load
    def _entry(self, data: dict[str, Any], **_: Any) -> PlatformEntry:
        problems: dict[int, Any] = {}
        first_seen: dict[str, int] = {}
        versions: list[PlatformVersionEntry] = []
        for i, item in enumerate(data["versions"]):
            text = item["version"].strip()
            key = match_key(text)
            if len(key) > PLATFORM_VERSION_KEY_WIDTH:
                problems[i] = {"version": [f"Invalid platform version {text!r}: too long."]}
            elif key in first_seen:
                j = first_seen[key]
                problems[i] = {
                    "version": [
                        f"{text!r} is the same version as versions[{j}] ({versions[j].version!r})."
                    ]
                }
            first_seen.setdefault(key, i)
            aliases: tuple[str, ...] | None = None
            if "aliases" in item:
                try:
                    aliases = core_version(text, item["aliases"]).aliases
                except Unprocessable as exc:
                    problems.setdefault(i, {}).update(exc.errors or {})
            versions.append(PlatformVersionEntry(text, key, item.get("vendor_eol"), aliases))
        if not problems:
            cores = [CoreVersion(v.version, aliases=v.aliases or ()) for v in versions]
            for name, owner, claimant in name_clashes(cores):
                j = next(k for k, v in enumerate(versions) if v.version == claimant)
                problems[j] = {
                    "aliases": [
                        f"{name!r} names version {owner!r} already; a name belongs to "
                        "one version of a platform."
                    ]
                }
        if problems:
            raise ValidationError({"versions": problems})
        return PlatformEntry(data["slug"], data["name"], tuple(versions))


class CatalogueSchema(Schema):
    """Version 1 of the catalogue file; unknown fields anywhere are refused."""

    format = fields.String(
        required=True,
        validate=validate.Equal(FORMAT, error=f"Not a catalogue file: expected {FORMAT!r}."),
    )
    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Equal(
            FORMAT_VERSION,
            error=f"Unsupported catalogue format version {{input}}; this Lifecycle reads "
            f"version {FORMAT_VERSION}.",
        ),
    )
    products = fields.List(fields.Nested(_ProductSchema), load_default=list)
    platforms = fields.List(fields.Nested(_PlatformSchema), load_default=list)

    @post_load
    def _catalogue(self, data: dict[str, Any], **_: Any) -> Catalogue:
        problems: dict[str, Any] = {}
        for name in ("products", "platforms"):
            seen: dict[str, int] = {}
            for i, entry in enumerate(data[name]):
                if entry.slug in seen:
                    problems.setdefault(name, {})[i] = {
                        "slug": [
                            f"{entry.slug!r} is listed twice (also {name}[{seen[entry.slug]}])."
                        ]
                    }
                seen.setdefault(entry.slug, i)
        if problems:
            raise ValidationError(problems)
        return Catalogue(tuple(data["products"]), tuple(data["platforms"]))


def _flatten(messages: Any, place: str = "") -> Iterator[tuple[str, str]]:
    """marshmallow's nested errors as ("products[3].releases[12].version", message) pairs."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                sub = place
            elif isinstance(key, int):
                sub = f"{place}[{key}]"
            else:
                sub = f"{place}.{key}" if place else str(key)
            yield from _flatten(value, sub)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, place)
    else:
        yield (place or "(document)", str(messages))


def parse_catalogue(text: str | bytes) -> Catalogue:
    """A catalogue file's text, checked in full; :class:`CatalogueFileError` says where not."""
    try:
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise CatalogueFileError([("(document)", f"Not UTF-8 text: {exc}.")]) from None
    except json.JSONDecodeError as exc:
        place = f"line {exc.lineno} column {exc.colno}"
        raise CatalogueFileError([(place, f"Not JSON: {exc.msg}.")]) from None
    return load_catalogue(data)


def load_catalogue(data: Any) -> Catalogue:
    """A catalogue document already read from JSON, checked in full."""
    if not isinstance(data, Mapping):
        raise CatalogueFileError([("(document)", "A catalogue file is a JSON object.")])
    try:
        catalogue: Catalogue = CatalogueSchema().load(data)
    except ValidationError as exc:
        raise CatalogueFileError(list(_flatten(exc.messages))) from None
    return catalogue
