"""Moving whole catalogues in and out (SPEC 7): the versioned catalogue file of
``import``/``export``, and version histories in the release-data format.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from app import db
from app.catalogue.models import MatrixEntry
from app.catalogue.models import Platform as PlatformRow
from app.catalogue.models import PlatformVersion as PlatformVersionRow
from app.catalogue.models import Product as ProductRow
from app.catalogue.models import Release as ReleaseRow
from app.catalogue.service import bump_platforms, bump_product, new_revision, version_match_key
from app.errors import Unprocessable
from app.schemas import (
    MAX_DATE,
    MIN_DATE,
    Day,
    LongText,
    MatrixEntrySchema,
    Name,
    PlatformVersionInSchema,
    PolicySchema,
    Slug,
    StrictSchema,
    VersionText,
    is_slug,
)
from lifecycle.errors import LifecycleError
from lifecycle.policy import Policy, cycle_sort_key
from lifecycle.versions import canonical_version, parse_version, version_key

FORMAT = "lifecycle-catalogue"
FORMAT_VERSION = 1

# The database's column widths: a normal form can be longer than what was written
# (1-1 is 1.post1), so keys are checked here, before the database would refuse them.


def _width(column: Any) -> int:
    length = column.property.columns[0].type.length
    assert isinstance(length, int)
    return length


RELEASE_KEY_WIDTH = _width(ReleaseRow.version_key)
PLATFORM_VERSION_KEY_WIDTH = _width(PlatformVersionRow.version_key)
CYCLE_KEY_WIDTH = _width(MatrixEntry.cycle_key)
# Bulk statements stay under every database's limit on bound parameters.
CHUNK = 1000


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
    if len(key) > RELEASE_KEY_WIDTH:
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
            key = version_match_key(text)
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
            versions.append(PlatformVersionEntry(text, key, item.get("vendor_eol")))
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


# --- export ------------------------------------------------------------------------------


def export_document() -> dict[str, Any]:
    """The whole catalogue in the file format, in an order that depends only on the data."""
    session = db.session()
    if session.get_bind().dialect.name == "postgresql":
        # One snapshot for every query below.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    releases: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for product_id, version, day, notes in session.execute(
        select(ReleaseRow.product_id, ReleaseRow.version, ReleaseRow.released_on, ReleaseRow.notes)
    ):
        releases[product_id].append((version, day, notes))
    matrix: dict[int, dict[str, list[dict[str, str]]]] = defaultdict(dict)
    for product_id, cycle_key, slug, version in session.execute(
        select(
            MatrixEntry.product_id,
            MatrixEntry.cycle_key,
            PlatformRow.slug,
            PlatformVersionRow.version,
        )
        .join(PlatformVersionRow, MatrixEntry.platform_version_id == PlatformVersionRow.id)
        .join(PlatformRow, PlatformVersionRow.platform_id == PlatformRow.id)
        .order_by(PlatformRow.slug, PlatformVersionRow.id)
    ):
        matrix[product_id].setdefault(cycle_key, []).append({"platform": slug, "version": version})
    products = []
    for row in session.execute(select(ProductRow).order_by(ProductRow.slug)).scalars():
        ordered = sorted(releases[row.id], key=lambda r: (parse_version(r[0]), r[0]))
        products.append(
            {
                "slug": row.slug,
                "name": row.name,
                "description": row.description,
                "policy": {
                    "cycle": row.policy_cycle,
                    "full_support_cycles": row.full_support_cycles,
                    "security_cycles": row.security_cycles,
                    "eosl_months": row.eosl_months,
                },
                "releases": [
                    {"version": v, "released_on": d.isoformat(), "notes": n} for v, d, n in ordered
                ],
                "matrix": [
                    {"cycle": key, "platforms": matrix[row.id][key]}
                    for key in sorted(matrix[row.id], key=cycle_sort_key)
                ],
            }
        )
    platforms = [
        {
            "slug": p.slug,
            "name": p.name,
            "versions": [
                {
                    "version": v.version,
                    "vendor_eol": v.vendor_eol.isoformat() if v.vendor_eol else None,
                }
                for v in p.versions
            ],
        }
        for p in session.scalars(
            select(PlatformRow)
            .options(selectinload(PlatformRow.versions))
            .order_by(PlatformRow.slug)
        )
    ]
    session.rollback()
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "products": products,
        "platforms": platforms,
    }


def dump_document(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- import ------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportSummary:
    """What an import did; all zero but the unchanged counts when the file changed nothing."""

    replace: bool = False
    products_created: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    products_deleted: int = 0
    releases_added: int = 0
    releases_deleted: int = 0
    platforms_created: int = 0
    platforms_updated: int = 0
    platforms_unchanged: int = 0
    platforms_deleted: int = 0
    platform_versions_added: int = 0
    matrix_rows_set: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.products_created
            or self.products_updated
            or self.products_deleted
            or self.platforms_created
            or self.platforms_updated
            or self.platforms_deleted
        )

    def describe(self) -> str:
        """One line per kind of thing, for the command's output."""
        products = (
            f"products: {self.products_created} created, {self.products_updated} updated, "
            f"{self.products_unchanged} unchanged"
        )
        releases = f"releases: {self.releases_added} added"
        platforms = (
            f"platforms: {self.platforms_created} created, {self.platforms_updated} updated, "
            f"{self.platforms_unchanged} unchanged"
        )
        if self.replace:
            products += f", {self.products_deleted} deleted"
            releases += f", {self.releases_deleted} deleted"
            platforms += f", {self.platforms_deleted} deleted"
        return "\n".join(
            [
                products,
                releases,
                f"{platforms} ({self.platform_versions_added} versions added)",
                f"matrix rows set: {self.matrix_rows_set}",
            ]
        )


def import_catalogue(
    catalogue: Catalogue, *, replace: bool = False, dry_run: bool = False
) -> ImportSummary:
    """Write ``catalogue`` in one transaction: everything, or on any problem nothing.

    Merge (the default) adds what the database lacks and updates products' and
    platforms' own fields; a release or platform version recorded differently is
    a conflict. ``replace`` makes the catalogue exactly the file. ``dry_run``
    does all of it but the commit.
    """
    session = db.session()
    try:
        summary = _Importer(session, catalogue, replace).run()
        if summary.changed and not dry_run:
            session.commit()
        else:
            session.rollback()
    except IntegrityError as exc:
        session.rollback()
        raise CatalogueFileError(
            [("(database)", f"The database refused the catalogue: {exc.orig}")]
        ) from None
    except BaseException:
        session.rollback()
        raise
    return summary


class _Importer:
    def __init__(self, session: Session, catalogue: Catalogue, replace: bool) -> None:
        self.session = session
        self.catalogue = catalogue
        self.replace = replace
        self.summary = ImportSummary(replace=replace)
        self.problems: list[tuple[str, str]] = []

    def run(self) -> ImportSummary:
        platforms_changed = self._platforms()
        self.session.flush()
        versions = {
            (slug, key): pv_id
            for slug, key, pv_id in self.session.execute(
                select(
                    PlatformRow.slug, PlatformVersionRow.version_key, PlatformVersionRow.id
                ).join(PlatformVersionRow, PlatformVersionRow.platform_id == PlatformRow.id)
            )
        }
        known_platforms = {slug for slug, _ in versions} | {
            p.slug for p in self.catalogue.platforms
        }
        matrix_ids = self._resolve_matrix(versions, known_platforms)
        # Carries on past problems, to report every one; nothing is committed then.
        self._products(matrix_ids)
        if self.problems:
            raise CatalogueFileError(self.problems)
        if platforms_changed:
            bump_platforms(self.session)
        return self.summary

    # platforms

    def _platforms(self) -> bool:
        session, summary = self.session, self.summary
        rows = {
            p.slug: p
            for p in session.scalars(
                select(PlatformRow).options(selectinload(PlatformRow.versions))
            )
        }
        wanted = {p.slug for p in self.catalogue.platforms}
        changed = False
        if self.replace:
            for slug, gone in rows.items():
                if slug not in wanted:
                    session.delete(gone)
                    summary.platforms_deleted += 1
                    changed = True
        for i, entry in enumerate(self.catalogue.platforms):
            row = rows.get(entry.slug)
            if row is None:
                session.add(
                    PlatformRow(
                        slug=entry.slug,
                        name=entry.name,
                        versions=[
                            PlatformVersionRow(
                                version=v.version, version_key=v.key, vendor_eol=v.vendor_eol
                            )
                            for v in entry.versions
                        ],
                    )
                )
                summary.platforms_created += 1
                summary.platform_versions_added += len(entry.versions)
                changed = True
            elif self._platform(i, entry, row):
                summary.platforms_updated += 1
                changed = True
            else:
                summary.platforms_unchanged += 1
        return changed

    def _platform(self, i: int, entry: PlatformEntry, row: PlatformRow) -> bool:
        changed = False
        if row.name != entry.name:
            row.name = entry.name
            changed = True
        if self.replace and [(v.version, v.version_key) for v in row.versions] != [
            (v.version, v.key) for v in entry.versions
        ]:
            # Rewritten in the file's order, so that an export lists them as the file does;
            # the matrix rows that pointed at them are rewritten too.
            row.versions.clear()
            self.session.flush()
            row.versions.extend(
                PlatformVersionRow(version=v.version, version_key=v.key, vendor_eol=v.vendor_eol)
                for v in entry.versions
            )
            self.summary.platform_versions_added += len(entry.versions)
            return True
        by_key = {v.version_key: v for v in row.versions}
        for j, version in enumerate(entry.versions):
            found = by_key.get(version.key)
            if found is None:
                row.versions.append(
                    PlatformVersionRow(
                        version=version.version,
                        version_key=version.key,
                        vendor_eol=version.vendor_eol,
                    )
                )
                self.summary.platform_versions_added += 1
                changed = True
                continue
            if found.version != version.version:
                self.problems.append(
                    (
                        f"platforms[{i}].versions[{j}].version",
                        f"{row.slug} has this version recorded as {found.version!r}; merging "
                        "never renames a version (use --replace).",
                    )
                )
            if found.vendor_eol != version.vendor_eol:
                found.vendor_eol = version.vendor_eol
                changed = True
        return changed

    def _resolve_matrix(
        self, versions: Mapping[tuple[str, str], int], known_platforms: set[str]
    ) -> dict[tuple[int, int], list[int]]:
        """Each matrix row's platform version ids, keyed by (product index, row index)."""
        ids: dict[tuple[int, int], list[int]] = {}
        for i, product in enumerate(self.catalogue.products):
            for j, row in enumerate(product.matrix):
                found: list[int] = []
                for k, (platform, version) in enumerate(row.platforms):
                    place = f"products[{i}].matrix[{j}].platforms[{k}]"
                    if platform not in known_platforms:
                        self.problems.append(
                            (f"{place}.platform", f"Unknown platform {platform!r}.")
                        )
                        continue
                    pv_id = versions.get((platform, version_match_key(version)))
                    if pv_id is None:
                        self.problems.append(
                            (
                                f"{place}.version",
                                f"Platform {platform!r} has no version {version!r}.",
                            )
                        )
                    elif pv_id not in found:
                        found.append(pv_id)
                ids[(i, j)] = found
        return ids

    # products

    def _products(self, matrix_ids: Mapping[tuple[int, int], list[int]]) -> None:
        session, summary = self.session, self.summary
        rows = {p.slug: p for p in session.scalars(select(ProductRow))}
        if self.replace:
            wanted = {p.slug for p in self.catalogue.products}
            gone = [row.id for slug, row in rows.items() if slug not in wanted]
            for start in range(0, len(gone), CHUNK):
                chunk = gone[start : start + CHUNK]
                session.execute(delete(MatrixEntry).where(MatrixEntry.product_id.in_(chunk)))
                session.execute(delete(ReleaseRow).where(ReleaseRow.product_id.in_(chunk)))
                session.execute(delete(ProductRow).where(ProductRow.id.in_(chunk)))
            summary.products_deleted = len(gone)
        for i, entry in enumerate(self.catalogue.products):
            row = rows.get(entry.slug)
            matrix = {
                row_entry.cycle: matrix_ids[(i, j)] for j, row_entry in enumerate(entry.matrix)
            }
            if row is None:
                row = ProductRow(slug=entry.slug, revision=new_revision())
                _set_fields(row, entry)
                session.add(row)
                session.flush()
                self._add_releases(row.id, entry.releases)
                self._set_matrix(row.id, matrix, {})
                summary.products_created += 1
                continue
            changed = _set_fields(row, entry)
            if self.replace:
                changed = self._replace_product(row.id, entry, matrix) or changed
            else:
                changed = self._merge_product(i, row, entry, matrix) or changed
            if changed:
                bump_product(session, row.id)
                summary.products_updated += 1
            else:
                summary.products_unchanged += 1

    def _merge_product(
        self, i: int, row: ProductRow, entry: ProductEntry, matrix: Mapping[str, list[int]]
    ) -> bool:
        stored = {
            key: (version, day, notes)
            for key, version, day, notes in self.session.execute(
                select(
                    ReleaseRow.version_key,
                    ReleaseRow.version,
                    ReleaseRow.released_on,
                    ReleaseRow.notes,
                ).where(ReleaseRow.product_id == row.id)
            )
        }
        new: list[ReleaseEntry] = []
        for j, release in enumerate(entry.releases):
            known = stored.get(release.key)
            if known is None:
                new.append(release)
                continue
            differences = []
            if known[0] != release.version:
                differences.append(f"recorded as {known[0]!r}, not {release.version!r}")
            if known[1] != release.released_on:
                differences.append(
                    f"released on {known[1].isoformat()}, not {release.released_on.isoformat()}"
                )
            if known[2] != release.notes:
                differences.append("with other notes")
            if differences:
                self.problems.append(
                    (
                        f"products[{i}].releases[{j}]",
                        f"{row.slug} has this release already, {' and '.join(differences)}; "
                        "merging never changes a recorded release (use --replace).",
                    )
                )
        self._add_releases(row.id, new)
        matrix_changed = self._set_matrix(row.id, matrix, self._stored_matrix(row.id))
        return bool(new) or matrix_changed

    def _replace_product(
        self, product_id: int, entry: ProductEntry, matrix: Mapping[str, list[int]]
    ) -> bool:
        stored = self.session.execute(
            select(
                ReleaseRow.version, ReleaseRow.version_key, ReleaseRow.released_on, ReleaseRow.notes
            ).where(ReleaseRow.product_id == product_id)
        ).all()
        wanted = {(r.version, r.key, r.released_on, r.notes) for r in entry.releases}
        changed = False
        if {tuple(r) for r in stored} != wanted:
            self.session.execute(delete(ReleaseRow).where(ReleaseRow.product_id == product_id))
            self.summary.releases_deleted += len(stored)
            self._add_releases(product_id, entry.releases)
            changed = True
        stored_matrix = self._stored_matrix(product_id)
        for key in set(stored_matrix) - set(matrix):
            self.session.execute(
                delete(MatrixEntry).where(
                    MatrixEntry.product_id == product_id, MatrixEntry.cycle_key == key
                )
            )
            changed = True
        return self._set_matrix(product_id, matrix, stored_matrix) or changed

    def _stored_matrix(self, product_id: int) -> dict[str, list[int]]:
        stored: dict[str, list[int]] = {}
        for key, pv_id in self.session.execute(
            select(MatrixEntry.cycle_key, MatrixEntry.platform_version_id)
            .where(MatrixEntry.product_id == product_id)
            .order_by(MatrixEntry.id)
        ):
            stored.setdefault(key, []).append(pv_id)
        return stored

    def _add_releases(
        self, product_id: int, releases: tuple[ReleaseEntry, ...] | list[ReleaseEntry]
    ) -> None:
        rows = [
            {
                "product_id": product_id,
                "version": r.version,
                "version_key": r.key,
                "released_on": r.released_on,
                "notes": r.notes,
            }
            for r in releases
        ]
        for start in range(0, len(rows), CHUNK):
            self.session.execute(insert(ReleaseRow), rows[start : start + CHUNK])
        self.summary.releases_added += len(rows)

    def _set_matrix(
        self, product_id: int, matrix: Mapping[str, list[int]], stored: Mapping[str, list[int]]
    ) -> bool:
        changed = False
        for key, ids in matrix.items():
            if set(ids) == set(stored.get(key, ())):
                continue
            if key in stored:
                self.session.execute(
                    delete(MatrixEntry).where(
                        MatrixEntry.product_id == product_id, MatrixEntry.cycle_key == key
                    )
                )
            if ids:
                self.session.execute(
                    insert(MatrixEntry),
                    [
                        {"product_id": product_id, "cycle_key": key, "platform_version_id": pv}
                        for pv in ids
                    ],
                )
            self.summary.matrix_rows_set += 1
            changed = True
        return changed


def _set_fields(row: ProductRow, entry: ProductEntry) -> bool:
    """Copy the product's own fields; True when one of them changed."""
    values = {
        "name": entry.name,
        "description": entry.description,
        "policy_cycle": entry.policy.cycle,
        "full_support_cycles": entry.policy.full_support_cycles,
        "security_cycles": entry.policy.security_cycles,
        "eosl_months": entry.policy.eosl_months,
    }
    changed = False
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
            changed = True
    return changed


# --- release-data histories --------------------------------------------------------------

# A date, or the date part of a datetime ("2024-01-01T12:00:00Z").
_DAY_PREFIX = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ].*)?", re.DOTALL)


class ReleaseDataError(Exception):
    """A release-data file that cannot be read at all; the import goes on without it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(slots=True)
class ReleaseDataResult:
    """What importing one file did. ``versions`` is the sum of the five counts after it."""

    slug: str
    versions: int = 0
    added: int = 0
    present: int = 0
    duplicates: int = 0
    unparseable: int = 0
    undated: int = 0
    created: bool = False

    def add(self, other: ReleaseDataResult) -> None:
        """Count ``other``'s versions into these (a run's totals)."""
        self.versions += other.versions
        self.added += other.added
        self.present += other.present
        self.duplicates += other.duplicates
        self.unparseable += other.unparseable
        self.undated += other.undated

    def describe(self) -> str:
        new = " (new product)" if self.created else ""
        return (
            f"{self.slug}: {self.versions} versions: {self.added} added, "
            f"{self.present} present already, {self.duplicates} duplicates merged, "
            f"{self.unparseable} unparseable, {self.undated} undated{new}"
        )


def release_data_slug(path: Path) -> str:
    """The product a release-data file is about: its name without ``.json``, lower-cased."""
    name = path.name
    if name.lower().endswith(".json"):
        name = name[: -len(".json")]
    slug = name.lower()
    if not is_slug(slug):
        raise ReleaseDataError(
            path, f"{name!r} cannot be a product slug (1-64 of a-z, 0-9 and -, not starting with -)"
        )
    return slug


def read_release_data(path: Path) -> Mapping[str, Any]:
    """The ``versions`` object of a release-data file."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise ReleaseDataError(path, f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ReleaseDataError(path, "not JSON (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ReleaseDataError(
            path, f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("versions"), dict):
        raise ReleaseDataError(
            path, 'not in the release-data format {"versions": {"1.2.3": {"date": ...}}}'
        )
    versions: Mapping[str, Any] = data["versions"]
    return versions


def release_day(value: Any) -> date | None:
    """The date of a release-data entry, or None when it has none SPEC 6 would take.

    >>> release_day("2024-01-31T23:00:00Z"), release_day("1899-12-31"), release_day(None)
    (datetime.date(2024, 1, 31), None, None)
    """
    if not isinstance(value, str):
        return None
    if len(value) == 10 and value[4] == "-" == value[7] and value.isascii():
        # The common case, a plain YYYY-MM-DD, without the regular expression.
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return day if MIN_DATE <= day <= MAX_DATE else None
    match = _DAY_PREFIX.fullmatch(value.strip())
    if match is None:
        return None
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return day if MIN_DATE <= day <= MAX_DATE else None


def plan_releases(
    versions: Mapping[str, Any], result: ReleaseDataResult
) -> dict[str, tuple[str, date]]:
    """Each distinct version's (recorded string, date) by its identity; counts the skipped.

    When two strings parse equal the earliest date is kept, and on a tie the first
    string in the file.
    """
    kept: dict[str, tuple[str, date]] = {}
    unparseable = undated = duplicates = 0
    for text, info in versions.items():
        version = text.strip()
        try:
            key = version_key(version)
        except LifecycleError:
            unparseable += 1
            continue
        if len(key) > RELEASE_KEY_WIDTH:
            unparseable += 1
            continue
        day = release_day(info.get("date")) if isinstance(info, dict) else None
        if day is None:
            undated += 1
            continue
        known = kept.get(key)
        if known is not None:
            duplicates += 1
            if day >= known[1]:
                continue
        kept[key] = (version, day)
    result.versions += len(versions)
    result.unparseable += unparseable
    result.undated += undated
    result.duplicates += duplicates
    return kept


# The rows the models would make: the product columns' defaults come from the
# model, created_at from the database.
_PRODUCT_DEFAULTS: dict[str, Any] = {
    column.name: cast(ScalarElementColumnDefault, column.default).arg
    for column in cast(Table, ProductRow.__table__).c
    if column.default is not None and column.default.is_scalar
}
_PRODUCT_COLUMNS = ("slug", "name", *_PRODUCT_DEFAULTS)
_RELEASE_COLUMNS = "product_id, version, version_key, released_on"
# Rows per multi-row INSERT on SQLite: 4 bound values each, under the 999 of old builds.
_ROWS_PER_INSERT = 200


class ReleaseDataImport:
    """Release-data files merged one after another over one connection, each file
    in a transaction of its own; a context manager.

    On PostgreSQL the files' commits do not wait for the WAL to reach the disk
    (``synchronous_commit`` off): a server crash soon after one could lose it,
    whole, never half of it, and corrupt nothing. Leaving the ``with`` block
    without an error waits once for all of them, so an import that reports
    success is on disk as if each file had waited.
    """

    def __init__(self) -> None:
        self._connection = db.engine().connect()
        self._session = Session(self._connection, expire_on_commit=False)
        self._postgres = self._connection.dialect.name == "postgresql"
        self._integrity_errors = (
            IntegrityError,
            self._connection.dialect.loaded_dbapi.IntegrityError,
        )

    def __enter__(self) -> ReleaseDataImport:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None and self._postgres:
                # A transaction with an id commits synchronously, and flushing its
                # commit record flushes the whole WAL before it.
                self._session.execute(select(func.txid_current()))
                self._session.commit()
        finally:
            self._session.close()
            self._connection.close()

    def file(self, path: Path) -> ReleaseDataResult:
        """Merge one file into its product, created (named by its slug) when new.

        Releases the product has already keep their data. Raises
        :class:`ReleaseDataError` for a file that cannot be read or that the
        database refuses; nothing of it is written then.
        """
        slug = release_data_slug(path)
        result = ReleaseDataResult(slug)
        planned = plan_releases(read_release_data(path), result)
        session = self._session
        postgres = self._postgres
        try:
            # The DBAPI cursor of the session's own connection, in its transaction:
            # SQLAlchemy's per-row work (dicts, bind processors) cost more than the
            # database's own.
            cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                if postgres:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                product_id = _product_id(cursor, slug, postgres, result)
                if not result.created:
                    mark = "%s" if postgres else "?"
                    cursor.execute(
                        f"SELECT version_key FROM releases WHERE product_id = {mark}",
                        (product_id,),
                    )
                    for (key,) in cursor.fetchall():
                        if planned.pop(key, None) is not None:
                            result.present += 1
                rows = [(product_id, version, key, day) for key, (version, day) in planned.items()]
                if postgres:
                    _copy_releases(cursor, rows)
                else:
                    _insert_releases(cursor, rows)
            finally:
                cursor.close()
            result.added = len(rows)
            if rows and not result.created:
                bump_product(session, product_id)
            session.commit()
        except self._integrity_errors as exc:
            session.rollback()
            # Another writer added the product or a release meanwhile.
            reason = getattr(exc, "orig", None) or exc
            raise ReleaseDataError(path, f"the database refused it ({reason})") from None
        except BaseException:
            session.rollback()
            raise
        return result


def _product_id(cursor: Any, slug: str, postgres: bool, result: ReleaseDataResult) -> int:
    """The product's id; a new product (named by its slug) when there is none."""
    mark = "%s" if postgres else "?"
    cursor.execute(f"SELECT id FROM products WHERE slug = {mark}", (slug,))
    row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    values = (slug, slug, *{**_PRODUCT_DEFAULTS, "revision": new_revision()}.values())
    sql = (
        f"INSERT INTO products ({', '.join(_PRODUCT_COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(values))})"
    )
    result.created = True
    if postgres:
        cursor.execute(sql + " RETURNING id", values)
        return int(cursor.fetchone()[0])
    cursor.execute(sql, values)
    return int(cursor.lastrowid)


def _insert_releases(cursor: Any, rows: list[tuple[int, str, str, date]]) -> None:
    """SQLite: INSERTs of many rows each, the dates as the Date type stores them."""
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        values: list[Any] = []
        for product_id, version, key, day in chunk:
            values += (product_id, version, key, day.isoformat())
        cursor.execute(
            f"INSERT INTO releases ({_RELEASE_COLUMNS}) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(chunk)),
            values,
        )


def _copy_releases(cursor: Any, rows: list[tuple[int, str, str, date]]) -> None:
    """PostgreSQL: one COPY."""
    if not rows:
        return
    with cursor.copy(f"COPY releases ({_RELEASE_COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
