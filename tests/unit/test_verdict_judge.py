"""The batch side of the verdict: :class:`Judge` (one product, many queries, what they
share worked out once), its ``outcome_key``, ``Query.validated`` and the recorded-string
index of ``ProductCycles``. Each must answer exactly what :func:`judge` answers alone."""

from __future__ import annotations

import itertools
from datetime import date
from random import Random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.cycles import ProductCycles, Release, derive
from lifecycle.policy import Policy
from lifecycle.severity import Severity
from lifecycle.verdict import Environment, Judge, Query, Subscription, judge
from platforms.matrix import SupportMatrix
from tests.unit.test_verdict import REGISTRY  # ubuntu 20.04 (EOL), 22.04, 24.04; rhel 9

D = date.fromisoformat

# Cycle 1: 1.x, security only from 2026-03-02, EOL 2027-03-01. Cycle 2: current, 2.6.0
# planned for 2026-12-15. Cycle 3: 3.0.0rc1 then 3.0.0 (2027-03-01). Cycle 4: pre-release only.
# "2.5.1.0" parses equal to 2.5.1 and is dropped for it (later date).
AP = derive(
    [
        Release.of("1.0.0", D("2025-01-10")),
        Release.of("1.4.2", D("2025-06-01")),
        Release.of("2.0.0", D("2026-03-02")),
        Release.of("2.5.1", D("2026-10-01")),
        Release.of("2.5.1.0", D("2026-10-02")),
        Release.of("2.6.0", D("2026-12-15")),
        Release.of("3.0.0rc1", D("2027-01-15")),
        Release.of("3.0.0", D("2027-03-01")),
        Release.of("4.0.0a1", D("2027-06-01")),
    ],
    Policy(),
)
MATRIX = SupportMatrix(
    {
        "1": (("ubuntu", "22.04"), ("ubuntu", "20.04")),
        "2": (("ubuntu", "22.04"), ("ubuntu", "24.04"), ("rhel", "9")),
        "3": (("rhel", "9"),),
    }
)

VERSIONS = [
    "1.0.0",
    "1.4.2",
    "2.0.0",
    "2.5.1",
    "2.6.0",  # planned until 2026-12-15
    "3.0.0rc1",  # a recorded pre-release
    "3.0.0",
    "4.0.0a1",
    "v1.4.2",  # recorded releases spelled otherwise
    "2.5.1.0",
    " 2.0.0 ",
    "2.5.9",  # unknown releases of known cycles
    "2.7.0rc1",
    "1.4.3",
    "7.0",  # an unknown cycle
    "1!2.0",
    "x.y",  # does not parse
]
DAYS = [D(d) for d in ("2024-01-01", "2025-03-01", "2026-11-22", "2027-01-20", "2027-07-01")]
PLATFORMS = [
    (None, None),
    ("ubuntu", "22.04"),
    ("ubuntu", "22.4"),
    ("ubuntu", "20.04"),
    ("ubuntu", "18.04"),
    ("rhel", "9"),
    ("solaris", "11"),
]
CONTEXTS = [
    (Environment.PRODUCTION, Subscription.PRODUCTION, None),
    (Environment.NON_PRODUCTION, Subscription.PRODUCTION, Severity.URGENT),
    (Environment.PRODUCTION, Subscription.BASIC, Severity.HIGH),
    (Environment.PRODUCTION, Subscription.NONE, Severity.LOW),
    (Environment.PRODUCTION, Subscription.PRODUCTION, Severity.NORMAL),
]


def queries() -> list[Query]:
    found = [
        Query("aperturedb", version, as_of, platform, platform_version, env, sub, severity)
        for version, as_of, (platform, platform_version), (env, sub, severity) in (
            itertools.product(VERSIONS, DAYS, PLATFORMS, CONTEXTS)
        )
    ]
    Random(3).shuffle(found)  # so that one judge meets every key in every order
    return found


def alone(query: Query, cycles: ProductCycles = AP, name: str | None = "ApertureDB") -> Any:
    """What judge answers for ``query`` on its own: its verdict, or the error it raises."""
    try:
        return judge(query, cycles, REGISTRY, MATRIX, name)
    except Exception as error:  # the error is the answer compared
        return (type(error), str(error))


def test_one_judge_answers_every_query_as_judge_does_alone() -> None:
    """One Judge, its memos filled by queries of every date, platform and kind in a random
    order, answers each exactly as judge() does: a memo keyed too loosely would fail this."""
    shared = Judge(AP, REGISTRY, MATRIX, "ApertureDB")
    for query in queries():
        try:
            answer: Any = shared(query)
        except Exception as error:
            answer = (type(error), str(error))
        assert answer == alone(query), query


def without_version(query: Query) -> dict[str, object]:
    fields = judge(query, AP, REGISTRY, MATRIX, "ApertureDB").to_dict()
    del fields["version"]
    return fields


def test_an_outcome_key_is_shared_only_by_verdicts_equal_but_for_the_version() -> None:
    shared = Judge(AP, REGISTRY, MATRIX, "ApertureDB")
    by_key: dict[tuple[Any, ...], dict[str, object]] = {}
    versions: dict[tuple[Any, ...], set[str]] = {}
    for query in queries():
        key = shared.outcome_key(query.version, query.as_of)
        if key is None:
            continue
        others = (
            key,
            query.as_of,
            query.platform,
            query.platform_version,
            query.environment,
            query.subscription,
            query.severity,
        )
        # The first verdict of a key stands for every other one.
        assert by_key.setdefault(others, without_version(query)) == without_version(query)
        versions.setdefault(others, set()).add(query.version)
    assert sum(len(found) > 1 for found in versions.values()) > 200


def test_outcome_keys_of_each_kind_of_version() -> None:
    shared = Judge(AP, REGISTRY, MATRIX)
    today = D("2026-11-22")
    # Cycle 1 (security only) and cycle 2 (current, 2.5.1 the latest out).
    assert shared.outcome_key("1.0.0", today) == ("1", "2.5.1")
    assert shared.outcome_key("1.4.2", today) == ("1", "2.5.1")
    assert shared.outcome_key("2.0.0", today) == ("2", "2.5.1")
    assert shared.outcome_key("2.5.1", today) == ("2", None)
    # Other spellings of a recorded release share its key.
    assert shared.outcome_key("v1.4.2", today) == ("1", "2.5.1")
    assert shared.outcome_key("2.5.1.0", today) == ("2", None)
    # Each of these words the version (or its own date) in a reason: none.
    for version in ("2.6.0", "3.0.0", "3.0.0rc1", "4.0.0a1", "2.5.9", "7.0", "x.y", "2.5.1rc1"):
        assert shared.outcome_key(version, today) is None, version
    # Once out, 2.6.0 is the latest: the others of its cycle now upgrade to it.
    later = D("2027-01-20")
    assert shared.outcome_key("2.6.0", later) == ("2", None)
    assert shared.outcome_key("2.5.1", later) == shared.outcome_key("2.0.0", later)
    assert shared.outcome_key("2.5.1", later) == ("2", "2.6.0")


@settings(max_examples=150, deadline=None)
@given(
    releases=st.lists(
        st.tuples(
            st.builds(
                lambda major, minor, patch, pre: f"{major}.{minor}.{patch}{pre}",
                st.integers(0, 3),
                st.integers(0, 2),
                st.integers(0, 2),
                st.sampled_from(["", "", "", "rc1"]),
            ),
            st.dates(min_value=D("2020-01-01"), max_value=D("2028-12-31")),
        ),
        max_size=12,
    ),
    policy=st.builds(
        Policy,
        cycle=st.sampled_from(["major", "minor"]),
        full_support_cycles=st.integers(1, 2),
        security_cycles=st.integers(0, 2),
        eosl_months=st.integers(0, 12),
    ),
    seed=st.integers(0, 1000),
)
def test_any_product_one_judge_equals_judge_alone(
    releases: list[tuple[str, date]], policy: Policy, seed: int
) -> None:
    cycles = derive([Release.of(v, d) for v, d in releases], policy)
    rng = Random(seed)
    recorded = [v for v, _ in releases]
    shared = Judge(cycles, REGISTRY, MATRIX, "P")
    keys: dict[tuple[Any, ...], dict[str, object]] = {}
    for _ in range(60):
        version = rng.choice([*recorded, "0.0.1", "1.1.1", "2.0", "3.2.1rc1"])
        platform, platform_version = rng.choice(PLATFORMS)
        env, sub, severity = rng.choice(CONTEXTS)
        as_of = rng.choice([D("2019-06-01"), D("2023-03-03"), D("2026-11-22"), D("2029-01-01")])
        query = Query("p", version, as_of, platform, platform_version, env, sub, severity)
        verdict = shared(query)
        assert verdict == judge(query, cycles, REGISTRY, MATRIX, "P")
        key = shared.outcome_key(version, as_of)
        if key is not None:
            fields = verdict.to_dict()
            del fields["version"]
            assert keys.setdefault((key, query), fields) == fields


def test_validated_makes_the_query_the_constructor_makes() -> None:
    fields = (
        "aperturedb",
        "2.5.1",
        D("2026-11-22"),
        "ubuntu",
        "22.04",
        Environment.NON_PRODUCTION,
        Subscription.BASIC,
        Severity.HIGH,
    )
    made, validated = Query(*fields), Query.validated(*fields)
    assert validated == made and hash(validated) == hash(made)
    assert alone(validated) == alone(made)
    bare = Query.validated("p", "1", D("2026-11-22"), None, None, *CONTEXTS[0])
    assert bare == Query("p", "1", D("2026-11-22"))


def test_recorded_ga_finds_ga_releases_by_their_very_string() -> None:
    for text in ("1.0.0", "1.4.2", "2.0.0", "2.5.1", "2.6.0", "3.0.0"):
        found = AP.recorded_ga(text)
        assert found is not None, text
        release, cycle = found
        assert release.version == text and not release.is_prerelease
        assert release is AP.release(release.parsed)
        assert cycle is AP.cycle_of(release.parsed)
    # Pre-releases, other spellings (also the dropped duplicate), unknowns: parse those.
    for text in ("3.0.0rc1", "4.0.0a1", "v1.4.2", "2.5.1.0", " 2.0.0 ", "2.5.9", "x.y"):
        assert AP.recorded_ga(text) is None, text


def test_recorded_ga_of_a_product_without_releases() -> None:
    empty = derive([], Policy())
    assert empty.recorded_ga("1.0") is None
    assert Judge(empty, REGISTRY, MATRIX).outcome_key("1.0", D("2026-11-22")) is None
