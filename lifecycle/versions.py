"""Version parsing and identity (SPEC 2).

>>> v = parse_version(" v2.1.0+build.7 ")
>>> str(v), canonical_version(v)
('2.1.0', '2.1')
>>> parse_version("2.1") == parse_version("2.1.0")
True
>>> parse_version("2.0.0-rc.1").is_prerelease
True
>>> parse_version("not a version")
Traceback (most recent call last):
...
lifecycle.errors.InvalidVersion: Invalid version: 'not a version'
"""

from __future__ import annotations

from functools import lru_cache

from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion as _PackagingInvalid
from packaging.version import Version

from lifecycle.errors import InvalidVersion

__all__ = ["Version", "canonical_version", "is_prerelease", "parse_version"]

MAX_VERSION_LENGTH = 200


def parse_version(text: str) -> Version:
    """Parse ``text`` as SPEC 2 says; build metadata is dropped.

    Whitespace and one leading ``v``/``V`` are trimmed; the rest must parse
    with :class:`packaging.version.Version`.
    """
    # Checked before the cache, which would raise TypeError on unhashable input.
    if not isinstance(text, str) or len(text) > MAX_VERSION_LENGTH:
        raise InvalidVersion(str(text)[:MAX_VERSION_LENGTH])
    return _parse(text)


@lru_cache(maxsize=65536)
def _parse(text: str) -> Version:
    trimmed = text.strip()
    if trimmed[:1] in ("v", "V"):
        trimmed = trimmed[1:]
    # packaging would also take a second "v", whitespace, or a bare "+" form;
    # SPEC 2 allows exactly one prefix, so anything it would still trim is refused.
    if not trimmed or trimmed[:1] in ("v", "V") or trimmed != trimmed.strip():
        raise InvalidVersion(text)
    try:
        version = Version(trimmed)
    except _PackagingInvalid:
        raise InvalidVersion(text) from None
    if version.local is not None:
        version = Version(version.public)
    return version


@lru_cache(maxsize=65536)
def canonical_version(version: Version) -> str:
    """The identity of a release: equal versions give equal strings (``2.1`` = ``2.1.0``)."""
    return canonicalize_version(version, strip_trailing_zero=True)


def is_prerelease(version: Version) -> bool:
    """True for ``a``, ``b``, ``rc`` and ``dev`` versions (SPEC 2)."""
    return version.is_prerelease
