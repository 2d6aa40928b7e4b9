"""The catalogue's answers as the API shapes them (SPEC 6), from a product snapshot."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.catalogue.models import Platform, PlatformVersion
from app.catalogue.store import ProductSnapshot
from lifecycle.cycles import Release
from lifecycle.status import support_level


def cycle_dict(product: ProductSnapshot, key: str, as_of: date) -> dict[str, Any]:
    cycle = product.cycles.by_key[key]
    status = cycle.status(as_of)
    latest = cycle.latest(as_of)
    dates = cycle.dates
    return {
        "cycle": cycle.key,
        "status": status.value,
        "support_level": support_level(status).value,
        "released_on": dates.released_on,
        "security_only_from": dates.security_only_from,
        "eol_on": dates.eol_on,
        "eosl_on": dates.eosl_on,
        "latest": latest.version if latest else None,
        "latest_released_on": latest.released_on if latest else None,
        "releases": len(cycle.ga_releases) + len(cycle.prereleases),
        "platforms": matrix_dicts(product, key),
    }


def matrix_dicts(product: ProductSnapshot, key: str) -> list[dict[str, Any]]:
    out = []
    for slug, version in product.matrix.row(key):
        found = product.registry.find(slug, version)
        out.append(
            {
                "platform": slug,
                "version": version,
                "vendor_eol": found[1].vendor_eol if found else None,
            }
        )
    return out


def product_dict(product: ProductSnapshot, as_of: date, *, with_cycles: bool) -> dict[str, Any]:
    newest = next((c for c in product.cycles.newest_first if not c.is_prerelease_only), None)
    body: dict[str, Any] = {
        "slug": product.slug,
        "name": product.name,
        "description": product.description,
        "policy": product.policy.to_dict(),
        "releases": len(product.cycles.releases),
        "status": newest.status(as_of).value if newest else None,
    }
    if with_cycles:
        body["as_of"] = as_of
        body["cycles"] = [cycle_dict(product, c.key, as_of) for c in product.cycles.newest_first]
    return body


def release_dict(product: ProductSnapshot, release: Release, as_of: date) -> dict[str, Any]:
    key = product.policy.cycle_key(release.parsed)
    cycle = product.cycles.by_key[key]
    return {
        "version": release.version,
        "released_on": release.released_on,
        "notes": release.notes,
        "cycle": key,
        "prerelease": release.is_prerelease,
        "status": release.status(cycle.status(as_of), as_of).value,
    }


def platform_dict(platform: Platform) -> dict[str, Any]:
    return {
        "slug": platform.slug,
        "name": platform.name,
        "versions": [platform_version_dict(v) for v in platform.versions],
    }


def platform_version_dict(version: PlatformVersion) -> dict[str, Any]:
    """A platform version; ``aliases`` only when it has some (SPEC 17), so that a
    catalogue without any answers as it always did."""
    body: dict[str, Any] = {"version": version.version, "vendor_eol": version.vendor_eol}
    if version.aliases:
        body["aliases"] = version.alias_names
    return body
