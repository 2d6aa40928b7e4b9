"""SPEC 4: platform versions, how they match, vendor EOL and the support matrix."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from packaging.version import InvalidVersion, Version

from platforms.matrix import (
    Platform,
    PlatformCheck,
    PlatformRegistry,
    PlatformVersion,
    SupportMatrix,
    version_match_key,
)

D = date.fromisoformat

UBUNTU = Platform(
    "ubuntu",
    "Ubuntu",
    (
        PlatformVersion("20.04", D("2025-06-01")),
        PlatformVersion("22.04", D("2027-06-01")),
        PlatformVersion("24.04"),
    ),
)
RHEL = Platform("rhel", "Red Hat Enterprise Linux", (PlatformVersion("8"), PlatformVersion("9")))
MACOS = Platform(
    "macos", "macOS", (PlatformVersion("Sonoma"), PlatformVersion("Ventura", D("2026-09-15")))
)
REGISTRY = PlatformRegistry.of([UBUNTU, RHEL, MACOS])
MATRIX = SupportMatrix(
    {
        "1": (("ubuntu", "20.04"), ("ubuntu", "22.04"), ("macos", "Ventura")),
        "2": (("ubuntu", "22.4"), ("ubuntu", "24.04"), ("rhel", "9.0"), ("macos", "sonoma")),
        # A cycle no release has yet may be given its row in advance.
        "3": (("ubuntu", "24.04"),),
    }
)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("22.04", "22.4"),
        ("22.04", "22.4.0"),
        ("22.04", " 22.04 "),
        ("8", "8.0"),
        ("2019", "2019.0.0"),
        ("v11", "11"),
        ("Server 2019", "server 2019"),
        ("Sonoma", "SONOMA"),
        ("Sonoma", " sonoma "),
    ],
    ids=repr,
)
def test_versions_that_match(left: str, right: str) -> None:
    assert version_match_key(left) == version_match_key(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("22.04", "22.10"),
        ("22.04", "22.04.1"),
        ("22.04", "22"),
        ("8", "8.1"),
        ("jammy", "22.04"),
        ("2019 R2", "2019"),
        ("Server 2019", "Server 2022"),
        ("11", "eleven"),
    ],
    ids=repr,
)
def test_versions_that_do_not_match(left: str, right: str) -> None:
    assert version_match_key(left) != version_match_key(right)


def _parses(text: str) -> bool:
    try:
        Version(text.strip())
    except InvalidVersion:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["22.04", "8", "2019", "v11", "1.0rc1"]) | st.text(max_size=8),
    st.text(max_size=8),
)
def test_a_version_never_matches_a_text(version: str, text: str) -> None:
    assume(_parses(version) and not _parses(text))
    assert version_match_key(version) != version_match_key(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 99), min_size=1, max_size=3), st.integers(1, 3))
def test_leading_and_trailing_zeros_do_not_matter(numbers: list[int], zeros: int) -> None:
    plain = ".".join(str(n) for n in numbers)
    padded = ".".join(f"{n:02d}" for n in [*numbers, *[0] * zeros])
    assert version_match_key(plain) == version_match_key(padded)


@pytest.mark.parametrize(
    ("platform", "asked", "found"),
    [
        (UBUNTU, "22.04", "22.04"),
        (UBUNTU, "22.4", "22.04"),
        (UBUNTU, "22.4.0", "22.04"),
        (UBUNTU, "23.04", None),
        (UBUNTU, "jammy", None),
        (RHEL, "9.0", "9"),
        (MACOS, "sonoma", "Sonoma"),
        (MACOS, "Sequoia", None),
    ],
    ids=lambda value: value.slug if isinstance(value, Platform) else repr(value),
)
def test_platform_find(platform: Platform, asked: str, found: str | None) -> None:
    result = platform.find(asked)
    assert (result.version if result else None) == found


def test_registry_find() -> None:
    found = REGISTRY.find("ubuntu", "22.4")
    assert found is not None
    platform, version = found
    assert platform is UBUNTU
    assert version == PlatformVersion("22.04", D("2027-06-01"))
    assert REGISTRY.find("debian", "12") is None
    assert REGISTRY.find("ubuntu", "23.04") is None
    assert REGISTRY.find("rhel", "22.04") is None


@pytest.mark.parametrize(
    ("cycle", "platform", "version", "listed"),
    [
        ("1", "ubuntu", "20.04", True),
        ("1", "ubuntu", "22.4", True),
        ("1", "ubuntu", "24.04", False),
        ("1", "macos", "VENTURA", True),
        ("2", "ubuntu", "22.04", True),
        ("2", "ubuntu", "20.04", False),
        ("2", "rhel", "9", True),
        ("2", "rhel", "8", False),
        ("2", "macos", "Sonoma", True),
        ("2", "centos", "9", False),
        ("3", "ubuntu", "24.4.0", True),
        ("4", "ubuntu", "24.04", False),
    ],
    ids=lambda value: str(value),
)
def test_matrix_lists(cycle: str, platform: str, version: str, listed: bool) -> None:
    assert MATRIX.lists(cycle, platform, version) is listed


def test_matrix_row() -> None:
    assert MATRIX.row("3") == (("ubuntu", "24.04"),)
    assert MATRIX.row("4") == ()


@pytest.mark.parametrize(
    ("cycle", "platform", "version", "expected"),
    [
        ("2", "ubuntu", "22.4", PlatformCheck("ubuntu", "22.04", True, True, D("2027-06-01"))),
        ("2", "ubuntu", "24.04", PlatformCheck("ubuntu", "24.04", True, True, None)),
        ("2", "ubuntu", "20.04", PlatformCheck("ubuntu", "20.04", True, False, D("2025-06-01"))),
        ("2", "rhel", "8", PlatformCheck("rhel", "8", True, False, None)),
        ("2", "debian", "12", PlatformCheck("debian", "12", False, False, None)),
        ("2", "ubuntu", "23.04", PlatformCheck("ubuntu", "23.04", False, False, None)),
        ("9", "ubuntu", "22.04", PlatformCheck("ubuntu", "22.04", True, False, D("2027-06-01"))),
    ],
    ids=lambda value: str(value) if not isinstance(value, PlatformCheck) else "",
)
def test_matrix_check(cycle: str, platform: str, version: str, expected: PlatformCheck) -> None:
    assert MATRIX.check(REGISTRY, cycle, platform, version) == expected


@pytest.mark.parametrize(
    ("day", "supported"),
    [("2027-05-31", True), ("2027-06-01", False), ("2030-01-01", False), ("2020-01-01", True)],
    ids=lambda value: str(value),
)
def test_vendor_eol_is_the_first_unsupported_day(day: str, supported: bool) -> None:
    version = PlatformVersion("22.04", D("2027-06-01"))
    assert version.vendor_supported(D(day)) is supported
    check = MATRIX.check(REGISTRY, "2", "ubuntu", "22.04")
    assert check.vendor_supported(D(day)) is supported
    assert check.covered(D(day)) is supported


@pytest.mark.parametrize("day", ["1970-01-01", "2026-11-22", "9999-12-31"])
def test_no_vendor_eol_is_supported_on_any_day(day: str) -> None:
    assert PlatformVersion("24.04").vendor_supported(D(day))
    assert MATRIX.check(REGISTRY, "2", "ubuntu", "24.04").covered(D(day))


@pytest.mark.parametrize(
    ("cycle", "platform", "version"),
    [("2", "debian", "12"), ("2", "rhel", "8"), ("1", "ubuntu", "24.04")],
    ids=lambda value: str(value),
)
def test_unknown_or_unlisted_is_never_covered(cycle: str, platform: str, version: str) -> None:
    check = MATRIX.check(REGISTRY, cycle, platform, version)
    assert not check.covered(D("2020-01-01"))


def test_values_are_frozen_and_compare_by_their_fields() -> None:
    again = Platform(
        "rhel", "Red Hat Enterprise Linux", (PlatformVersion("8"), PlatformVersion("9"))
    )
    assert again == RHEL
    with pytest.raises(AttributeError):
        RHEL.name = "RHEL"  # type: ignore[misc]
