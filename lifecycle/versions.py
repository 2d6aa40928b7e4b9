"""Version parsing and identity (SPEC 2).

>>> v = parse_version(" v2.1.0+build.7 ")
>>> str(v), canonical_version(v)
('2.1.0', '2.1')
>>> parse_version("2.1") == parse_version("2.1.0")
True
>>> parse_version("2.0.0-rc.1").is_prerelease
True
>>> version_key("v2.1.0"), version_key("2.1.0-rc.1")
('2.1', '2.1rc1')
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

__all__ = ["Version", "canonical_version", "is_prerelease", "parse_version", "version_key"]

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


def version_key(text: str) -> str:
    """``canonical_version(parse_version(text))``, from the text, for bulk work.

    The same string and the same :class:`InvalidVersion` as the two calls; plain
    releases (digits and dots, one optional ``v``), nearly every version there is,
    are keyed without building a :class:`Version`, and every answer is cached by
    its text, whose hash Python keeps.
    """
    if not isinstance(text, str) or len(text) > MAX_VERSION_LENGTH:
        raise InvalidVersion(str(text)[:MAX_VERSION_LENGTH])
    key = _key(text)
    if key is None:
        raise InvalidVersion(text)
    return key


@lru_cache(maxsize=131072)
def _key(text: str) -> str | None:
    plain = _plain_key(text)
    if plain is not None:
        return plain
    try:
        return canonical_version(_parse(text))
    except InvalidVersion:
        return None


def _plain_key(text: str) -> str | None:
    """The key of ``1.02.0``-like text, as packaging would make it; None for any other form.

    packaging reads each part as an ``int`` (leading zeros go) and the key drops
    trailing zero parts but one, which is done here on the strings.
    """
    digits = text[1:] if text[:1] in ("v", "V") else text
    # isdigit() is true of other scripts' digits too, hence ASCII only.
    if not (digits.isascii() and digits.replace(".", "").isdigit()):
        return None
    if digits[0] == "." or digits[-1] == "." or ".." in digits:
        return None
    if digits[0] != "0" and ".0" not in digits:
        return digits  # no part starts with 0: nothing to drop
    parts = [part.lstrip("0") or "0" for part in digits.split(".")]
    while len(parts) > 1 and parts[-1] == "0":
        parts.pop()
    return ".".join(parts)


def is_prerelease(version: Version) -> bool:
    """True for ``a``, ``b``, ``rc`` and ``dev`` versions (SPEC 2)."""
    return version.is_prerelease
