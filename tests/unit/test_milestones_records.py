"""SPEC 10 with SPEC 14's records: a decided date is a milestone like any other; a vendor's
true and false are none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lifecycle.cycles import Release, derive
from lifecycle.milestones import milestones
from lifecycle.policy import Policy
from lifecycle.records import CycleRecord

D = date.fromisoformat
APERTUREDB = [("1.4.2", "2025-01-10"), ("2.0.0", "2026-03-02"), ("3.0.0", "2027-03-01")]


def listed(*records: CycleRecord) -> list[tuple[str, str, str]]:
    cycles = derive([Release.of(v, D(d)) for v, d in APERTUREDB], Policy(), records=records)
    return [(m.cycle, m.kind.value, m.date.isoformat()) for m in milestones("p", cycles)]


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param(
            (),
            [
                ("1", "security_only_from", "2026-03-02"),
                ("1", "eol_on", "2027-03-01"),
                ("2", "security_only_from", "2027-03-01"),
                ("1", "eosl_on", "2027-09-01"),
            ],
            id="no-records-as-before",
        ),
        pytest.param(
            (CycleRecord("1", eol_on=D("2027-06-01")),),
            [
                ("1", "security_only_from", "2026-03-02"),
                ("2", "security_only_from", "2027-03-01"),
                ("1", "eol_on", "2027-06-01"),
                ("1", "eosl_on", "2027-12-01"),
            ],
            id="a-decided-date-is-a-milestone",
        ),
        pytest.param(
            (CycleRecord("1", eol_on=False),),
            [
                ("1", "security_only_from", "2026-03-02"),
                ("2", "security_only_from", "2027-03-01"),
            ],
            id="false-is-no-milestone",
        ),
        pytest.param(
            (CycleRecord("1", eol_on=True),),
            [("2", "security_only_from", "2027-03-01")],
            id="true-is-no-milestone-and-makes-the-earlier-date-moot",
        ),
        pytest.param(
            (CycleRecord("1", security_only_from=True),),
            [
                ("1", "eol_on", "2027-03-01"),
                ("2", "security_only_from", "2027-03-01"),
                ("1", "eosl_on", "2027-09-01"),
            ],
            id="true-security-only-keeps-the-later-milestones",
        ),
        pytest.param(
            (CycleRecord("3", eol_on=D("2030-01-01"), no_security_phase=True),),
            [
                ("1", "security_only_from", "2026-03-02"),
                ("1", "eol_on", "2027-03-01"),
                ("2", "security_only_from", "2027-03-01"),
                ("1", "eosl_on", "2027-09-01"),
                ("3", "eol_on", "2030-01-01"),
                ("3", "eosl_on", "2030-07-01"),
            ],
            id="no-security-phase-is-one-milestone-eol",
        ),
        pytest.param(
            (CycleRecord("4", eol_on=D("2030-01-01")),),
            [
                ("1", "security_only_from", "2026-03-02"),
                ("1", "eol_on", "2027-03-01"),
                ("2", "security_only_from", "2027-03-01"),
                ("1", "eosl_on", "2027-09-01"),
            ],
            id="a-cycle-with-no-release-date-changes-no-status",
        ),
    ],
)
def test_milestones_with_records(
    records: tuple[CycleRecord, ...], expected: list[tuple[str, str, str]]
) -> None:
    assert listed(*records) == expected


@pytest.mark.parametrize(
    "record",
    [
        CycleRecord("1", eol_on=D("2026-12-01")),
        CycleRecord("1", security_only_from=D("2025-06-01"), eol_on=True),
        CycleRecord("1", eosl_on=D("2027-06-01")),
        CycleRecord("2", released_on=D("2026-01-01"), extended_end_on=D("2026-06-01")),
    ],
    ids=lambda r: repr(r.decisions()),
)
def test_the_status_after_a_milestone_holds_from_its_day(record: CycleRecord) -> None:
    cycles = derive([Release.of(v, D(d)) for v, d in APERTUREDB], Policy(), records=[record])
    found = milestones("p", cycles)
    assert found
    for m in found:
        cycle = cycles.by_key[m.cycle]
        assert cycle.status(m.date) is m.status_after
        assert cycle.status(m.date - timedelta(days=1)) is not m.status_after
