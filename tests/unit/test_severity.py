"""SPEC 5 and 17: the four severities, their order and the aliases inputs may use."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.errors import InvalidSeverity, LifecycleError
from lifecycle.severity import ALL_SEVERITIES, Severity, parse_severity

ALIASES = {
    Severity.URGENT: ["urgent", "URGENT", " urgent ", "S1", "s1", "1", "emergency", "EMERGENCY"],
    Severity.HIGH: ["high", "HIGH", "High", "S2", "s2", "2"],
    Severity.NORMAL: ["normal", "Normal", "NORMAL", "S3", "s3", "3", "\t3\n"],
    Severity.LOW: ["low", "LOW", "Low", "S4", "s4", "4"],
}
# SPEC 17: what ticketing tools write.
TICKETING_ALIASES = {
    Severity.URGENT: ["P1", "p1", "Sev1", "SEV1", "SEV-1", "sev-1", "critical", "Critical"],
    Severity.HIGH: ["P2", "Sev2", "SEV-2"],
    Severity.NORMAL: ["P3", "Sev3", "SEV-3"],
    Severity.LOW: ["P4", "Sev4", "SEV-4", " p4 "],
}
for _severity, _texts in TICKETING_ALIASES.items():
    ALIASES[_severity] = [*ALIASES[_severity], *_texts]
ALIAS_CASES = [(text, severity) for severity, texts in ALIASES.items() for text in texts]


@pytest.mark.parametrize(("text", "expected"), ALIAS_CASES, ids=repr)
def test_parse_severity(text: str, expected: Severity) -> None:
    assert parse_severity(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "medium",
        "P0",
        "P5",
        "Sev0",
        "SEV-5",
        "SEV 1",
        "sev--1",
        "P-1",
        "criticals",
        "S0",
        "S5",
        "0",
        "5",
        "1.0",
        "01",
        "S 1",
        "urgent!",
        "emergencies",
    ],
    ids=repr,
)
def test_parse_severity_refuses(text: str) -> None:
    with pytest.raises(InvalidSeverity) as caught:
        parse_severity(text)
    assert caught.value.text == text
    assert caught.value.code == "invalid_severity"
    assert isinstance(caught.value, LifecycleError)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("value", [None, 1, 1.0], ids=repr)
def test_a_non_string_severity_is_refused(value: object) -> None:
    with pytest.raises(InvalidSeverity):
        parse_severity(value)  # type: ignore[arg-type]


def test_order_is_urgent_high_normal_low() -> None:
    assert ALL_SEVERITIES == (Severity.URGENT, Severity.HIGH, Severity.NORMAL, Severity.LOW)
    assert [s.rank for s in ALL_SEVERITIES] == [0, 1, 2, 3]
    assert [s.value for s in ALL_SEVERITIES] == ["urgent", "high", "normal", "low"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_any_text_is_a_severity_or_refused(text: str) -> None:
    try:
        severity = parse_severity(text)
    except InvalidSeverity as error:
        assert error.text == text
    else:
        assert text.strip().casefold() in {
            alias.strip().casefold() for texts in ALIASES.values() for alias in texts
        }
        assert parse_severity(severity.value) is severity
