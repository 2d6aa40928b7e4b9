"""``import`` of a whole catalogue file (SPEC 7): merged in, or made the catalogue exactly,
all-or-nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import db
from app.catalogue.files import (
    Catalogue,
    CatalogueFileError,
    PlatformEntry,
    PlatformVersionEntry,
    ProductEntry,
    ReleaseEntry,
)
from app.catalogue.models import MatrixEntry
from app.catalogue.models import Platform as PlatformRow
from app.catalogue.models import PlatformVersion as PlatformVersionRow
from app.catalogue.models import PlatformVersionAlias as PlatformVersionAliasRow
from app.catalogue.models import Product as ProductRow
from app.catalogue.models import Release as ReleaseRow
from app.catalogue.service import match_key, new_revision
from app.catalogue.store import touch
from platforms.matrix import PlatformVersion as CoreVersion
from platforms.matrix import name_clashes

# Bulk statements stay under every database's limit on bound parameters.
CHUNK = 1000


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
        with session.begin():
            summary = _Importer(session, catalogue, replace).run()
            if dry_run or not summary.changed:
                raise _Undone(summary)
    except _Undone as undone:
        return undone.summary
    except IntegrityError as exc:
        raise CatalogueFileError(
            [("(database)", f"The database refused the catalogue: {exc.orig}")]
        ) from None
    return summary


class _Undone(Exception):
    """Leaves an import's transaction without writing (a dry run, or nothing to change)."""

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__("nothing written")
        self.summary = summary


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
            touch(self.session)
        return self.summary

    # platforms

    def _platforms(self) -> bool:
        session, summary = self.session, self.summary
        rows = {
            p.slug: p
            for p in session.scalars(
                select(PlatformRow).options(
                    selectinload(PlatformRow.versions).selectinload(PlatformVersionRow.aliases)
                )
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
                platform = PlatformRow(slug=entry.slug, name=entry.name)
                platform.versions = [_version_row(platform, v) for v in entry.versions]
                session.add(platform)
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
            row.versions.extend(_version_row(row, v) for v in entry.versions)
            self.summary.platform_versions_added += len(entry.versions)
            return True
        by_key = {v.version_key: v for v in row.versions}
        if not self._names_fit(i, entry, row, by_key):
            return changed
        for j, version in enumerate(entry.versions):
            found = by_key.get(version.key)
            if found is None:
                row.versions.append(_version_row(row, version))
                self.summary.platform_versions_added += 1
                changed = True
                continue
            # Merging keeps the recorded aliases when the file leaves them out.
            aliases = version.aliases if version.aliases is not None or not self.replace else ()
            if aliases is not None and list(aliases) != found.alias_names:
                found.aliases.clear()
                self.session.flush()
                found.aliases.extend(_alias_rows(row, aliases))
                changed = True
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

    def _names_fit(
        self,
        i: int,
        entry: PlatformEntry,
        row: PlatformRow,
        by_key: Mapping[str, PlatformVersionRow],
    ) -> bool:
        """SPEC 17: after the merge, no name may belong to two versions of the platform.
        Checked before anything is written, so that a clash is told with its place."""
        merged: dict[str, tuple[str, tuple[str, ...]]] = {
            v.version_key: (v.version, tuple(v.alias_names)) for v in row.versions
        }
        for version in entry.versions:
            known = by_key.get(version.key)
            own = known.version if known is not None else version.version
            kept = merged.get(version.key, (own, ()))[1]
            if version.aliases is not None:
                aliases = version.aliases
            else:  # replacing makes the version what the file says: no aliases
                aliases = () if self.replace else kept
            merged[version.key] = (own, aliases)
        cores = [CoreVersion(name, aliases=aliases) for name, aliases in merged.values()]
        for name, owner, claimant in name_clashes(cores):
            self.problems.append(
                (
                    f"platforms[{i}]",
                    f"{name!r} names version {owner!r} of {row.slug} already; a name belongs "
                    f"to one version, so it cannot also name {claimant!r}.",
                )
            )
        return not self.problems

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
                    pv_id = versions.get((platform, match_key(version)))
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
                touch(session, row.id)
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
    new = row.policy_cycle is None  # a row made just now, its columns not set yet
    if not new and (row.name, row.description, row.policy) == (
        entry.name,
        entry.description,
        entry.policy,
    ):
        return False
    row.name = entry.name
    row.description = entry.description
    row.policy = entry.policy
    return True


def _version_row(platform: PlatformRow, entry: PlatformVersionEntry) -> PlatformVersionRow:
    row = PlatformVersionRow(
        version=entry.version, version_key=entry.key, vendor_eol=entry.vendor_eol
    )
    row.aliases = _alias_rows(platform, entry.aliases or ())
    return row


def _alias_rows(platform: PlatformRow, aliases: tuple[str, ...]) -> list[PlatformVersionAliasRow]:
    return [
        PlatformVersionAliasRow(platform=platform, alias=a, alias_key=match_key(a)) for a in aliases
    ]
