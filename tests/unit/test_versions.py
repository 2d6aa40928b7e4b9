"""SPEC 2: parsing, identity, order and pre-release status of version strings."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from lifecycle.errors import InvalidVersion, LifecycleError
from lifecycle.versions import MAX_VERSION_LENGTH, canonical_version, is_prerelease, parse_version

# One strictly increasing list; every ordering case below is derived from it.
SORTED_VERSIONS = [
    "0.1",
    "0.9",
    "1.0.dev456",
    "1.0a1",
    "1.0a2.dev456",
    "1.0a12.dev456",
    "1.0a12",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0rc1.dev456",
    "1.0rc1",
    "1.0",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.1.dev1",
    "2.0.0-alpha",
    "2.0.0-beta.2",
    "2.0.0-beta.11",
    "2.0.0-rc.1",
    "v2.0.0",
    "2.0.1+build.5",
    "2.1",
    "2.9",
    "2.10.0",
    "10.0",
    "2024.1.1",
    "1!0.1",
]

ORDERED_PAIRS = list(itertools.combinations(SORTED_VERSIONS, 2))


@pytest.mark.parametrize(
    ("lower", "higher"), ORDERED_PAIRS, ids=[f"{a}<{b}" for a, b in ORDERED_PAIRS]
)
def test_order_follows_the_sorted_list(lower: str, higher: str) -> None:
    a, b = parse_version(lower), parse_version(higher)
    assert a < b
    assert a <= b
    assert b > a
    assert b >= a
    assert a != b
    assert not a == b  # noqa: SIM201 - both operators are under test
    assert canonical_version(a) != canonical_version(b)


def test_sorting_shuffled_list_restores_it() -> None:
    shuffled = list(reversed(SORTED_VERSIONS[::2])) + SORTED_VERSIONS[1::2]
    assert sorted(shuffled, key=parse_version) == SORTED_VERSIONS


SAME_RELEASE = [
    ("2.1", "2.1.0", "v2.1.0", " V2.1.0.0 ", "2.1+build.7", "2.1.0+20130313144700"),
    ("1.0.0-rc.1", "1.0rc1", "1.0.0rc1", "1.0.0-rc1+build.1", "v1.0.0-RC.1"),
    ("1.0.0-beta.11", "1.0b11", "1.0.0-b11"),
    ("1.0.0-alpha", "1.0a0", "1.0.0a"),
    ("1.0.post1", "1.0-1", "1.0.0.post1"),
    ("3.0.dev0", "3.0.0-dev", "3.dev0"),
    ("1!2.0", "1!2", "v1!2.0.0"),
    ("0", "0.0", "0.0.0"),
]
SAME_PAIRS = [pair for group in SAME_RELEASE for pair in itertools.combinations(group, 2)]


@pytest.mark.parametrize(
    ("left", "right"), SAME_PAIRS, ids=[f"{a!r}=={b!r}" for a, b in SAME_PAIRS]
)
def test_strings_that_parse_equal_are_one_release(left: str, right: str) -> None:
    a, b = parse_version(left), parse_version(right)
    assert a == b
    assert not a < b
    assert not a > b
    assert hash(a) == hash(b)
    assert canonical_version(a) == canonical_version(b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.0", "1.0"),
        (" 1.0", "1.0"),
        ("1.0\n", "1.0"),
        ("\t v1.0 ", "1.0"),
        ("v1.0", "1.0"),
        ("V1.0", "1.0"),
        ("2.0.0-rc.1", "2.0.0rc1"),
        ("1.0.0-beta.11", "1.0.0b11"),
        ("2.1.0+build.7", "2.1.0"),
        ("v2.0.0-rc.1+exp.sha.5114f85", "2.0.0rc1"),
        ("2024.01.01", "2024.1.1"),
        ("2024-01", "2024.post1"),
        ("1!2.3", "1!2.3"),
    ],
    ids=repr,
)
def test_accepted_forms(text: str, expected: str) -> None:
    assert str(parse_version(text)) == expected


@pytest.mark.parametrize(
    "text",
    ["2.1+build.7", "1.0.0-rc.1+build.1", "v3+local.1"],
)
def test_build_metadata_is_dropped(text: str) -> None:
    version = parse_version(text)
    assert version.local is None
    assert "+" not in str(version)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "v",
        " V ",
        "vv1.0",
        "Vv1.0",
        "v v1.0",
        "v 1.0",
        "1.0.0-SNAPSHOT",
        "2.0.0-alpha.beta",
        "2024-01-01",
        "2024-1-1",
        "01/02/2024",
        "jammy",
        "Bookworm",
        "latest",
        "1.0.0+",
        "1..0",
        "1.0.",
        "-1.0",
        "1.0 beta",
        "1.0\x00",
        "1." + "0." * MAX_VERSION_LENGTH + "0",
    ],
    ids=repr,
)
def test_rejected_with_the_text(text: str) -> None:
    with pytest.raises(InvalidVersion) as caught:
        parse_version(text)
    error = caught.value
    assert isinstance(error, LifecycleError)
    assert isinstance(error, ValueError)
    assert error.code == "invalid_version"
    if len(text) <= MAX_VERSION_LENGTH:
        assert error.text == text
        assert repr(text) in str(error)


@pytest.mark.parametrize("value", [None, 12, 1.0], ids=repr)
def test_non_string_input_is_an_invalid_version(value: object) -> None:
    with pytest.raises(InvalidVersion):
        parse_version(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "prerelease"),
    [
        ("1.0.dev0", True),
        ("1.0a1", True),
        ("1.0b2", True),
        ("1.0rc1", True),
        ("1.0c1", True),
        ("2.0.0-rc.1", True),
        ("1.0.0-beta.11", True),
        ("1.0.0-alpha", True),
        ("1.0.post1.dev0", True),
        ("1.0", False),
        ("1.0.post1", False),
        ("1.0-1", False),
        ("2.1.0+build.7", False),
        ("1!1.0", False),
    ],
    ids=repr,
)
def test_prerelease_or_ga(text: str, prerelease: bool) -> None:
    assert is_prerelease(parse_version(text)) is prerelease


def test_canonical_version_drops_trailing_zeros() -> None:
    assert canonical_version(parse_version("v2.1.0+build")) == "2.1"
    assert canonical_version(parse_version("2.10.0")) == "2.10"
    assert canonical_version(parse_version("1.0.0-rc.1")) == "1rc1"


# -- properties ---------------------------------------------------------------

_numbers = st.integers(min_value=0, max_value=12)


@dataclass(frozen=True, slots=True)
class Parts:
    """The parts of a version string, and how it is spelled."""

    epoch: int
    release: tuple[int, ...]
    semver: bool
    pre: tuple[str, int] | None
    post: int | None
    dev: int | None
    build: str | None
    prefix: str
    suffix: str

    def spell(self, extra_zeros: int = 0) -> str:
        """PEP 440 or SemVer text, with ``extra_zeros`` appended to the release."""
        text = f"{self.epoch}!" if self.epoch else ""
        text += ".".join(str(n) for n in (*self.release, *[0] * extra_zeros))
        if self.pre is not None:
            label, number = self.pre
            text += f"-{SEMVER_LABELS[label]}.{number}" if self.semver else f"{label}{number}"
        if self.post is not None:
            text += f".post{self.post}"
        if self.dev is not None:
            text += f".dev{self.dev}"
        if self.build is not None:
            text += f"+{self.build}"
        return f"{self.prefix}{text}{self.suffix}"


SEMVER_LABELS = {"a": "alpha", "b": "beta", "rc": "rc"}

# Small numbers, so that generated versions often collide or tie.
version_parts = st.builds(
    Parts,
    epoch=st.sampled_from([0, 0, 0, 1]),
    release=st.lists(_numbers, min_size=1, max_size=4).map(tuple),
    semver=st.booleans(),
    pre=st.none() | st.tuples(st.sampled_from(sorted(SEMVER_LABELS)), _numbers),
    post=st.none() | _numbers,
    dev=st.none() | _numbers,
    build=st.sampled_from([None, None, "1", "build.7", "exp.sha.5114f85", "a-b_c"]),
    prefix=st.sampled_from(["", "", "v", "V", " ", " v"]),
    suffix=st.sampled_from(["", "", " ", "\n"]),
)


def version_texts() -> st.SearchStrategy[str]:
    return version_parts.map(Parts.spell)


versions = version_texts().map(parse_version)
SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(versions, versions)
def test_order_is_total_and_antisymmetric(a: Version, b: Version) -> None:
    assert [a < b, a == b, a > b].count(True) == 1
    assert (a <= b) == (a < b or a == b)
    assert (a >= b) == (a > b or a == b)
    if a <= b and b <= a:
        assert a == b


@SETTINGS
@given(versions, versions, versions)
def test_order_is_transitive(a: Version, b: Version, c: Version) -> None:
    for x, y, z in itertools.permutations((a, b, c)):
        if x <= y and y <= z:
            assert x <= z
        if x == y and y == z:
            assert x == z


@SETTINGS
@given(versions, versions)
def test_equal_exactly_when_canonical_versions_are_equal(a: Version, b: Version) -> None:
    assert (a == b) == (canonical_version(a) == canonical_version(b))
    if a == b:
        assert hash(a) == hash(b)


@SETTINGS
@given(version_parts, st.integers(min_value=1, max_value=3))
def test_trailing_zeros_do_not_change_the_release(parts: Parts, zeros: int) -> None:
    version = parse_version(parts.spell())
    padded = parse_version(parts.spell(extra_zeros=zeros))
    assert padded == version
    assert canonical_version(padded) == canonical_version(version)


@SETTINGS
@given(version_texts(), versions, st.sampled_from(["0", "build", "20130313144700", "x.y.z"]))
def test_build_metadata_changes_neither_identity_nor_order(
    text: str, other: Version, build: str
) -> None:
    plain = parse_version(text)
    built = parse_version(plain.public + "+" + build)
    assert built == plain
    assert canonical_version(built) == canonical_version(plain)
    assert (built < other) == (plain < other)
    assert (built > other) == (plain > other)


@SETTINGS
@given(st.text(max_size=30))
def test_any_text_parses_or_is_an_invalid_version(text: str) -> None:
    try:
        version = parse_version(text)
    except InvalidVersion as error:
        assert error.text == text
    else:
        assert version.local is None
        trimmed = text.strip().removeprefix("v").removeprefix("V")
        assert version == Version(Version(trimmed).public)
