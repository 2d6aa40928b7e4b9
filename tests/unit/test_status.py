"""SPEC 3.2 and 3.3: the statuses and the support level and coverage each gives."""

from __future__ import annotations

import pytest

from lifecycle.status import Status, SupportLevel, is_covered, support_level

SUPPORT_TABLE = [
    (Status.CURRENT, SupportLevel.FULL, True),
    (Status.SECURITY_ONLY, SupportLevel.SECURITY_FIXES_ONLY, True),
    (Status.EOL, SupportLevel.DEFECT_EVALUATION_ONLY, False),
    (Status.EOSL, SupportLevel.NONE, False),
    (Status.PLANNED, SupportLevel.NONE, False),
    (Status.PRERELEASE, SupportLevel.NONE, False),
    (Status.UNKNOWN, SupportLevel.NONE, False),
]


@pytest.mark.parametrize(("status", "level", "covered"), SUPPORT_TABLE, ids=str)
def test_support_level_and_coverage(status: Status, level: SupportLevel, covered: bool) -> None:
    assert support_level(status) is level
    assert is_covered(status) is covered


def test_the_table_names_every_status() -> None:
    assert {row[0] for row in SUPPORT_TABLE} == set(Status)


def test_only_full_and_security_fixes_are_covered() -> None:
    for status in Status:
        covered_level = support_level(status) in (
            SupportLevel.FULL,
            SupportLevel.SECURITY_FIXES_ONLY,
        )
        assert is_covered(status) is covered_level


@pytest.mark.parametrize(
    ("member", "value"),
    [
        (Status.PRERELEASE, "prerelease"),
        (Status.PLANNED, "planned"),
        (Status.CURRENT, "current"),
        (Status.SECURITY_ONLY, "security_only"),
        (Status.EOL, "eol"),
        (Status.EOSL, "eosl"),
        (Status.UNKNOWN, "unknown"),
        (SupportLevel.FULL, "full"),
        (SupportLevel.SECURITY_FIXES_ONLY, "security_fixes_only"),
        (SupportLevel.DEFECT_EVALUATION_ONLY, "defect_evaluation_only"),
        (SupportLevel.NONE, "none"),
    ],
    ids=str,
)
def test_wire_names_are_the_spec_names(member: Status | SupportLevel, value: str) -> None:
    assert member.value == value
    assert str(member) == value
    assert member == value


def test_every_status_has_its_own_words() -> None:
    words = [status.words for status in Status]
    assert all(words)
    assert len(set(words)) == len(words)
