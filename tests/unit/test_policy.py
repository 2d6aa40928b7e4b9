"""SPEC 3: a product's support policy, its defaults, its ranges and the cycle keys it cuts."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.errors import InvalidCycleKey, InvalidPolicy, LifecycleError
from lifecycle.policy import MAX_CYCLES, MAX_EOSL_MONTHS, CycleKind, Policy
from lifecycle.versions import Version, parse_version


def test_defaults_are_the_spec_table() -> None:
    policy = Policy()
    assert policy.cycle == "major"
    assert policy.full_support_cycles == 1
    assert policy.security_cycles == 1
    assert policy.eosl_months == 6
    assert policy.to_dict() == {
        "cycle": "major",
        "full_support_cycles": 1,
        "security_cycles": 1,
        "eosl_months": 6,
    }


def test_policy_is_a_frozen_value() -> None:
    policy = Policy(cycle="minor", security_cycles=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.cycle = "major"  # type: ignore[misc]
    assert policy == Policy(cycle="minor", security_cycles=0)
    assert hash(policy) == hash(Policy(cycle="minor", security_cycles=0))


@pytest.mark.parametrize(
    "fields",
    [
        {"cycle": "minor"},
        {"full_support_cycles": 1},
        {"full_support_cycles": MAX_CYCLES},
        {"security_cycles": 0},
        {"security_cycles": MAX_CYCLES},
        {"eosl_months": 0},
        {"eosl_months": MAX_EOSL_MONTHS},
    ],
    ids=lambda fields: ",".join(f"{k}={v}" for k, v in fields.items()),
)
def test_edges_of_the_ranges_are_accepted(fields: dict[str, object]) -> None:
    policy = Policy(**fields)  # type: ignore[arg-type]
    assert {k: policy.to_dict()[k] for k in fields} == fields


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cycle", "patch"),
        ("cycle", "Major"),
        ("cycle", ""),
        ("cycle", None),
        ("full_support_cycles", 0),
        ("full_support_cycles", -1),
        ("full_support_cycles", MAX_CYCLES + 1),
        ("full_support_cycles", True),
        ("full_support_cycles", 1.0),
        ("full_support_cycles", "1"),
        ("security_cycles", -1),
        ("security_cycles", MAX_CYCLES + 1),
        ("security_cycles", False),
        ("security_cycles", None),
        ("eosl_months", -1),
        ("eosl_months", MAX_EOSL_MONTHS + 1),
        ("eosl_months", 6.5),
    ],
    ids=lambda value: repr(value),
)
def test_out_of_range_is_an_invalid_policy(field: str, value: object) -> None:
    with pytest.raises(InvalidPolicy, match=field) as caught:
        Policy(**{field: value})  # type: ignore[arg-type]
    assert isinstance(caught.value, LifecycleError)
    assert caught.value.code == "invalid_policy"


@pytest.mark.parametrize(
    ("cycle", "version", "key"),
    [
        ("major", "2.5.1", "2"),
        ("major", "2", "2"),
        ("major", "10.0.0", "10"),
        ("major", "0.9.1", "0"),
        ("major", "2.0.0-rc.1", "2"),
        ("major", "v3.1+build.4", "3"),
        ("major", "1!2.3", "1!2"),
        ("minor", "1.27.3", "1.27"),
        ("minor", "1.27", "1.27"),
        ("minor", "1.027.0", "1.27"),
        ("minor", "1", "1.0"),
        ("minor", "1.10.2", "1.10"),
        ("minor", "2.0.0rc1", "2.0"),
        ("minor", "v3.1.4+build", "3.1"),
        ("minor", "1!2.3.4", "1!2.3"),
    ],
    ids=lambda value: str(value),
)
def test_cycle_key(cycle: CycleKind, version: str, key: str) -> None:
    assert Policy(cycle=cycle).cycle_key(parse_version(version)) == key


@pytest.mark.parametrize(
    ("cycle", "text", "key"),
    [
        ("major", "2", "2"),
        ("major", "v2", "2"),
        ("major", " 2 ", "2"),
        ("major", "02", "2"),
        ("major", "2.0", "2"),
        ("major", "2.0.0", "2"),
        ("major", "10", "10"),
        ("major", "1!2", "1!2"),
        ("minor", "1.27", "1.27"),
        ("minor", "V1.27", "1.27"),
        ("minor", "1.027", "1.27"),
        ("minor", "1.27.0", "1.27"),
        ("minor", "1", "1.0"),
        ("minor", "1!2.3", "1!2.3"),
    ],
    ids=lambda value: repr(value),
)
def test_normalize_cycle_key(cycle: CycleKind, text: str, key: str) -> None:
    assert Policy(cycle=cycle).normalize_cycle_key(text) == key


@pytest.mark.parametrize(
    ("cycle", "text"),
    [
        ("major", ""),
        ("major", "abc"),
        ("major", "2.1"),
        ("major", "2.0.1"),
        ("major", "2rc1"),
        ("major", "2.0.0-rc.1"),
        ("major", "2.post1"),
        ("major", "2-2"),
        ("major", "2.dev0"),
        ("major", "2024-01-01"),
        ("minor", "1.27.1"),
        ("minor", "1.27rc1"),
        ("minor", "1.27.dev0"),
        ("minor", "x.y"),
    ],
    ids=lambda value: repr(value),
)
def test_normalize_cycle_key_refuses(cycle: CycleKind, text: str) -> None:
    with pytest.raises(InvalidCycleKey) as caught:
        Policy(cycle=cycle).normalize_cycle_key(text)
    assert caught.value.text == text
    assert caught.value.code == "invalid_cycle"
    assert isinstance(caught.value, LifecycleError)


_numbers = st.integers(min_value=0, max_value=30)
_versions = st.builds(
    lambda epoch, release, pre: parse_version(
        f"{epoch}!" * bool(epoch) + ".".join(map(str, release)) + pre
    ),
    st.sampled_from([0, 0, 0, 2]),
    st.lists(_numbers, min_size=1, max_size=4),
    st.sampled_from(["", "", "rc1", ".post1", ".dev3", "+build.9"]),
)
_kinds: st.SearchStrategy[CycleKind] = st.sampled_from(["major", "minor"])


@settings(max_examples=200, deadline=None)
@given(_kinds, _versions)
def test_a_cycle_key_normalizes_to_itself(cycle: CycleKind, version: Version) -> None:
    policy = Policy(cycle=cycle)
    key = policy.cycle_key(version)
    assert policy.normalize_cycle_key(key) == key


@settings(max_examples=200, deadline=None)
@given(_kinds, _versions, _versions)
def test_cycle_keys_agree_with_version_order(cycle: CycleKind, a: Version, b: Version) -> None:
    """A lower version never has a higher cycle; one cycle shares epoch, major (and minor)."""
    policy = Policy(cycle=cycle)
    key_a, key_b = policy.cycle_key(a), policy.cycle_key(b)
    if a < b:
        assert parse_version(key_a) <= parse_version(key_b)
    if key_a == key_b:
        width = 1 if cycle == "major" else 2
        assert a.epoch == b.epoch
        assert (*a.release, 0)[:width] == (*b.release, 0)[:width]
