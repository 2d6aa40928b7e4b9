"""Bad input gets a 4xx problem+json and leaves the database unchanged (SPEC 6).

One seeded catalogue per database serves every case: after its request, each case
compares every table's rows and the public reads with the snapshot taken right after
seeding, so a case that wrote anything fails, whichever case it is (and the case before
each one has checked the state it starts from).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask.testing import FlaskClient

from tests.factories import DATABASES, Call, World, world

PRODUCTS = "/api/v1/products"
PRODUCT = f"{PRODUCTS}/aperturedb"
PLATFORMS = "/api/v1/platforms"
SMALL_LIMIT = 1024
NOTHING = object()
T = TypeVar("T")
V = TypeVar("V")

# The public reads whose answers must not move either (they go through the cache).
# (The product's answer holds its cycles, their platforms and vendor EOL dates.)
READS = [f"{PRODUCT}?as_of=2026-11-22", f"{PRODUCT}/releases?as_of=2026-11-22"]

# Each body-taking call, with a body it would accept.
TARGETS: dict[str, tuple[str, str, Any]] = {
    "product-create": ("POST", PRODUCTS, {"slug": "newprod", "name": "New"}),
    "product-patch": ("PATCH", PRODUCT, {"name": "Renamed"}),
    "release-create": (
        "POST",
        f"{PRODUCT}/releases",
        {"version": "4.0.0", "released_on": "2027-06-01"},
    ),
    "release-patch": ("PATCH", f"{PRODUCT}/releases/2.1", {"notes": "n"}),
    "matrix-put": ("PUT", f"{PRODUCT}/cycles/2/platforms", [{"platform": "rhel", "version": "9"}]),
    "platform-create": ("POST", PLATFORMS, {"slug": "debian", "name": "Debian"}),
    "platform-patch": ("PATCH", f"{PLATFORMS}/ubuntu", {"name": "Renamed"}),
    "platform-version-put": ("PUT", f"{PLATFORMS}/ubuntu/versions/26.04", {"vendor_eol": None}),
}


@dataclass(frozen=True)
class Bad:
    method: str
    path: str
    status: int
    json: Any = NOTHING
    data: bytes | str | None = None
    content_type: str | None = None
    # Where the complaint sits in the problem's ``errors`` (list items are "0", "1", ...).
    field: tuple[str, ...] | None = None
    code: str | None = None
    small: bool = False  # sent to the app with MAX_CONTENT_LENGTH = SMALL_LIMIT


def body_case(target: str, status: int, body: Any, *field: str, code: str | None = None) -> Bad:
    method, path, _ = TARGETS[target]
    return Bad(method, path, status, json=body, field=field or None, code=code)


def with_fields(target: str, **changes: Any) -> Any:
    """The target's good body with some fields changed."""
    good = TARGETS[target][2]
    return {**good, **changes}


def spread(kinds: Mapping[str, V], targets: Sequence[T]) -> Iterator[tuple[T, str, V]]:
    """Every kind on the first target, and the first kind on every other target.

    Each kind and each target is exercised, without the full product of the two.
    """
    first = next(iter(kinds))
    for i, target in enumerate(targets):
        for name, value in kinds.items():
            if i == 0 or name == first:
                yield target, name, value


def cases() -> Iterator[Any]:
    # --- malformed JSON: 400 ---------------------------------------------------------
    malformed: dict[str, bytes] = {
        "trailing-comma": b'{"name": "x",}',
        "single-quotes": b"{'name': 'x'}",
        "unterminated": b'{"name": "x"',
        "bare-word": b"hello",
        "not-utf8": b'{"name": "\xff\xfe"}',
        "nested-too-deep": b"[" * 20_000,
    }
    for target, name, data in spread(malformed, list(TARGETS)):
        method, path, _ = TARGETS[target]
        yield pytest.param(
            Bad(method, path, 400, data=data, content_type="application/json"),
            id=f"malformed-{name}-{target}",
        )

    # --- not JSON at all: 415 --------------------------------------------------------
    other_types = {
        "text-plain": ("text/plain", '{"name": "x"}'),
        "form": ("application/x-www-form-urlencoded", "name=x"),
        "xml": ("application/xml", "<name>x</name>"),
        "multipart": (
            "multipart/form-data; boundary=b",
            '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
        ),
    }
    for target, name, (content_type, data) in spread(other_types, list(TARGETS)):
        method, path, _ = TARGETS[target]
        yield pytest.param(
            Bad(method, path, 415, data=data, content_type=content_type),
            id=f"content-type-{name}-{target}",
        )

    # --- larger than MAX_CONTENT_LENGTH: 413 ------------------------------------------
    for target, (method, path, good) in TARGETS.items():
        padded: Any = (
            [*good, *([{"platform": "rhel", "version": "9"}] * 40)]
            if isinstance(good, list)
            else {**good, "description": "x" * (2 * SMALL_LIMIT)}
        )
        yield pytest.param(Bad(method, path, 413, json=padded, small=True), id=f"oversize-{target}")

    # --- unknown and server-owned fields: 422 naming them -------------------------------
    owned = {
        "product-create": [
            "id",
            "revision",
            "status",
            "cycles",
            "releases",
            "as_of",
            "created_at",
            "eol_on",
            "colour",
        ],
        "product-patch": ["slug", "id", "revision", "status", "cycles", "releases"],
        "release-create": [
            "id",
            "status",
            "cycle",
            "prerelease",
            "eol_on",
            "security_only_from",
            "version_key",
            "product",
        ],
        "release-patch": ["version", "status", "cycle", "prerelease", "eol_on"],
        "platform-create": ["id", "platform_versions"],
        "platform-patch": ["slug", "versions", "id"],
        "platform-version-put": ["version", "platform", "id"],
    }
    for target, names in owned.items():
        for name in names:
            yield pytest.param(
                body_case(target, 422, with_fields(target, **{name: "x"}), name),
                id=f"unknown-field-{name}-{target}",
            )
    for target in ["product-create", "product-patch"]:
        for name in ["eol_on", "status", "id"]:
            yield pytest.param(
                body_case(target, 422, with_fields(target, policy={name: 1}), "policy", name),
                id=f"unknown-policy-field-{name}-{target}",
            )
    for name in ["vendor_eol", "id", "cycle"]:
        yield pytest.param(
            body_case(
                "matrix-put", 422, [{"platform": "rhel", "version": "9", name: "x"}], "0", name
            ),
            id=f"unknown-matrix-field-{name}",
        )
    yield pytest.param(
        body_case(
            "platform-create",
            422,
            with_fields("platform-create", versions=[{"version": "12", "id": 3}]),
            "versions",
            "0",
            "id",
        ),
        id="unknown-platform-version-field",
    )

    # --- required fields missing: 422 -------------------------------------------------
    yield pytest.param(body_case("product-create", 422, {"slug": "x"}, "name"), id="missing-name")
    yield pytest.param(body_case("product-create", 422, {"name": "X"}, "slug"), id="missing-slug")
    yield pytest.param(
        body_case("release-create", 422, {"version": "4.0"}, "released_on"),
        id="missing-released-on",
    )
    yield pytest.param(
        body_case("release-create", 422, {"released_on": "2027-01-01"}, "version"),
        id="missing-version",
    )
    yield pytest.param(
        body_case("platform-version-put", 422, {}, "vendor_eol"), id="missing-vendor-eol"
    )
    yield pytest.param(
        body_case("matrix-put", 422, [{"platform": "rhel"}], "0", "version"),
        id="missing-matrix-version",
    )
    yield pytest.param(
        body_case(
            "platform-create",
            422,
            {"slug": "d", "name": "D", "versions": [{}]},
            "versions",
            "0",
            "version",
        ),
        id="missing-platform-version",
    )

    # --- wrong types: 422 naming the field --------------------------------------------
    wrong: list[tuple[str, str, Any, tuple[str, ...]]] = [
        ("product-create", "int-for-slug", with_fields("product-create", slug=5), ("slug",)),
        ("product-create", "int-for-name", with_fields("product-create", name=123), ("name",)),
        ("product-create", "null-name", with_fields("product-create", name=None), ("name",)),
        ("product-create", "bool-name", with_fields("product-create", name=True), ("name",)),
        (
            "product-create",
            "array-description",
            with_fields("product-create", description=["x"]),
            ("description",),
        ),
        (
            "product-create",
            "int-description",
            with_fields("product-create", description=7),
            ("description",),
        ),
        (
            "product-create",
            "array-for-policy",
            with_fields("product-create", policy=[]),
            ("policy",),
        ),
        (
            "product-create",
            "string-for-policy",
            with_fields("product-create", policy="minor"),
            ("policy",),
        ),
        (
            "product-create",
            "string-for-int",
            with_fields("product-create", policy={"full_support_cycles": "2"}),
            ("policy", "full_support_cycles"),
        ),
        (
            "product-create",
            "float-for-int",
            with_fields("product-create", policy={"security_cycles": 1.5}),
            ("policy", "security_cycles"),
        ),
        (
            "product-create",
            "bool-for-int",
            with_fields("product-create", policy={"eosl_months": True}),
            ("policy", "eosl_months"),
        ),
        (
            "product-create",
            "int-for-cycle",
            with_fields("product-create", policy={"cycle": 1}),
            ("policy", "cycle"),
        ),
        ("product-create", "array-body", [], ("_schema",)),
        ("product-create", "string-body", "aperturedb", ("_schema",)),
        ("product-create", "null-body", None, ("slug",)),
        ("product-create", "number-body", 5, ("_schema",)),
        ("product-patch", "bool-name", {"name": True}, ("name",)),
        ("product-patch", "null-name", {"name": None}, ("name",)),
        ("product-patch", "null-policy", {"policy": None}, ("policy",)),
        ("product-patch", "array-for-policy", {"policy": [1]}, ("policy",)),
        (
            "product-patch",
            "string-for-int",
            {"policy": {"eosl_months": "6"}},
            ("policy", "eosl_months"),
        ),
        (
            "release-create",
            "number-for-version",
            with_fields("release-create", version=4.0),
            ("version",),
        ),
        (
            "release-create",
            "array-for-version",
            with_fields("release-create", version=["4.0"]),
            ("version",),
        ),
        (
            "release-create",
            "true-for-date",
            with_fields("release-create", released_on=True),
            ("released_on",),
        ),
        (
            "release-create",
            "int-for-date",
            with_fields("release-create", released_on=20270601),
            ("released_on",),
        ),
        (
            "release-create",
            "object-for-date",
            with_fields("release-create", released_on={"year": 2027}),
            ("released_on",),
        ),
        (
            "release-create",
            "null-date",
            with_fields("release-create", released_on=None),
            ("released_on",),
        ),
        ("release-create", "int-notes", with_fields("release-create", notes=5), ("notes",)),
        ("release-create", "object-notes", with_fields("release-create", notes={}), ("notes",)),
        ("release-patch", "null-date", {"released_on": None}, ("released_on",)),
        ("release-patch", "array-notes", {"notes": ["n"]}, ("notes",)),
        ("matrix-put", "object-for-array", {"platform": "rhel", "version": "9"}, ("_schema",)),
        ("matrix-put", "string-for-array", "rhel", ("_schema",)),
        ("matrix-put", "array-for-object", [["rhel", "9"]], ("0", "_schema")),
        ("matrix-put", "null-item", [None], ("0", "_schema")),
        ("matrix-put", "int-for-platform", [{"platform": 5, "version": "9"}], ("0", "platform")),
        (
            "matrix-put",
            "number-for-version",
            [{"platform": "rhel", "version": 9.0}],
            ("0", "version"),
        ),
        (
            "platform-create",
            "object-for-versions",
            with_fields("platform-create", versions={"version": "12"}),
            ("versions",),
        ),
        (
            "platform-create",
            "string-for-version-object",
            with_fields("platform-create", versions=["12"]),
            ("versions", "0", "_schema"),
        ),
        (
            "platform-create",
            "int-for-version",
            with_fields("platform-create", versions=[{"version": 12}]),
            ("versions", "0", "version"),
        ),
        (
            "platform-create",
            "true-for-vendor-eol",
            with_fields("platform-create", versions=[{"version": "12", "vendor_eol": True}]),
            ("versions", "0", "vendor_eol"),
        ),
        ("platform-patch", "int-for-name", {"name": 5}, ("name",)),
        ("platform-version-put", "int-for-date", {"vendor_eol": 5}, ("vendor_eol",)),
        ("platform-version-put", "true-for-date", {"vendor_eol": True}, ("vendor_eol",)),
        ("platform-version-put", "array-body", [], ("_schema",)),
    ]
    for target, name, body, field in wrong:
        yield pytest.param(body_case(target, 422, body, *field), id=f"wrong-type-{name}-{target}")

    # --- slugs, names, descriptions, control characters: 422 ---------------------------
    bad_slugs = {
        "upper-case": "ApertureDB",
        "too-long": "a" * 65,
        "leading-dash": "-aperture",
        "empty": "",
        "underscore": "a_b",
        "space": "a b",
        "trailing-newline": "abc\n",
        "non-ascii": "é",
        "slash": "a/b",
    }
    for target in ["product-create", "platform-create"]:
        for name, slug in bad_slugs.items():
            yield pytest.param(
                body_case(target, 422, with_fields(target, slug=slug), "slug"),
                id=f"slug-{name}-{target}",
            )
    yield pytest.param(
        body_case("matrix-put", 422, [{"platform": "RHEL", "version": "9"}], "0", "platform"),
        id="slug-upper-case-matrix-put",
    )
    bad_names = {
        "201-chars": "x" * 201,
        "empty": "",
        "blank": "   ",
        "nul": "a\x00b",
        "newline": "a\nb",
        "tab": "a\tb",
        "escape": "a\x1b[31mb",
        "del": "a\x7fb",
        "c1-next-line": "a\x85b",
    }
    name_targets = ["product-create", "product-patch", "platform-create", "platform-patch"]
    for target, name, value in spread(bad_names, name_targets):
        yield pytest.param(
            body_case(target, 422, with_fields(target, name=value), "name"),
            id=f"name-{name}-{target}",
        )
    bad_long_texts = {
        "10001-chars": "x" * 10_001,
        "nul": "a\x00b",
        "bell": "\x07",
        "escape": "\x1b[2J",
        "vertical-tab": "a\x0bb",
        "c1": "a\x9bb",
    }
    long_text_targets = [
        ("product-create", "description"),
        ("release-create", "notes"),
        ("product-patch", "description"),
        ("release-patch", "notes"),
    ]
    for (target, field), name, value in spread(bad_long_texts, long_text_targets):
        yield pytest.param(
            body_case(target, 422, with_fields(target, **{field: value}), field),
            id=f"{field}-{name}-{target}",
        )
    yield pytest.param(
        body_case("matrix-put", 422, [{"platform": "rhel", "version": "9\x00"}], "0", "version"),
        id="control-in-matrix-version",
    )
    yield pytest.param(
        body_case(
            "platform-create",
            422,
            with_fields("platform-create", versions=[{"version": "12\x01"}]),
            "versions",
            "0",
            "version",
        ),
        id="control-in-platform-version",
    )
    yield pytest.param(
        body_case(
            "platform-create",
            422,
            with_fields("platform-create", versions=[{"version": "ß" * 100}]),
            "versions",
            "0",
            "version",
        ),
        id="platform-version-too-long-once-case-folded",
    )
    for name, version in {"control": "12%01", "c1": "12%C2%85", "blank": "%20"}.items():
        yield pytest.param(
            Bad(
                "PUT",
                f"{PLATFORMS}/ubuntu/versions/{version}",
                422,
                json={"vendor_eol": None},
                field=("version",),
            ),
            id=f"platform-version-path-{name}",
        )

    # --- versions that do not parse: 422 invalid_version ---------------------------------
    bad_versions = {
        "words": "not-a-version",
        "final": "1.0.0.final",
        "two-v": "vv1.0",
        "empty-part": "1..0",
        "blank": "   ",
        "trailing-dash": "1.0-",
        "semver-long-pre": "2.0.0-rc.1.x.y",
        "latest": "latest",
        "space-inside": "1.0 beta",
        "only-v": "v",
        "empty-build": "1.0.0+",
        "snapshot": "1.0.0-SNAPSHOT",
        "wildcard": "1.0.*",
        "too-long-once-normalized": "1" + ".1" * 98 + "-1",
    }
    for name, version in bad_versions.items():
        yield pytest.param(
            body_case(
                "release-create",
                422,
                with_fields("release-create", version=version),
                "version",
                code="invalid_version",
            ),
            id=f"invalid-version-{name}",
        )
    for method in ["GET", "PATCH", "DELETE"]:
        yield pytest.param(
            Bad(
                method,
                f"{PRODUCT}/releases/not-a-version",
                422,
                json={"notes": "n"} if method == "PATCH" else NOTHING,
                field=("version",),
                code="invalid_version",
            ),
            id=f"invalid-version-in-path-{method.lower()}",
        )
    yield pytest.param(
        body_case(
            "release-create", 422, with_fields("release-create", version="4.0\x00"), "version"
        ),
        id="control-in-version",
    )
    yield pytest.param(
        body_case(
            "release-create", 422, with_fields("release-create", version="1" * 201), "version"
        ),
        id="version-over-200-chars",
    )

    # --- dates: invalid or out of range, 422 --------------------------------------------
    bad_days = {
        "feb-30": "2026-02-30",
        "month-13": "2026-13-01",
        "month-0": "2026-00-10",
        "not-a-leap-year": "2025-02-29",
        "two-digit-year": "26-01-01",
        "slashes": "2026/01/01",
        "basic-format": "20260101",
        "week-date": "2026-W01-1",
        "with-time": "2026-01-01T00:00:00",
        "empty": "",
        "word": "yesterday",
        "before-1900": "1899-12-31",
        "after-2999": "3000-01-01",
        "year-1": "0001-01-01",
        "year-9999": "9999-12-31",
    }
    date_fields: list[tuple[str, Callable[[str], Any], tuple[str, ...]]] = [
        (
            "release-create",
            lambda day: with_fields("release-create", released_on=day),
            ("released_on",),
        ),
        ("release-patch", lambda day: {"released_on": day}, ("released_on",)),
        ("platform-version-put", lambda day: {"vendor_eol": day}, ("vendor_eol",)),
        (
            "platform-create",
            lambda day: with_fields(
                "platform-create", versions=[{"version": "12", "vendor_eol": day}]
            ),
            ("versions", "0", "vendor_eol"),
        ),
    ]
    for (target, body, field), name, day in spread(bad_days, date_fields):
        yield pytest.param(body_case(target, 422, body(day), *field), id=f"date-{name}-{target}")
    reads = [
        f"{PRODUCT}/releases",
        PRODUCTS,
        PRODUCT,
        f"{PRODUCT}/cycles",
        f"{PRODUCT}/cycles/2",
        f"{PRODUCT}/releases/2.1",
    ]
    for read, name, day in spread(bad_days, reads):
        yield pytest.param(
            Bad("GET", f"{read}?as_of={day}", 422, field=("as_of",)),
            id=f"as-of-{name}-{read.removeprefix('/api/v1/')}",
        )

    # --- duplicates: 409 ----------------------------------------------------------------
    for name, version in {
        "same-string": "2.1",
        "trailing-zero": "2.1.0",
        "two-trailing-zeros": "2.1.0.0",
        "v-prefix": "v2.1",
        "capital-v": "V2.1.0",
        "build-metadata": "2.1.0+build.5",
        "whitespace": " 2.1 ",
        "other-release": "1.4.2",
    }.items():
        yield pytest.param(
            body_case("release-create", 409, with_fields("release-create", version=version)),
            id=f"duplicate-release-{name}",
        )
    yield pytest.param(
        body_case("product-create", 409, {"slug": "aperturedb", "name": "Again"}),
        id="duplicate-product",
    )
    yield pytest.param(
        body_case("platform-create", 409, {"slug": "ubuntu", "name": "Again"}),
        id="duplicate-platform",
    )
    yield pytest.param(
        body_case(
            "platform-create",
            422,
            with_fields("platform-create", versions=[{"version": "22.04"}, {"version": "22.4"}]),
            "versions",
        ),
        id="platform-version-listed-twice",
    )

    # --- policy out of range: 422 -----------------------------------------------------
    policies = {
        "full-support-0": ("full_support_cycles", 0),
        "full-support-101": ("full_support_cycles", 101),
        "full-support-negative": ("full_support_cycles", -1),
        "security-negative": ("security_cycles", -1),
        "security-101": ("security_cycles", 101),
        "eosl-negative": ("eosl_months", -1),
        "eosl-1201": ("eosl_months", 1201),
        "eosl-huge": ("eosl_months", 10**30),
        "cycle-patch": ("cycle", "patch"),
        "cycle-upper-case": ("cycle", "MAJOR"),
        "cycle-empty": ("cycle", ""),
    }
    for target, name, (field, value) in spread(policies, ["product-create", "product-patch"]):
        yield pytest.param(
            body_case(target, 422, with_fields(target, policy={field: value}), "policy", field),
            id=f"policy-{name}-{target}",
        )
    # Out of range in the other policy field too, on PATCH.
    for field, value in [("eosl_months", 1201), ("cycle", "patch")]:
        yield pytest.param(
            body_case("product-patch", 422, {"policy": {field: value}}, "policy", field),
            id=f"policy-{field}-product-patch",
        )

    # --- matrix rows naming what does not exist: 422 -------------------------------------
    for name, row, field in [
        ("unknown-platform", [{"platform": "solaris", "version": "11"}], ("0", "platform")),
        ("unknown-version", [{"platform": "ubuntu", "version": "18.04"}], ("0", "version")),
        (
            "second-unknown",
            [{"platform": "rhel", "version": "9"}, {"platform": "rhel", "version": "7"}],
            ("1", "version"),
        ),
    ]:
        yield pytest.param(body_case("matrix-put", 422, row, *field), id=f"matrix-{name}")
    for name, cycle in {"word": "abc", "minor-on-major": "2.1", "pre-release": "2rc1"}.items():
        yield pytest.param(
            Bad(
                "PUT",
                f"{PRODUCT}/cycles/{cycle}/platforms",
                422,
                json=[{"platform": "rhel", "version": "9"}],
                field=("cycle",),
                code="invalid_cycle",
            ),
            id=f"matrix-cycle-{name}",
        )

    # --- what does not exist: 404 ------------------------------------------------------
    missing_reads = [
        f"{PRODUCTS}/nope",
        f"{PRODUCTS}/nope/releases",
        f"{PRODUCTS}/nope/releases/1.0",
        f"{PRODUCTS}/nope/cycles",
        f"{PRODUCTS}/nope/cycles/1",
        f"{PRODUCT}/releases/9.9",
        f"{PRODUCT}/releases/2.1.1",
        f"{PRODUCT}/cycles/9",
        f"{PLATFORMS}/nope",
        f"{PRODUCTS}/ApertureDB",
        f"{PRODUCTS}/{'a' * 65}",
        f"{PRODUCTS}/%00",
        f"{PLATFORMS}/%00",
        f"{PLATFORMS}/Ubuntu",
        "/api/v1/nothing",
        f"{PRODUCT}/nothing",
    ]
    for path in missing_reads:
        yield pytest.param(Bad("GET", path, 404), id=f"not-found-get-{path.removeprefix('/api/')}")
    missing_writes = [
        ("PATCH", f"{PRODUCTS}/nope", {"name": "X"}),
        ("DELETE", f"{PRODUCTS}/nope", NOTHING),
        ("POST", f"{PRODUCTS}/nope/releases", {"version": "1.0", "released_on": "2026-01-01"}),
        ("PATCH", f"{PRODUCT}/releases/9.9", {"notes": "n"}),
        ("DELETE", f"{PRODUCT}/releases/9.9", NOTHING),
        ("PUT", f"{PRODUCTS}/nope/cycles/1/platforms", [{"platform": "rhel", "version": "9"}]),
        ("PATCH", f"{PLATFORMS}/nope", {"name": "X"}),
        ("DELETE", f"{PLATFORMS}/nope", NOTHING),
        ("PUT", f"{PLATFORMS}/nope/versions/1", {"vendor_eol": None}),
        ("DELETE", f"{PRODUCTS}/%00", NOTHING),
        ("DELETE", f"{PLATFORMS}/%00", NOTHING),
    ]
    for method, path, body in missing_writes:
        yield pytest.param(
            Bad(method, path, 404, json=body),
            id=f"not-found-{method.lower()}-{path.removeprefix('/api/v1/')}",
        )
    for method, path in [
        ("PUT", PRODUCTS),
        ("DELETE", PLATFORMS),
        ("POST", PRODUCT),
        ("PUT", f"{PRODUCT}/releases"),
        ("POST", f"{PRODUCT}/cycles/2"),
    ]:
        yield pytest.param(
            Bad(method, path, 405), id=f"method-not-allowed-{method.lower()}-{path[8:]}"
        )


@dataclass
class Worlds:
    """The seeded world, its baseline, and a client of an app with a small body limit."""

    world: World
    small: FlaskClient
    baseline: dict[str, Any]

    def snapshot(self) -> dict[str, Any]:
        """Every row of every table, and the public reads."""
        reads = {}
        for path in READS:
            answer = self.world.client.get(path)
            assert answer.status_code == 200
            reads[path] = answer.json
        return {"tables": self.world.rows(), "reads": reads}


SEED: list[Call] = [
    ("POST", PRODUCTS, {"slug": "aperturedb", "name": "ApertureDB"}),
    ("POST", f"{PRODUCT}/releases", {"version": "1.4.2", "released_on": "2025-01-10"}),
    ("POST", f"{PRODUCT}/releases", {"version": "2.1", "released_on": "2026-03-02"}),
    ("POST", f"{PRODUCT}/releases", {"version": "3.0.0", "released_on": "2027-03-01"}),
    (
        "POST",
        PLATFORMS,
        {
            "slug": "ubuntu",
            "name": "Ubuntu",
            "versions": [{"version": "22.04", "vendor_eol": "2027-06-01"}, {"version": "24.04"}],
        },
    ),
    ("POST", PLATFORMS, {"slug": "rhel", "name": "RHEL", "versions": [{"version": "9"}]}),
    ("PUT", f"{PRODUCT}/cycles/2/platforms", [{"platform": "ubuntu", "version": "22.04"}]),
]


@pytest.fixture(scope="module", params=DATABASES)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Worlds]:
    with world(request.param, tmp_path_factory, sqlite_template) as found:
        found.seed(SEED)
        small = found.another_app(MAX_CONTENT_LENGTH=SMALL_LIMIT).test_client()
        worlds = Worlds(found, small, {})
        worlds.baseline = worlds.snapshot()
        yield worlds


def errors_at(errors: Any, field: tuple[str, ...]) -> Any:
    found = errors
    for part in field:
        assert isinstance(found, dict), (field, errors)
        assert part in found, (field, errors)
        found = found[part]
    return found


@pytest.mark.parametrize("bad", list(cases()))
def test_bad_request_is_a_problem_and_changes_nothing(seeded: Worlds, bad: Bad) -> None:
    # The state before is the baseline: the case before this one checked it after itself.
    client = seeded.small if bad.small else seeded.world.client
    options: dict[str, Any] = {"headers": seeded.world.admin}
    if bad.json is not NOTHING:
        options["json"] = bad.json
    elif bad.data is not None:
        options["data"] = bad.data
        options["content_type"] = bad.content_type
    answer = client.open(bad.path, method=bad.method, **options)

    assert answer.status_code == bad.status, answer.get_data(as_text=True)[:500]
    assert answer.mimetype == "application/problem+json"
    problem = answer.get_json(force=True)
    assert isinstance(problem["type"], str) and problem["type"]
    assert isinstance(problem["title"], str) and problem["title"]
    assert problem["status"] == bad.status
    assert isinstance(problem["detail"], str) and problem["detail"]
    if bad.status == 422:
        assert problem["errors"], problem
    if bad.field is not None:
        messages = errors_at(problem["errors"], bad.field)
        assert messages, problem
    if bad.code is not None:
        assert problem["code"] == bad.code
        assert problem["type"].endswith(bad.code)
    if bad.status == 405:
        assert answer.headers["Allow"]

    assert seeded.snapshot() == seeded.baseline


def test_the_good_bodies_are_accepted(seeded: Worlds) -> None:
    """The cases above fail for what they change, not for a body that was never valid.

    Runs last in the module (its changes do not matter to the cases above).
    """
    for target, (method, path, body) in TARGETS.items():
        answer = seeded.world.client.open(
            path, method=method, json=body, headers=seeded.world.admin
        )
        assert answer.status_code in (200, 201), (target, answer.json)
