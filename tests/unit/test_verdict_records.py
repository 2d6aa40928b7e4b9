"""SPEC 5's verdict for products with SPEC 14 records: named cycles, and reasons that are
right when a vendor says a phase has begun (true) or not (false) without a date."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.cycles import ProductCycles, Release, derive
from lifecycle.policy import CycleKind, Policy
from lifecycle.records import CycleRecord
from lifecycle.verdict import Query, Verdict, judge
from platforms.matrix import Platform, PlatformRegistry, PlatformVersion, SupportMatrix

D = date.fromisoformat
TODAY = D("2026-11-22")

RELEASES = [
    ("4.0.1", "2026-02-01"),
    ("3.13.0", "2024-10-07"),
    ("3.12.4", "2024-06-06"),
    ("3.8.20", "2024-09-06"),
    ("3.6.15", "2021-09-04"),
    ("3.5.10", "2020-09-05"),
    ("2.7.18", "2020-04-20"),
]
RECORDS = [
    CycleRecord(
        "4.0", released_on=D("2026-01-15"), security_only_from=False, eol_on=D("2030-01-01")
    ),
    CycleRecord("3.14"),  # announced, no release date yet
    CycleRecord("3.13", released_on=D("2024-10-07"), security_only_from=D("2026-10-01")),
    CycleRecord("3.12", security_only_from=D("2025-04-03"), eol_on=D("2028-10-31")),
    CycleRecord("3.8", eol_on=D("2024-10-14"), eosl_on=False, no_security_phase=True),
    CycleRecord("3.6", security_only_from=True, eol_on=False),
    CycleRecord("3.5", eol_on=True, eosl_on=False),
    CycleRecord("2.7", eol_on=True, no_security_phase=True),
]
REGISTRY = PlatformRegistry.of([Platform("ubuntu", "Ubuntu", (PlatformVersion("22.04"),))])
MATRIX = SupportMatrix({"3.13": (("ubuntu", "22.04"),)})


def cycles(kind: CycleKind = "major") -> ProductCycles:
    releases = [Release.of(v, D(d)) for v, d in RELEASES]
    return derive(releases, Policy(cycle=kind), records=RECORDS)


def verdict(
    version: str, name: str | None = None, kind: CycleKind = "major", **fields: str
) -> Verdict:
    query = Query("python", version, TODAY, **fields)  # type: ignore[arg-type]
    return judge(query, cycles(kind), REGISTRY, MATRIX, name)


def the_reason(v: Verdict) -> str:
    return v.reasons[0].message


SUBSCRIBED = (
    "for a customer with a current subscription, the vendor will evaluate fixing a "
    "reported defect in a release that has not reached end of life."
)


@pytest.mark.parametrize(
    ("version", "status", "message"),
    [
        pytest.param(
            "3.12.4",
            "security_only",
            "Release 3.12 receives security fixes only; it reaches end of life on 2028-10-31.",
            id="dated",
        ),
        pytest.param(
            "4.0.1",
            "current",
            "Release 4.0 is current and fully supported; it reaches end of life on 2030-01-01.",
            id="security-only-decided-not-begun",
        ),
        pytest.param(
            "3.6.15",
            "security_only",
            "Release 3.6 receives security fixes only; no end-of-life date is set.",
            id="security-only-begun-eol-not",
        ),
        pytest.param(
            "3.8.20",
            "eol",
            f"Release 3.8 reached end of life on 2024-10-14; no end of service life is set, "
            f"and meanwhile, {SUBSCRIBED}",
            id="eosl-decided-not-begun",
        ),
        pytest.param(
            "3.5.10",
            "eol",
            "Release 3.5 has reached end of life (on a date not known); no end of service "
            f"life is set, and meanwhile, {SUBSCRIBED}",
            id="eol-begun-on-an-unknown-day",
        ),
        pytest.param(
            "2.7.18",
            "eosl",
            "Release 2.7 has reached its end of service life (on a date not known) and is not "
            "supported in any way.",
            id="eosl-begun-on-an-unknown-day",
        ),
        pytest.param(
            "3.14.0",
            "planned",
            "Release 3.14 is planned, with no release date set; it is not supported yet.",
            id="planned-with-no-date",
        ),
    ],
)
def test_reasons_say_what_the_vendor_decided(version: str, status: str, message: str) -> None:
    v = verdict(version)
    assert v.status == status
    assert the_reason(v) == message
    assert "None" not in " ".join(r.message for r in v.reasons)


def test_named_cycles_are_releases_and_the_product_is_named_too() -> None:
    v = verdict("3.12.9", "Python")
    assert the_reason(v) == (
        "Python release 3.12 receives security fixes only; it reaches end of life on 2028-10-31."
    )
    assert v.reasons[1].message == (
        "Python 3.12.9 is not a recorded release; it is judged by the status of release 3.12."
    )


def test_cycles_the_policy_would_name_alike_keep_their_kind() -> None:
    v = verdict("3.12.4", kind="minor")
    assert the_reason(v).startswith("Minor release 3.12 receives security fixes only")


def test_a_version_no_record_leads_is_judged_by_the_policys_key() -> None:
    v = verdict("5.1.0")
    assert v.status == "unknown"
    assert v.reason_codes[0] == "unknown_cycle"
    assert the_reason(v) == (
        "Release 5 has no recorded release, so 5.1.0 cannot be judged and is not covered."
    )


def test_platform_reasons_name_the_named_cycle() -> None:
    v = verdict("3.12.4", platform="ubuntu", platform_version="22.04")
    assert "platform_not_supported" in v.reason_codes
    message = next(r.message for r in v.reasons if r.code == "platform_not_supported")
    assert message == (
        "Ubuntu 22.04 is not a supported platform for release 3.12; no platform is listed for it."
    )


def test_the_verdicts_dates_show_true_and_false() -> None:
    data = verdict("3.5.10").to_dict()
    # security_only_from is the policy's (3.6's release): a date a begun eol does not move.
    assert data["dates"] == {
        "released_on": "2020-09-05",
        "security_only_from": "2021-09-04",
        "eol_on": True,
        "eosl_on": False,
    }
    assert data["covered"] is False
    assert data["upgrade_to"] == "4.0.1"
