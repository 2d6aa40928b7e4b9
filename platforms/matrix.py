"""Platforms, platform versions with their vendor EOL, and the support matrix (SPEC 4).

Platform versions match by parsed-version equality where both parse, else
case-insensitively as text:

>>> version_match_key("22.04") == version_match_key("22.4")
True
>>> version_match_key("Server 2019") == version_match_key("server 2019")
True

A version may carry aliases (SPEC 17), and where a platform's versions are whole
numbers only, a dotted version is found by its leading number:

>>> ubuntu = Platform("ubuntu", "Ubuntu", (PlatformVersion("22.04", aliases=("jammy",)),))
>>> ubuntu.find("Jammy").version, ubuntu.find("22.4").version
('22.04', '22.04')
>>> rhel = Platform("rhel", "RHEL", (PlatformVersion("8"), PlatformVersion("9")))
>>> rhel.find("9.2").version, rhel.find("9.2.1").version, rhel.find("10.1")
('9', '9', None)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
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
    "alias_problem",
    "name_clashes",
    "version_match_key",
]

MatchKey = tuple[str, str]
# A version with a dot, for the leading-number match of whole-number platforms.
_DOTTED = re.compile(r"([0-9]+)(?:\.[0-9]+)+")


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
    """One version of a platform, the first day its own vendor no longer supports it, and
    the other names customers call it by (``jammy`` for Ubuntu 22.04)."""

    version: str
    vendor_eol: date | None = None
    aliases: tuple[str, ...] = ()

    def vendor_supported(self, as_of: date) -> bool:
        return self.vendor_eol is None or self.vendor_eol > as_of

    @property
    def match_key(self) -> MatchKey:
        return version_match_key(self.version)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name this version answers to: its own first, then its aliases."""
        return (self.version, *self.aliases)


def alias_problem(version: str, aliases: Sequence[str]) -> str | None:
    """What is wrong with ``aliases`` as the other names of ``version``, or None: an alias
    is not blank, not given twice, and not the version itself (compared as versions are).

    Writers refuse what this names; a :class:`Platform` read back takes what it is given
    (the first claim of a name wins), so that stored data never stops a read.

    >>> alias_problem("22.04", ["jammy", "22.04 LTS"]) is None
    True
    >>> alias_problem("22.04", ["22.4"]), alias_problem("22.04", ["jammy", "Jammy"])
    ("'22.4' is the version '22.04' itself", "the alias 'Jammy' is given twice")
    """
    seen = {version_match_key(version)}
    for alias in aliases:
        if not isinstance(alias, str) or not alias.strip():
            return "an alias must be text, not blank"
        key = version_match_key(alias)
        if key == version_match_key(version):
            return f"{alias!r} is the version {version!r} itself"
        if key in seen:
            return f"the alias {alias!r} is given twice"
        seen.add(key)
    return None


def name_clashes(versions: Sequence[PlatformVersion]) -> list[tuple[str, str, str]]:
    """Each name two versions of one platform claim: ``(name, owner, claimant)``, where
    ``owner`` is the version that claims it first (its own name before any alias).

    Names are unique within a platform (SPEC 17), so a writer refuses any of these.

    >>> name_clashes([PlatformVersion("22.04", aliases=("jammy",)),
    ...               PlatformVersion("24.04", aliases=("Jammy", "22.4"))])
    [('Jammy', '22.04', '24.04'), ('22.4', '22.04', '24.04')]
    """
    owners: dict[MatchKey, str] = {v.match_key: v.version for v in versions}
    clashes: list[tuple[str, str, str]] = []
    for version in versions:
        for alias in version.aliases:
            key = version_match_key(alias)
            owner = owners.setdefault(key, version.version)
            if owner != version.version:
                clashes.append((alias, owner, version.version))
    return clashes


@dataclass(frozen=True, slots=True)
class Platform:
    """An operating system or runtime a product runs on."""

    slug: str
    name: str
    versions: tuple[PlatformVersion, ...] = ()
    _index: dict[MatchKey, PlatformVersion] = field(default_factory=dict, repr=False, compare=False)
    _whole: list[bool] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A version's own name before any alias, and the first claim of a name wins.
        index = self._index
        for v in self.versions:
            index.setdefault(v.match_key, v)
        for v in self.versions:
            for alias in v.aliases:
                index.setdefault(version_match_key(alias), v)
        self._whole.append(
            bool(self.versions)
            and all(v.version.isascii() and v.version.isdigit() for v in self.versions)
        )

    @property
    def whole_numbers(self) -> bool:
        """True when every version is a whole number (``8``, ``9``): then ``9.2`` is ``9``."""
        return self._whole[0]

    def find(self, version: str) -> PlatformVersion | None:
        """The version recorded as ``version``, or known by it as an alias; on a platform of
        whole-number versions, a dotted version finds the one of its leading number."""
        found = self._index.get(version_match_key(version))
        if found is None and self._whole[0]:
            dotted = _DOTTED.fullmatch(version.strip())
            if dotted is not None:
                found = self._index.get(version_match_key(dotted.group(1)))
        return found


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
    # The version as the caller wrote it (trimmed), where ``version`` is the one recorded.
    given: str = field(default="", compare=False)

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
        given = version.strip()
        found = registry.find(platform, version)
        if found is None:
            return PlatformCheck(
                platform, given, known=False, listed=False, vendor_eol=None, given=given
            )
        _, platform_version = found
        # The matrix lists recorded versions: look up the one found, not what was typed
        # (an alias, or 9.2 for 9).
        return PlatformCheck(
            platform,
            platform_version.version,
            known=True,
            listed=self.lists(cycle, platform, platform_version.version),
            vendor_eol=platform_version.vendor_eol,
            given=given,
        )
