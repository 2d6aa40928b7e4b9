"""Platforms, platform versions with their vendor EOL, and the support matrix (SPEC 4).

Platform versions match by parsed-version equality where both parse, else
case-insensitively as text:

>>> version_match_key("22.04") == version_match_key("22.4")
True
>>> version_match_key("Server 2019") == version_match_key("server 2019")
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version

__all__ = [
    "Platform",
    "PlatformCheck",
    "PlatformRegistry",
    "PlatformVersion",
    "SupportMatrix",
    "version_match_key",
]

MatchKey = tuple[str, str]


@lru_cache(maxsize=16384)
def version_match_key(text: str) -> MatchKey:
    """A key under which equal platform versions (SPEC 4) are equal."""
    stripped = text.strip()
    try:
        parsed = Version(stripped)
    except InvalidVersion:
        return ("text", stripped.casefold())
    # Trailing zeros do not change a version's identity (22.04 = 22.4 = 22.4.0).
    return ("version", canonicalize_version(parsed, strip_trailing_zero=True))


@dataclass(frozen=True, slots=True)
class PlatformVersion:
    """One version of a platform, and the first day its own vendor no longer supports it."""

    version: str
    vendor_eol: date | None = None

    def vendor_supported(self, as_of: date) -> bool:
        return self.vendor_eol is None or self.vendor_eol > as_of

    @property
    def match_key(self) -> MatchKey:
        return version_match_key(self.version)


@dataclass(frozen=True, slots=True)
class Platform:
    """An operating system or runtime a product runs on."""

    slug: str
    name: str
    versions: tuple[PlatformVersion, ...] = ()
    _index: dict[MatchKey, PlatformVersion] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({v.match_key: v for v in self.versions})

    def find(self, version: str) -> PlatformVersion | None:
        return self._index.get(version_match_key(version))


@dataclass(frozen=True, slots=True)
class PlatformRegistry:
    """Every known platform, by slug."""

    platforms: Mapping[str, Platform]

    @classmethod
    def of(cls, platforms: Iterable[Platform]) -> PlatformRegistry:
        return cls({p.slug: p for p in platforms})

    def find(self, slug: str, version: str) -> tuple[Platform, PlatformVersion] | None:
        platform = self.platforms.get(slug)
        if platform is None:
            return None
        found = platform.find(version)
        return None if found is None else (platform, found)


@dataclass(frozen=True, slots=True)
class PlatformCheck:
    """What SPEC 4 says of one customer platform for one cycle on one date."""

    platform: str
    version: str
    known: bool
    listed: bool
    vendor_eol: date | None

    def vendor_supported(self, as_of: date) -> bool:
        return self.vendor_eol is None or self.vendor_eol > as_of

    def covered(self, as_of: date) -> bool:
        return self.known and self.listed and self.vendor_supported(as_of)


@dataclass(frozen=True, slots=True)
class SupportMatrix:
    """Which platform versions each cycle of one product supports."""

    rows: Mapping[str, tuple[tuple[str, str], ...]]
    _keys: dict[str, frozenset[tuple[str, MatchKey]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for cycle, entries in self.rows.items():
            self._keys[cycle] = frozenset(
                (slug, version_match_key(version)) for slug, version in entries
            )

    def row(self, cycle: str) -> tuple[tuple[str, str], ...]:
        return self.rows.get(cycle, ())

    def lists(self, cycle: str, platform: str, version: str) -> bool:
        return (platform, version_match_key(version)) in self._keys.get(cycle, frozenset())

    def check(
        self, registry: PlatformRegistry, cycle: str, platform: str, version: str
    ) -> PlatformCheck:
        """Look a customer's platform up for ``cycle``; SPEC 4's rules, minus the date."""
        found = registry.find(platform, version)
        if found is None:
            return PlatformCheck(platform, version, known=False, listed=False, vendor_eol=None)
        _, platform_version = found
        return PlatformCheck(
            platform,
            platform_version.version,
            known=True,
            listed=self.lists(cycle, platform, version),
            vendor_eol=platform_version.vendor_eol,
        )
