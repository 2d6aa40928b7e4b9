"""``version_key``, the bulk form of ``canonical_version(parse_version(text))``: the same
key and the same refusal for every text, through its plain-release fast path or not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle import versions
from lifecycle.errors import InvalidVersion
from lifecycle.versions import MAX_VERSION_LENGTH, canonical_version, parse_version, version_key
from tests.unit.test_versions import version_texts

RELEASE_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "release-data"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "release-data"


def slow_key(text: object) -> str | InvalidVersion:
    """What the two calls give: the key, or the error (compared by its text)."""
    try:
        return canonical_version(parse_version(text))  # type: ignore[arg-type]
    except InvalidVersion as error:
        return error


def fast_key(text: object) -> str | InvalidVersion:
    try:
        return version_key(text)  # type: ignore[arg-type]
    except InvalidVersion as error:
        return error


def assert_same(text: object) -> None:
    slow, fast = slow_key(text), fast_key(text)
    if isinstance(slow, InvalidVersion):
        assert isinstance(fast, InvalidVersion), (text, fast)
        assert (fast.text, str(fast)) == (slow.text, str(slow))
    else:
        assert fast == slow, text


def release_data_versions() -> list[str]:
    """Every version string of the real release-data set (the fixtures when it is absent)."""
    folder = RELEASE_DATA if RELEASE_DATA.is_dir() else FIXTURES
    texts: list[str] = []
    for path in sorted(folder.glob("*.json")):
        texts.extend(json.loads(path.read_bytes())["versions"])
    return texts


def test_every_release_data_version_keys_as_before() -> None:
    texts = release_data_versions()
    assert texts
    for text in texts:
        assert_same(text)
        assert_same(text.strip())  # as the importer passes them


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1", "1"),
        ("0", "0"),
        ("0.0.0", "0"),
        ("1.0.0.0", "1"),
        ("1.10.0", "1.10"),
        ("2.0.1", "2.0.1"),
        ("v2.1.0", "2.1"),
        ("V2.1", "2.1"),
        ("00.01.000", "0.1"),
        ("007.0100", "7.100"),
        ("2024.01.01", "2024.1.1"),
    ],
    ids=repr,
)
def test_plain_releases_take_the_fast_path(text: str, key: str) -> None:
    assert versions._plain_key(text) == key
    assert version_key(text) == key == canonical_version(parse_version(text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "v",
        "vv1",
        " 1.0",
        "1.0\n",
        "1..0",
        ".1",
        "1.",
        "1.0-rc.1",
        "1.0+7",
        "1!1.0",
        "\u0661.\u0662",  # Arabic-Indic digits: isdigit() says yes, packaging says no
        "\u00b2",
        "1.0 ",
    ],
    ids=repr,
)
def test_other_forms_take_the_slow_path_and_agree(text: str) -> None:
    assert versions._plain_key(text) is None
    assert_same(text)


@pytest.mark.parametrize(
    "value",
    [None, 12, 1.0, "1." * MAX_VERSION_LENGTH, "1" * (MAX_VERSION_LENGTH + 1)],
    ids=lambda v: repr(v)[:20],
)
def test_refusals_are_the_same(value: object) -> None:
    assert isinstance(slow_key(value), InvalidVersion)
    assert_same(value)


def test_a_refused_text_stays_refused_once_cached() -> None:
    for _ in range(2):
        with pytest.raises(InvalidVersion) as caught:
            version_key("2.0.0-SNAPSHOT")
        assert caught.value.text == "2.0.0-SNAPSHOT"


SETTINGS = settings(max_examples=500, deadline=None)
plain_texts = st.builds(
    lambda prefix, parts, suffix: prefix + ".".join(parts) + suffix,
    st.sampled_from(["", "", "v", "V", "vv", " "]),
    st.lists(st.from_regex(r"[0-9]{1,4}", fullmatch=True), min_size=1, max_size=6),
    st.sampled_from(["", "", "", ".", " ", "a1", "-rc.2", ".post1", "+7", "\u0663"]),
)


@SETTINGS
@given(plain_texts)
def test_plain_looking_texts_agree(text: str) -> None:
    assert_same(text)


@SETTINGS
@given(version_texts())
def test_generated_versions_agree(text: str) -> None:
    assert_same(text)


# What versions are made of, and some look-alikes (Arabic-Indic zero, superscript one).
ALPHABET = st.sampled_from("0123456789.vV-+_ abcdeilnoprstv!\u0660\u00b9")


@SETTINGS
@given(st.text(alphabet=ALPHABET, max_size=24))
def test_any_text_agrees(text: str) -> None:
    assert_same(text)
