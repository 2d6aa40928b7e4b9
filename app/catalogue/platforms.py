"""Platforms and their versions (SPEC 4): reads and writes, each one unit of work.

Every write touches the platforms' revision, which every product's snapshot holds:
a platform's change (a vendor EOL date, a deleted version and its matrix rows)
reaches every product.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from app.catalogue.models import Platform, PlatformVersion, PlatformVersionAlias
from app.catalogue.service import delete_counted, match_key
from app.catalogue.shapes import platform_dict
from app.catalogue.store import touch
from app.db import reading, unit_of_work
from app.errors import Conflict, NotFound, Unprocessable
from app.inputs import CONTROL, PLATFORM_VERSION_KEY_WIDTH, PLATFORM_VERSION_WIDTH, is_slug
from platforms.matrix import PlatformVersion as CoreVersion
from platforms.matrix import alias_problem, name_clashes

# With their versions (and their aliases) in two more queries, not some per platform.
_WITH_VERSIONS = (
    select(Platform)
    .options(selectinload(Platform.versions).selectinload(PlatformVersion.aliases))
    .order_by(Platform.slug)
)


def _no_platform(slug: str) -> str:
    return f"No platform is named {slug!r}."


def _platform_row(session: Session, slug: str) -> Platform:
    row = session.scalar(_WITH_VERSIONS.where(Platform.slug == slug)) if is_slug(slug) else None
    if row is None:
        raise NotFound(_no_platform(slug))
    return row


def list_platforms() -> list[dict[str, Any]]:
    with reading() as session:
        return [platform_dict(p) for p in session.scalars(_WITH_VERSIONS)]


def get_platform(slug: str) -> dict[str, Any]:
    with reading() as session:
        return platform_dict(_platform_row(session, slug))


def _version_key(text: str) -> str:
    """The match key of a platform version as stored, or 422 when it does not fit."""
    key = match_key(text)
    if len(key) > PLATFORM_VERSION_KEY_WIDTH:
        raise Unprocessable(
            f"Invalid platform version {text!r}: too long.", errors={"version": ["Too long."]}
        )
    return key


def core_version(version: str, aliases: Sequence[str], place: str = "aliases") -> CoreVersion:
    """The version as the core holds it, its aliases stripped; 422 when they do not fit
    (blank, too long for their key, given twice, or the version's own name)."""
    names = tuple(a.strip() for a in aliases)
    for alias in names:
        if len(match_key(alias)) > PLATFORM_VERSION_KEY_WIDTH:
            raise Unprocessable(
                f"Invalid alias {alias!r}: too long.", errors={place: [f"{alias!r} is too long."]}
            )
    problem = alias_problem(version.strip(), names)
    if problem is not None:
        raise Unprocessable(f"Invalid aliases: {problem}.", errors={place: [f"{problem}."]})
    return CoreVersion(version.strip(), aliases=names)


def refuse_clashes(versions: Sequence[CoreVersion], slug: str) -> None:
    """SPEC 17: a name belongs to one version of a platform; a second claim is a 409."""
    clashes = name_clashes(versions)
    if clashes:
        name, owner, claimant = clashes[0]
        raise Conflict(
            f"{name!r} names version {owner!r} of {slug} already; a name belongs to one "
            f"version, so it cannot also name {claimant!r}."
        )


def alias_rows(platform: Platform, aliases: Sequence[str]) -> list[PlatformVersionAlias]:
    return [
        PlatformVersionAlias(platform=platform, alias=a, alias_key=match_key(a)) for a in aliases
    ]


def create_platform(data: Mapping[str, Any]) -> str:
    slug = str(data["slug"])
    versions = data.get("versions", [])
    too_long: dict[str, Any] = {}
    cores: list[CoreVersion] = []
    for i, v in enumerate(versions):
        try:
            _version_key(v["version"])
            cores.append(core_version(v["version"], v.get("aliases", [])))
        except Unprocessable as exc:
            too_long[str(i)] = exc.errors
    if too_long:
        raise Unprocessable("Some platform versions are not valid.", errors={"versions": too_long})
    refuse_clashes(cores, slug)
    exists = f"A platform named {slug!r} exists already."
    with unit_of_work(conflict=exists) as session:
        if session.scalar(select(Platform.id).where(Platform.slug == slug)) is not None:
            raise Conflict(exists)
        platform = Platform(slug=slug, name=data["name"])
        rows = []
        for v, core in zip(versions, cores, strict=True):
            row = PlatformVersion(
                version=core.version,
                version_key=match_key(v["version"]),
                vendor_eol=v.get("vendor_eol"),
            )
            row.aliases = alias_rows(platform, core.aliases)
            rows.append(row)
        platform.versions = rows
        session.add(platform)
        touch(session)
    return slug


def update_platform(slug: str, data: Mapping[str, Any]) -> None:
    with unit_of_work(f"{slug} changed meanwhile; try again.", _no_platform(slug)) as session:
        row = _platform_row(session, slug)
        if not data:
            return
        if "name" in data:
            row.name = data["name"]
        touch(session)


def delete_platform(slug: str) -> None:
    with unit_of_work() as session:
        row = _platform_row(session, slug)
        delete_counted(session, delete(Platform).where(Platform.id == row.id), _no_platform(slug))
        touch(session)


def put_platform_version(
    slug: str, version: str, vendor_eol: date | None, aliases: Sequence[str] | None = None
) -> bool:
    """Add or change a platform version; True when it was added. ``aliases`` replace the
    version's (None leaves them); a name another version has is a 409 (SPEC 17)."""
    text = version.strip()
    # On the raw string: strip() would quietly drop a trailing U+0085 (a C1 control).
    if not text or len(text) > PLATFORM_VERSION_WIDTH or CONTROL.search(version):
        raise Unprocessable(
            f"Invalid platform version {version!r}.", errors={"version": ["Invalid version."]}
        )
    key = _version_key(text)
    wanted = core_version(text, aliases) if aliases is not None else None
    with unit_of_work(f"Platform {slug!r} has version {version!r} already.") as session:
        # Lock first (the platforms' revision row), then read: two PUTs of one new version
        # queue up, and the second changes what the first added (200) instead of a 409.
        touch(session)
        row = _platform_row(session, slug)
        found = next((v for v in row.versions if v.version_key == key), None)
        names = wanted.aliases if wanted is not None else None
        if names is None:
            names = tuple(found.alias_names) if found is not None else ()
        others = [
            CoreVersion(v.version, aliases=tuple(v.alias_names))
            for v in row.versions
            if v is not found
        ]
        own = found.version if found is not None else text
        if found is None:
            for other in others:
                if any(match_key(alias) == key for alias in other.aliases):
                    raise Conflict(
                        f"{text!r} is an alias of version {other.version!r} of {slug}; give "
                        f"{other.version!r} to change that version."
                    )
        refuse_clashes([*others, CoreVersion(own, aliases=names)], slug)
        if found is None:
            found = PlatformVersion(version=text, version_key=key, vendor_eol=vendor_eol)
            row.versions.append(found)
            found.aliases = alias_rows(row, names)
            return True
        found.vendor_eol = vendor_eol
        if wanted is not None and list(names) != found.alias_names:
            found.aliases.clear()
            session.flush()  # the old names go before the new ones may take their keys
            found.aliases.extend(alias_rows(row, names))
    return False


def recorded_version(slug: str, version: str) -> dict[str, Any]:
    """The platform version as recorded (``22.4`` finds the ``22.04`` on record)."""
    key = match_key(version)
    return next(v for v in get_platform(slug)["versions"] if match_key(v["version"]) == key)
