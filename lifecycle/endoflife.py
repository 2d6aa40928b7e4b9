"""endoflife.date product definitions in, and endoflife.date's API v0 shape out (SPEC 11, 14).

:func:`read_definition` reads one decoded definition (the front matter of an
endoflife.date ``products/*.md``) into the values this service stores: the product's
fields, its releases and its cycle records, with the cycles it refuses and the fields it
ignores, each with the reason. :func:`cycle_v0` and :func:`product_v0` give the v0 answer
of derived cycles.

An endoflife.date date is the *last* day of a phase, this service's dates the *first* day
of the next: ``eoas`` is ``security_only_from`` - 1 day, ``eol`` is ``eol_on`` - 1 day,
``eoes`` is ``extended_end_on`` - 1 day; ``true`` and ``false`` carry over.

>>> definition = read_definition({
...     "title": "Node.js", "category": "framework",
...     "identifiers": [{"purl": "pkg:generic/node@22.11.0"}],
...     "releases": [
...         {"releaseCycle": "22", "releaseDate": "2024-04-24", "lts": "2024-10-29",
...          "eoas": "2025-10-20", "eol": "2027-04-30",
...          "latest": "22.11.0", "latestReleaseDate": "2024-10-29"},
...         {"releaseCycle": "galaxy-s24", "releaseDate": "2024-01-31", "eol": False}]},
...     "nodejs")
>>> definition.identifiers[0].id, [r.name for r in definition.refused]
('pkg:generic/node', ['galaxy-s24'])
>>> from datetime import date
>>> product_v0(definition.derive(), date(2026, 12, 3))
[{'cycle': '22', 'releaseDate': '2024-04-24', 'support': '2025-10-20', 'eol': '2027-04-30', \
'latest': '22.11.0', 'latestReleaseDate': '2024-10-29', 'lts': '2024-10-29'}]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from lifecycle.cycles import Cycle, ProductCycles, Release, derive
from lifecycle.errors import InvalidCycleKey, InvalidCycleRecord, InvalidDefinition, LifecycleError
from lifecycle.policy import Policy
from lifecycle.records import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_TEXT_LENGTH,
    CycleRecord,
    Decision,
    cycle_name_numbers,
    is_http_url,
    leading_name,
)
from lifecycle.versions import parse_version

__all__ = [
    "IDENTIFIER_TYPES",
    "Identifier",
    "IgnoredField",
    "ProductDefinition",
    "RefusedCycle",
    "cycle_v0",
    "listed_v0",
    "product_v0",
    "purl_without_version",
    "read_definition",
]

IDENTIFIER_TYPES = ("purl", "cpe", "repology")

_DAY = timedelta(days=1)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# endoflife.date's placeholders in links and labels (product-data-enricher.rb).
_PLACEHOLDERS = (
    ("__RELEASE_CYCLE__", "releaseCycle"),
    ("__CODENAME__", "codename"),
    ("__RELEASE_DATE__", "releaseDate"),
    ("__LATEST__", "latest"),
    ("__LATEST_RELEASE_DATE__", "latestReleaseDate"),
)


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier of a product: ``type`` is ``purl``, ``cpe`` or ``repology``."""

    type: str
    id: str

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "id": self.id}


@dataclass(frozen=True, slots=True)
class RefusedCycle:
    """A cycle of a definition that is not imported, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class IgnoredField:
    """A field of a definition left out of what is imported, and why; ``cycle`` is None for
    a field of the product."""

    cycle: str | None
    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class ProductDefinition:
    """What one endoflife.date definition gives this service to store.

    ``releases`` are the cycles' latest releases that are GA versions of their own cycle;
    ``records`` hold every accepted cycle's decisions (its ``releaseDate`` as a decided
    ``released_on``, so that it does not depend on which releases are recorded). ``policy``
    is a suggestion: cycles cut by minor where every cycle name has two numbers or more, so
    that a version no name leads (a new line before its definition has it) still lands
    in a cycle of the right width.
    """

    slug: str
    title: str
    category: str
    tags: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    releases: tuple[Release, ...]
    records: tuple[CycleRecord, ...]
    refused: tuple[RefusedCycle, ...] = ()
    ignored: tuple[IgnoredField, ...] = ()
    policy: Policy = field(default_factory=Policy)

    @property
    def served_tags(self) -> tuple[str, ...]:
        """The tags as endoflife.date serves them: its own, and the category, sorted."""
        return tuple(sorted({*self.tags, self.category}))

    def derive(self) -> ProductCycles:
        """The product's cycles, as the service derives them once the definition is stored."""
        return derive(self.releases, self.policy, records=self.records)


def read_definition(data: Mapping[str, object], slug: str) -> ProductDefinition:
    """Read one decoded endoflife.date definition (see the module's docstring).

    A definition that is not an object with a ``title``, a ``category`` and a list of
    ``releases`` raises :class:`InvalidDefinition`; anything wrong inside a cycle refuses
    that cycle (or ignores that field), with the reason, and is never fatal:

    - a ``releaseCycle`` that is no dotted number (``"galaxy-s24"``, ``"11-ltsc"``), or
      one that repeats another's name or numbers (``"22.04"`` after ``"22.4"``);
    - a ``releaseDate`` that is missing, no ``YYYY-MM-DD`` date, or outside what the
      service holds (1900-01-01 to 2999-12-31);
    - dates out of order among themselves (``eol`` before ``releaseDate``), except that an
      ``eoes`` out of order with ``eol`` is ignored rather than losing the cycle.

    A phase date past the service's range (``eol: 9999-12-31``) is read as ``false``
    (decided, not begun) and one before it as ``true``, each noted in ``ignored``. A
    ``latest`` that is no GA version of its own cycle (``"8u501"``, a build number, a
    version another cycle's name leads) is kept for display only; so is one without a
    ``latestReleaseDate``. A ``link`` or ``releaseLabel`` template is filled in as
    endoflife.date does; one that still holds template markup, or a link that is no http(s)
    URL, is ignored.
    """
    if not isinstance(data, Mapping):
        raise InvalidDefinition("a product definition must be a JSON object")
    title = _required_text(data, "title")
    category = _required_text(data, "category")
    releases = data.get("releases")
    if not isinstance(releases, list):
        raise InvalidDefinition("a product definition must have a list of releases")
    ignored: list[IgnoredField] = []
    tags = _tags(data.get("tags"), ignored)
    identifiers = _identifiers(data.get("identifiers"), ignored)
    label_template = data.get("releaseLabel")

    refused: list[RefusedCycle] = []
    accepted: list[tuple[str, Mapping[str, object]]] = []
    by_numbers: dict[tuple[int, ...], str] = {}
    for index, item in enumerate(releases):
        if not isinstance(item, Mapping):
            raise InvalidDefinition(f"release {index} of the definition is not an object")
        name = item.get("releaseCycle")
        if not isinstance(name, str):
            refused.append(RefusedCycle(str(name), "releaseCycle must be text"))
            continue
        try:
            numbers = cycle_name_numbers(name)
        except InvalidCycleKey as error:
            refused.append(RefusedCycle(name, str(error)))
            continue
        same = by_numbers.get(numbers)
        if same is not None:
            why = "it repeats that cycle" if same == name else "it is the same numbers"
            refused.append(RefusedCycle(name, f"cycle {same!r} comes first and {why}"))
            continue
        by_numbers[numbers] = name
        accepted.append((name, item))

    records: list[CycleRecord] = []
    latest_of: dict[str, Mapping[str, object]] = {}
    for name, item in accepted:
        template = item.get("releaseLabel", label_template)
        record = _record(name, item, template, ignored, refused)
        if record is not None:
            records.append(record)
            latest_of[name] = item

    # A latest release is recorded only where its version lands in its own cycle (by the
    # names imported), so that recording it creates no cycle and moves none.
    names = {record.numbers: record.key for record in records}
    width = max(map(len, names), default=0)
    found: list[Release] = []
    final: list[CycleRecord] = []
    for record in records:
        release, record = _latest(record, latest_of[record.key], names, width, ignored)
        if release is not None:
            found.append(release)
        final.append(record)

    minor = bool(final) and all(len(record.numbers) >= 2 for record in final)
    return ProductDefinition(
        slug=slug,
        title=title,
        category=category,
        tags=tags,
        identifiers=identifiers,
        releases=tuple(found),
        records=tuple(final),
        refused=tuple(refused),
        ignored=tuple(ignored),
        policy=Policy(cycle="minor") if minor else Policy(),
    )


def purl_without_version(text: str) -> str:
    """A package URL without its ``@version`` (qualifiers and subpath stay).

    >>> purl_without_version("pkg:npm/%40angular/core@17.0.0?repository_url=x#sub")
    'pkg:npm/%40angular/core?repository_url=x#sub'
    >>> purl_without_version("pkg:npm/@angular/core")
    'pkg:npm/@angular/core'
    """
    rest, hash_mark, subpath = text.partition("#")
    rest, question_mark, qualifiers = rest.partition("?")
    at = rest.rfind("@")
    if at > rest.rfind("/"):
        rest = rest[:at]
    return f"{rest}{question_mark}{qualifiers}{hash_mark}{subpath}"


def listed_v0(cycle: Cycle, as_of: date) -> bool:
    """Whether endoflife.date's v0 lists the cycle on ``as_of``: it is released by then."""
    released_on = cycle.dates.released_on
    return released_on is not None and released_on <= as_of


def cycle_v0(cycle: Cycle, as_of: date) -> dict[str, object]:
    """One released cycle in endoflife.date's v0 shape (SPEC 11 and 14).

    ``support`` and ``eol`` are last days of a phase (one day before this service's dates);
    an unknown end is ``true`` for ``support`` and ``false`` for ``eol``, and a vendor's
    ``true`` (the phase has begun) is ``false`` for support and ``true`` for eol. A cycle
    without a record answers exactly as before records existed. A cycle with one answers as
    endoflife.date's own v0 does from the definition: ``lts`` as decided (a date as
    ``YYYY-MM-DD``), no ``support`` where the cycle has no security-only phase, and no
    ``latest`` or ``latestReleaseDate`` where none is known.
    """
    dates = cycle.dates
    released_on = dates.released_on
    if released_on is None or released_on > as_of:
        raise LifecycleError(f"Cycle {cycle.key} is not released on {as_of}.")
    record = cycle.record
    if record is None:
        latest = cycle.latest(as_of)
        return {
            "cycle": cycle.key,
            "releaseDate": released_on.isoformat(),
            "support": _support(dates.value("security_only_from")),
            "eol": _eol(dates.value("eol_on")),
            "latest": latest.version if latest is not None else None,
            "latestReleaseDate": latest.released_on.isoformat() if latest is not None else None,
            "lts": False,
        }
    shape: dict[str, object] = {"cycle": cycle.key, "releaseDate": released_on.isoformat()}
    if not record.no_security_phase:
        shape["support"] = _support(dates.value("security_only_from"))
    shape["eol"] = _eol(dates.value("eol_on"))
    shown = cycle.latest_shown(as_of)
    if shown is not None:
        shape["latest"] = shown[0]
        if shown[1] is not None:
            shape["latestReleaseDate"] = shown[1].isoformat()
    lts = record.lts
    shape["lts"] = lts.isoformat() if isinstance(lts, date) else lts
    return shape


def product_v0(cycles: ProductCycles, as_of: date) -> list[dict[str, object]]:
    """``GET /api/{slug}.json``: every cycle released by ``as_of``, newest first."""
    return [cycle_v0(cycle, as_of) for cycle in cycles.newest_first if listed_v0(cycle, as_of)]


def _support(first_day: Decision) -> str | bool:
    if isinstance(first_day, date):
        return (first_day - _DAY).isoformat()
    return first_day is not True  # unknown or not begun: still supported


def _eol(first_day: Decision) -> str | bool:
    if isinstance(first_day, date):
        return (first_day - _DAY).isoformat()
    return first_day is True


# --- reading one cycle -------------------------------------------------------------------


class _Refused(Exception):
    """Internal: this cycle cannot be imported; the message says why."""


def _record(
    name: str,
    item: Mapping[str, object],
    label_template: object,
    ignored: list[IgnoredField],
    refused: list[RefusedCycle],
) -> CycleRecord | None:
    try:
        released_on = _date(item.get("releaseDate"), "releaseDate")
        if released_on is None:
            raise _Refused("releaseDate is missing")
        if not EARLIEST_DATE <= released_on <= LATEST_DATE:
            raise _Refused(f"releaseDate {released_on} is outside {EARLIEST_DATE} to {LATEST_DATE}")
        fields: dict[str, object] = {
            "key": name,
            "released_on": released_on,
            "eol_on": _phase(name, item, "eol", ignored),
            "lts": _lts(name, item.get("lts"), ignored),
            "codename": _optional_text(name, item, "codename", ignored),
        }
        if "eoas" in item:
            fields["security_only_from"] = _phase(name, item, "eoas", ignored)
        else:
            # endoflife.date leaves eoas out for products without a security-only phase.
            fields["no_security_phase"] = True
        extended = _phase(name, item, "eoes", ignored)
        link = _template(name, item, "link", item.get("link"), ignored)
        if link is not None:
            if is_http_url(link):
                fields["link"] = link
            else:
                ignored.append(IgnoredField(name, "link", f"{link!r} is no http(s) URL"))
        label = _template(name, item, "releaseLabel", label_template, ignored)
        if label is not None:
            if _fits(label):
                fields["label"] = label
            else:
                ignored.append(IgnoredField(name, "releaseLabel", "not a short line of text"))
    except _Refused as why:
        refused.append(RefusedCycle(name, str(why)))
        return None
    try:
        return CycleRecord(**fields, extended_end_on=extended)  # type: ignore[arg-type]
    except InvalidCycleRecord as error:
        if "extended_end_on" not in (error.field, error.other_field):
            refused.append(RefusedCycle(name, error.message))
            return None
        # An eoes out of order with eol: the cycle is kept without it. The other dates
        # were found in order before the pairs with extended_end_on were checked.
        ignored.append(IgnoredField(name, "eoes", error.message))
    return CycleRecord(**fields)  # type: ignore[arg-type]


def _latest(
    record: CycleRecord,
    item: Mapping[str, object],
    names: dict[tuple[int, ...], str],
    width: int,
    ignored: list[IgnoredField],
) -> tuple[Release | None, CycleRecord]:
    """The cycle's latest release as a release of its own, or as its record's display latest."""
    latest = item.get("latest")
    if latest is None:
        return None, record
    name = record.key
    if not isinstance(latest, str) or not (latest == "" or _fits(latest)):
        ignored.append(IgnoredField(name, "latest", "not a short line of text"))
        return None, record
    try:
        day = _date(item.get("latestReleaseDate"), "latestReleaseDate")
    except _Refused as why:
        ignored.append(IgnoredField(name, "latestReleaseDate", str(why)))
        day = None
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        ignored.append(
            IgnoredField(name, "latestReleaseDate", f"{day} is outside what the service holds")
        )
        day = None
    if day is not None:
        try:
            version = parse_version(latest)
        except LifecycleError:
            version = None
        if (
            version is not None
            and not version.is_prerelease
            and not version.epoch
            and leading_name(names, width, version.release) == name
        ):
            return Release.of(latest, day), record
    return None, replace(record, display_latest=latest, display_latest_on=day)


def _phase(
    name: str, item: Mapping[str, object], source: str, ignored: list[IgnoredField]
) -> Decision:
    """A last day (or true or false) as the first day of the next phase."""
    value = item.get(source)
    if value is None or isinstance(value, bool):
        return value
    last = _date(value, source)
    assert last is not None
    if last >= LATEST_DATE:
        ignored.append(
            IgnoredField(name, source, f"{last} is after {LATEST_DATE}: read as not begun")
        )
        return False
    first = last + _DAY
    if first < EARLIEST_DATE:
        ignored.append(
            IgnoredField(name, source, f"{last} is before {EARLIEST_DATE}: read as begun")
        )
        return True
    return first


def _lts(name: str, value: object, ignored: list[IgnoredField]) -> bool | date:
    if value is None or isinstance(value, bool):
        return bool(value)
    try:
        day = _date(value, "lts")
    except _Refused as why:
        ignored.append(IgnoredField(name, "lts", f"{why}; read as true"))
        return True
    assert day is not None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        ignored.append(IgnoredField(name, "lts", f"{day} is outside what the service holds"))
        return True
    return day


def _date(value: object, source: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Refused(f"{source} must be a date (YYYY-MM-DD), true or false, not {value!r}")


def _template(
    name: str, item: Mapping[str, object], source: str, value: object, ignored: list[IgnoredField]
) -> str | None:
    """A link or label with endoflife.date's placeholders filled in; None when it has none
    or keeps template markup this service does not run."""
    if value is None:
        return None
    if not isinstance(value, str):
        ignored.append(IgnoredField(name, source, "not text"))
        return None
    text = value.strip()
    for placeholder, key in _PLACEHOLDERS:
        if placeholder in text:
            filled = item.get(key)
            text = text.replace(placeholder, filled if isinstance(filled, str) else "")
    if "{{" in text or "{%" in text:
        ignored.append(IgnoredField(name, source, "a template this service cannot fill in"))
        return None
    return text or None


def _optional_text(
    name: str, item: Mapping[str, object], key: str, ignored: list[IgnoredField]
) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, str) and _fits(value):
        return value
    ignored.append(IgnoredField(name, key, "not a short line of text"))
    return None


def _fits(text: str) -> bool:
    return bool(text.strip()) and len(text) <= MAX_TEXT_LENGTH and text.isprintable()


# --- the product's own fields ----------------------------------------------------------------


def _required_text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidDefinition(f"a product definition must have a {key}")
    return value


def _tags(value: object, ignored: list[IgnoredField]) -> tuple[str, ...]:
    if value is None:
        return ()
    words = value.split() if isinstance(value, str) else value
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        ignored.append(IgnoredField(None, "tags", "neither a list of tags nor words"))
        return ()
    return tuple(dict.fromkeys(words))


def _identifiers(value: object, ignored: list[IgnoredField]) -> tuple[Identifier, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        ignored.append(IgnoredField(None, "identifiers", "not a list"))
        return ()
    found: dict[tuple[str, str], Identifier] = {}
    for item in value:
        if not isinstance(item, Mapping) or len(item) != 1:
            ignored.append(IgnoredField(None, "identifiers", f"{item!r} is not one {{type: id}}"))
            continue
        ((kind, text),) = item.items()
        if kind not in IDENTIFIER_TYPES or not isinstance(text, str) or not text.strip():
            ignored.append(IgnoredField(None, "identifiers", f"{item!r} is not a known type"))
            continue
        if kind == "purl":
            if not text.startswith("pkg:"):
                ignored.append(IgnoredField(None, "identifiers", f"{text!r} is not a purl"))
                continue
            text = purl_without_version(text)
        found.setdefault((kind, text), Identifier(kind, text))
    return tuple(found.values())
