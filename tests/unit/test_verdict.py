"""The eligibility verdict (SPEC 5) and its JSON shape (SPEC 6), one table per rule."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.cycles import ProductCycles, Release, derive
from lifecycle.errors import InvalidVersion, LifecycleError
from lifecycle.policy import Policy
from lifecycle.severity import ALL_SEVERITIES, Severity, parse_severity
from lifecycle.status import Status, SupportLevel
from lifecycle.verdict import (
    Environment,
    InvalidQuery,
    Query,
    Reason,
    Subscription,
    Verdict,
    judge,
)
from lifecycle.versions import parse_version
from platforms.matrix import Platform, PlatformRegistry, PlatformVersion, SupportMatrix

D = date.fromisoformat
TODAY = D("2026-11-22")

# Cycle 1: released 2025-01-10, security only from 2026-03-02, EOL 2027-03-01, EOSL 2027-09-01.
# Cycle 2: released 2026-03-02, security only from 2027-03-01, no EOL yet.
# Cycle 3: planned for 2027-03-01 (3.0.0rc1 comes first). Cycle 4: pre-releases only.
AP = derive(
    [
        Release.of("1.0.0", D("2025-01-10")),
        Release.of("1.4.2", D("2025-06-01")),
        Release.of("2.0.0", D("2026-03-02")),
        Release.of("2.5.1", D("2026-10-01")),
        Release.of("2.6.0", D("2026-12-15")),
        Release.of("3.0.0rc1", D("2027-01-15")),
        Release.of("3.0.0", D("2027-03-01")),
        Release.of("4.0.0a1", D("2027-06-01")),
    ],
    Policy(),
)

REGISTRY = PlatformRegistry.of(
    [
        Platform(
            "ubuntu",
            "Ubuntu",
            (
                PlatformVersion("20.04", D("2025-05-31")),
                PlatformVersion("22.04", D("2027-06-01")),
                PlatformVersion("24.04"),
            ),
        ),
        Platform("rhel", "Red Hat Enterprise Linux", (PlatformVersion("9"),)),
    ]
)
MATRIX = SupportMatrix(
    {
        "1": (("ubuntu", "22.04"), ("ubuntu", "20.04")),
        "2": (("ubuntu", "22.04"), ("ubuntu", "24.04"), ("rhel", "9")),
        "9": (("ubuntu", "24.04"),),  # a row given before cycle 9 has any release
    }
)
EMPTY_MATRIX = SupportMatrix({})
EMPTY_REGISTRY = PlatformRegistry.of([])


def verdict(
    version: str,
    as_of: date = TODAY,
    *,
    cycles: ProductCycles = AP,
    product_name: str | None = None,
    **fields: object,
) -> Verdict:
    query = Query("aperturedb", version, as_of, **fields)  # type: ignore[arg-type]
    return judge(query, cycles, REGISTRY, MATRIX, product_name)


def codes(v: Verdict) -> list[str]:
    return list(v.reason_codes)


def message(v: Verdict, code: str) -> str:
    found = [r.message for r in v.reasons if r.code == code]
    assert len(found) == 1, codes(v)
    return found[0]


# --- SPEC 6: the example verdict, field for field ------------------------------------------


def test_spec_example_shape() -> None:
    v = verdict("1.4.2", platform="ubuntu", platform_version="22.04", severity=Severity.URGENT)
    assert v.to_dict() == {
        "product": "aperturedb",
        "version": "1.4.2",
        "release_known": True,
        "cycle": "1",
        "status": "security_only",
        "support_level": "security_fixes_only",
        "covered": True,
        "as_of": "2026-11-22",
        "dates": {
            "released_on": "2025-01-10",
            "security_only_from": "2026-03-02",
            "eol_on": "2027-03-01",
            "eosl_on": "2027-09-01",
        },
        "platform": {
            "platform": "ubuntu",
            "version": "22.04",
            "supported": True,
            "vendor_eol": "2027-06-01",
        },
        "environment": "production",
        "subscription": "production",
        "allowed_severities": ["urgent", "high", "normal", "low"],
        "severity": {"requested": "urgent", "granted": "urgent"},
        "upgrade_to": "2.5.1",
        # SPEC 17: with a platform given, the upgrade that keeps to it.
        "upgrade_on_platform": "2.5.1",
        "reasons": [
            {
                "code": "security_only",
                "message": "Major release 1 receives security fixes only; "
                "it reaches end of life on 2027-03-01.",
            }
        ],
    }


def test_to_dict_is_plain_json() -> None:
    data = verdict("9.1", platform="solaris", platform_version="11", severity="high").to_dict()
    # Enums come out as plain strings, so any JSON encoder (and a cache) sees the same thing.
    assert type(data["status"]) is str
    assert all(type(s) is str for s in data["allowed_severities"])  # type: ignore[attr-defined]
    assert json.loads(json.dumps(data)) == data
    assert data["dates"] is None and data["cycle"] is None
    assert data["platform"] == {
        "platform": "solaris",
        "version": "11",
        "supported": False,
        "vendor_eol": None,
    }
    assert data["severity"] == {"requested": "high", "granted": None}


def test_no_platform_is_null_and_version_is_kept_as_given() -> None:
    data = verdict(" v1.4.2+build.7 ").to_dict()
    assert data["platform"] is None
    assert data["version"] == " v1.4.2+build.7 "
    assert data["release_known"] is True
    assert data["severity"] == {"requested": None, "granted": None}


def test_reason_to_dict() -> None:
    assert Reason("eol", "It ended.").to_dict() == {"code": "eol", "message": "It ended."}


# --- Rules 2 and 3: the status of the version ----------------------------------------------


@pytest.mark.parametrize(
    ("version", "as_of", "status", "level", "covered", "known", "status_codes"),
    [
        pytest.param("1.4.2", "2026-03-01", "current", "full", True, True, ["current"],
                     id="day-before-security-only"),
        pytest.param("1.4.2", "2026-03-02", "security_only", "security_fixes_only", True, True,
                     ["security_only"], id="day-of-security-only"),
        pytest.param("1.4.2", "2027-02-28", "security_only", "security_fixes_only", True, True,
                     ["security_only"], id="day-before-eol"),
        pytest.param("1.4.2", "2027-03-01", "eol", "defect_evaluation_only", False, True, ["eol"],
                     id="day-of-eol"),
        pytest.param("1.4.2", "2027-08-31", "eol", "defect_evaluation_only", False, True, ["eol"],
                     id="day-before-eosl"),
        pytest.param("1.4.2", "2027-09-01", "eosl", "none", False, True, ["eosl"],
                     id="day-of-eosl"),
        pytest.param("2.5.1", "2026-11-22", "current", "full", True, True, ["current"],
                     id="newest-cycle-current"),
        pytest.param("2.6.0", "2026-12-14", "planned", "none", False, True, ["planned"],
                     id="planned-release-in-current-cycle"),
        pytest.param("2.6.0", "2026-12-15", "current", "full", True, True, ["current"],
                     id="planned-release-on-its-day"),
        pytest.param("3.0.0", "2026-11-22", "planned", "none", False, True, ["planned"],
                     id="planned-cycle"),
        pytest.param("3.0.0rc1", "2027-02-01", "prerelease", "none", False, True, ["prerelease"],
                     id="recorded-prerelease"),
        pytest.param("3.0.0rc1", "2027-04-01", "prerelease", "none", False, True, ["prerelease"],
                     id="prerelease-stays-so-when-its-cycle-is-current"),
        pytest.param("1.9.9", "2026-11-22", "security_only", "security_fixes_only", True, False,
                     ["security_only", "unknown_release"], id="unknown-release-known-cycle"),
        pytest.param("2.7.0rc2", "2026-11-22", "prerelease", "none", False, False,
                     ["prerelease", "unknown_release"], id="unknown-prerelease"),
        pytest.param("3.1.0", "2026-11-22", "planned", "none", False, False,
                     ["planned", "unknown_release"], id="unknown-release-in-planned-cycle"),
        pytest.param("4.0.0", "2027-07-01", "prerelease", "none", False, False,
                     ["prerelease", "unknown_release"], id="ga-version-in-prerelease-only-cycle"),
        pytest.param("9.0.0", "2026-11-22", "unknown", "none", False, False, ["unknown_cycle"],
                     id="unknown-cycle"),
        pytest.param("9.0.0rc1", "2026-11-22", "unknown", "none", False, False, ["unknown_cycle"],
                     id="unknown-cycle-prerelease"),
        pytest.param("v1.4.2.0", "2026-11-22", "security_only", "security_fixes_only", True,
                     True, ["security_only"], id="equal-version-is-the-recorded-release"),
    ],
)  # fmt: skip
def test_status(
    version: str,
    as_of: str,
    status: str,
    level: str,
    covered: bool,
    known: bool,
    status_codes: list[str],
) -> None:
    v = verdict(version, D(as_of))
    assert (v.status, v.support_level, v.covered, v.release_known) == (
        Status(status),
        SupportLevel(level),
        covered,
        known,
    )
    assert codes(v)[: len(status_codes)] == status_codes
    assert codes(v)[len(status_codes)] == "platform_unchecked"


def test_unknown_cycle_has_no_cycle_or_dates() -> None:
    v = verdict("9.0.0")
    assert (v.cycle, v.dates, v.allowed_severities) == (None, None, ())
    assert "unknown_release" not in codes(v)


def test_known_cycle_carries_its_key_and_dates() -> None:
    v = verdict("1.9.9")
    assert v.cycle == "1"
    assert v.dates is AP.by_key["1"].dates


def test_invalid_version_is_a_lifecycle_error() -> None:
    with pytest.raises(InvalidVersion) as caught:
        verdict("not a version")
    assert isinstance(caught.value, LifecycleError)


# --- Reason messages ------------------------------------------------------------------------

ONE_CYCLE = derive([Release.of("5.0.0", D("2026-01-01"))], Policy())
NO_SECURITY = derive(
    [Release.of("1.0", D("2025-01-01")), Release.of("2.0", D("2026-01-01"))],
    Policy(security_cycles=0),
)
NO_EOL_YET = derive(
    [Release.of("1.0", D("2025-01-01")), Release.of("2.0", D("2026-01-01"))],
    Policy(security_cycles=2),
)
MINOR = derive(
    [
        Release.of("1.25.0", D("2025-01-01")),
        Release.of("1.26.0", D("2025-05-01")),
        Release.of("1.27.0", D("2025-09-01")),
        Release.of("1.28.0", D("2026-01-01")),
        Release.of("1.28.3", D("2026-06-01")),
    ],
    Policy(cycle="minor", full_support_cycles=2, security_cycles=1, eosl_months=3),
)


@pytest.mark.parametrize(
    ("version", "as_of", "cycles", "name", "code", "text"),
    [
        pytest.param("1.4.2", "2026-01-05", AP, None, "current",
                     "Major release 1 is current and fully supported; "
                     "it receives security fixes only from 2026-03-02.", id="current"),
        pytest.param("5.0.0", "2026-11-22", ONE_CYCLE, None, "current",
                     "Major release 5 is current and fully supported; "
                     "no end of full support is set.", id="current-no-end"),
        pytest.param("1.0", "2025-06-01", NO_SECURITY, None, "current",
                     "Major release 1 is current and fully supported; "
                     "it reaches end of life on 2026-01-01.", id="current-no-security-cycles"),
        pytest.param("1.4.2", "2026-11-22", AP, "ApertureDB", "security_only",
                     "ApertureDB major release 1 receives security fixes only; "
                     "it reaches end of life on 2027-03-01.", id="security-only-product-name"),
        pytest.param("1.0", "2026-06-01", NO_EOL_YET, None, "security_only",
                     "Major release 1 receives security fixes only; no end-of-life date is set.",
                     id="security-only-no-eol"),
        pytest.param("1.4.2", "2027-05-01", AP, None, "eol",
                     "Major release 1 reached end of life on 2027-03-01 and reaches end of "
                     "service life on 2027-09-01; until then, for a customer with a current "
                     "subscription, the vendor will evaluate fixing a reported defect in a "
                     "release that has not reached end of life.", id="eol"),
        pytest.param("1.4.2", "2028-01-01", AP, None, "eosl",
                     "Major release 1 has not been supported in any way since 2027-09-01, "
                     "its end of service life.", id="eosl"),
        pytest.param("2.6.0", "2026-11-22", AP, "ApertureDB", "planned",
                     "ApertureDB 2.6.0 is planned for release on 2026-12-15; "
                     "it is not supported before then.", id="planned-release"),
        pytest.param("3.1.0", "2026-11-22", AP, None, "planned",
                     "Major release 3 is planned for release on 2027-03-01; "
                     "it is not supported before then.", id="planned-cycle-unknown-release"),
        pytest.param("3.0.0rc1", "2027-02-01", AP, None, "prerelease",
                     "Version 3.0.0rc1 is a pre-release of major release 3; pre-releases are "
                     "not supported. No generally available release newer than it is out yet.",
                     id="prerelease"),
        pytest.param("4.0.0", "2027-07-01", AP, None, "prerelease",
                     "Major release 4 has pre-releases only; pre-releases are not supported.",
                     id="prerelease-only-cycle"),
        pytest.param("1.9.9", "2026-11-22", AP, None, "unknown_release",
                     "Version 1.9.9 is not a recorded release; it is judged by the status of "
                     "major release 1.", id="unknown-release"),
        pytest.param("9.0.0", "2026-11-22", AP, "ApertureDB", "unknown_cycle",
                     "ApertureDB major release 9 has no recorded release, so 9.0.0 cannot be "
                     "judged and is not covered.", id="unknown-cycle"),
        pytest.param("1.26.4", "2026-06-01", MINOR, None, "security_only",
                     "Minor release 1.26 receives security fixes only; no end-of-life date is set.",
                     id="minor-security-only"),
        pytest.param("1.25.9", "2026-02-01", MINOR, None, "eol",
                     "Minor release 1.25 reached end of life on 2026-01-01 and reaches end of "
                     "service life on 2026-04-01; until then, for a customer with a current "
                     "subscription, the vendor will evaluate fixing a reported defect in a "
                     "release that has not reached end of life.", id="minor-eol"),
    ],
)  # fmt: skip
def test_status_messages(
    version: str, as_of: str, cycles: ProductCycles, name: str | None, code: str, text: str
) -> None:
    assert message(verdict(version, D(as_of), cycles=cycles, product_name=name), code) == text


def test_messages_are_deterministic() -> None:
    first = verdict("1.4.2", platform="ubuntu", platform_version="20.04", severity="S1")
    again = verdict("1.4.2", platform="ubuntu", platform_version="20.04", severity="S1")
    assert first == again
    assert first.to_dict() == again.to_dict()


# --- Minor-cycle policy -------------------------------------------------------------------------


def test_minor_policy_cycles_by_minor() -> None:
    v = verdict("1.26.4", D("2026-06-01"), cycles=MINOR)
    assert (v.cycle, v.status, v.covered, v.release_known) == (
        "1.26",
        Status.SECURITY_ONLY,
        True,
        False,
    )
    assert v.upgrade_to == "1.28.3"
    assert verdict("1.27.0", D("2026-06-01"), cycles=MINOR).status is Status.CURRENT
    assert verdict("1.29.0", D("2026-06-01"), cycles=MINOR).status is Status.UNKNOWN


# --- Rule 4: the platform ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "as_of", "platform", "platform_version", "shown", "supported", "covered",
     "platform_codes"),
    [
        pytest.param("1.4.2", TODAY, None, None, None, None, True, ["platform_unchecked"],
                     id="not-given"),
        pytest.param("1.4.2", TODAY, "ubuntu", "22.04", "22.04", True, True, [], id="listed"),
        pytest.param("1.4.2", TODAY, "ubuntu", "22.4", "22.04", True, True, [],
                     id="22.4-matches-22.04"),
        pytest.param("2.5.1", D("2027-05-31"), "ubuntu", "22.04", "22.04", True, True, [],
                     id="day-before-vendor-eol"),
        pytest.param("2.5.1", D("2027-06-01"), "ubuntu", "22.04", "22.04", False, False,
                     ["platform_vendor_eol"], id="day-of-vendor-eol"),
        pytest.param("1.4.2", TODAY, "solaris", "11", "11", False, False, ["unknown_platform"],
                     id="unknown-slug"),
        pytest.param("1.4.2", TODAY, "ubuntu", "18.04", "18.04", False, False,
                     ["unknown_platform"], id="unknown-platform-version"),
        pytest.param("1.4.2", TODAY, "rhel", "9", "9", False, False, ["platform_not_supported"],
                     id="not-in-matrix-for-cycle"),
        pytest.param("1.4.2", TODAY, "ubuntu", "20.04", "20.04", False, False,
                     ["platform_vendor_eol"], id="listed-but-vendor-eol"),
        pytest.param("2.5.1", TODAY, "ubuntu", "20.04", "20.04", False, False,
                     ["platform_not_supported", "platform_vendor_eol"],
                     id="unlisted-and-vendor-eol"),
        pytest.param("9.0.0", TODAY, "ubuntu", "24.04", "24.04", True, False, [],
                     id="row-given-in-advance-for-unknown-cycle"),
    ],
)  # fmt: skip
def test_platform(
    version: str,
    as_of: date,
    platform: str | None,
    platform_version: str | None,
    shown: str | None,
    supported: bool | None,
    covered: bool,
    platform_codes: list[str],
) -> None:
    v = verdict(version, as_of, platform=platform, platform_version=platform_version)
    assert v.covered is covered
    assert v.platform_supported is supported
    assert (v.platform.version if v.platform else None) == shown
    found = [c for c in codes(v) if c.startswith("platform_") or c == "unknown_platform"]
    assert found == platform_codes
    if supported is False:
        assert v.allowed_severities == ()


@pytest.mark.parametrize(
    ("version", "as_of", "platform", "platform_version", "code", "text"),
    [
        pytest.param("1.4.2", TODAY, None, None, "platform_unchecked",
                     "No platform was given, so platform support was not checked.",
                     id="unchecked"),
        pytest.param("1.4.2", TODAY, "solaris", "11", "unknown_platform",
                     "Platform solaris is not known, so 11 is not supported.", id="unknown-slug"),
        pytest.param("1.4.2", TODAY, "ubuntu", "18.04", "unknown_platform",
                     "Ubuntu 18.04 is not a known version of Ubuntu, so it is not supported; "
                     "did you mean 24.04, 22.04 or 20.04?",
                     id="unknown-version"),
        pytest.param("1.4.2", TODAY, "rhel", "9", "platform_not_supported",
                     "Red Hat Enterprise Linux 9 is not a supported platform for major release 1; "
                     "the supported platforms are Ubuntu 22.04.",
                     id="not-supported"),
        pytest.param("9.0.0", TODAY, "rhel", "9", "platform_not_supported",
                     "Red Hat Enterprise Linux 9 is not a supported platform for major release 9; "
                     "the supported platforms are Ubuntu 24.04.", id="not-supported-in-advance"),
        pytest.param("4.0.0", TODAY, "rhel", "9", "platform_not_supported",
                     "Red Hat Enterprise Linux 9 is not a supported platform for major release 4; "
                     "no platform is listed for it.", id="empty-row"),
        pytest.param("2.5.1", D("2027-06-01"), "ubuntu", "22.4", "platform_vendor_eol",
                     "Ubuntu 22.04 reached its vendor's end of life on 2027-06-01; a platform "
                     "version its own vendor no longer supports is not supported.",
                     id="vendor-eol"),
    ],
)  # fmt: skip
def test_platform_messages(
    version: str,
    as_of: date,
    platform: str | None,
    platform_version: str | None,
    code: str,
    text: str,
) -> None:
    v = verdict(version, as_of, platform=platform, platform_version=platform_version)
    assert message(v, code) == text


# --- Rules 5 and 6: subscription, environment and the allowed severities -------------------

ALL = ("urgent", "high", "normal", "low")
NORMAL_LOW = ("normal", "low")


@pytest.mark.parametrize(
    ("version", "as_of", "fields", "allowed", "limit_codes", "covered"),
    [
        pytest.param("2.5.1", TODAY, {}, ALL, [], True, id="current-production"),
        pytest.param("1.4.2", TODAY, {}, ALL, [], True, id="security-only-production"),
        pytest.param("2.5.1", TODAY, {"environment": "non_production"}, NORMAL_LOW,
                     ["non_production"], True, id="non-production"),
        pytest.param("2.5.1", TODAY, {"subscription": "basic"}, NORMAL_LOW,
                     ["basic_subscription"], True, id="basic-subscription"),
        pytest.param("2.5.1", TODAY,
                     {"environment": Environment.NON_PRODUCTION,
                      "subscription": Subscription.BASIC},
                     NORMAL_LOW, ["non_production", "basic_subscription"], True,
                     id="non-production-and-basic"),
        pytest.param("1.4.2", D("2027-05-01"), {}, NORMAL_LOW, [], False, id="eol"),
        # Documented choice: the environment's cap is named even when EOL limits too.
        pytest.param("1.4.2", D("2027-05-01"), {"environment": "non_production"}, NORMAL_LOW,
                     ["non_production"], False, id="eol-and-non-production"),
        pytest.param("1.4.2", D("2027-05-01"), {"subscription": "basic"}, NORMAL_LOW,
                     ["basic_subscription"], False, id="eol-and-basic"),
        pytest.param("1.4.2", D("2027-09-01"), {"environment": "non_production"}, (), [],
                     False, id="eosl-non-production-names-no-cap"),
        pytest.param("2.5.1", TODAY,
                     {"subscription": "basic", "platform": "ubuntu", "platform_version": "20.04"},
                     (), ["platform_not_supported", "platform_vendor_eol"], False,
                     id="basic-and-unsupported-platform"),
        pytest.param("1.4.2", D("2027-05-01"),
                     {"platform": "rhel", "platform_version": "9"},
                     (), ["platform_not_supported"], False, id="eol-and-unsupported-platform"),
        pytest.param("2.5.1", TODAY, {"subscription": "none"}, (), ["no_subscription"], False,
                     id="no-subscription"),
        pytest.param("2.5.1", TODAY, {"subscription": "none", "environment": "non_production"},
                     (), ["no_subscription"], False, id="no-subscription-non-production"),
        pytest.param("9.0.0", TODAY, {}, (), [], False, id="unknown-cycle"),
        pytest.param("2.6.0", TODAY, {}, (), [], False, id="planned"),
        pytest.param("3.0.0rc1", D("2027-02-01"), {}, (), [], False, id="prerelease"),
    ],
)  # fmt: skip
def test_allowed_severities(
    version: str,
    as_of: date,
    fields: dict[str, Any],
    allowed: tuple[str, ...],
    limit_codes: list[str],
    covered: bool,
) -> None:
    v = verdict(version, as_of, **fields)
    assert v.allowed_severities == tuple(Severity(s) for s in allowed)
    watched = {
        "non_production",
        "basic_subscription",
        "no_subscription",
        "platform_not_supported",
        "platform_vendor_eol",
    }
    assert [c for c in codes(v) if c in watched] == limit_codes
    assert v.covered is covered


@pytest.mark.parametrize(
    ("code", "fields", "text"),
    [
        ("no_subscription", {"subscription": "none"},
         "There is no current subscription, so no support is provided."),
        ("non_production", {"environment": "non_production"},
         "Urgent and High priority are not available for non-production software."),
        ("basic_subscription", {"subscription": "basic"},
         "A basic (non-production) subscription allows Normal and Low priority only."),
        ("severity_downgraded", {"severity": "urgent", "subscription": "basic"},
         "The requested priority Urgent is not available; the ticket is worked as Normal."),
        ("severity_unavailable", {"severity": "high", "subscription": "none"},
         "No priority is available for this ticket, so High cannot be granted."),
    ],
)  # fmt: skip
def test_subscription_and_severity_messages(code: str, fields: dict[str, Any], text: str) -> None:
    assert message(verdict("2.5.1", **fields), code) == text


# --- Rule 7: the severity granted -----------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "as_of", "requested", "fields", "granted", "severity_codes"),
    [
        pytest.param("2.5.1", TODAY, None, {}, None, [], id="none-requested"),
        pytest.param("1.4.2", D("2028-01-01"), None, {}, None, [],
                     id="none-requested-none-allowed"),
        pytest.param("2.5.1", TODAY, "S1", {}, "urgent", [], id="S1-is-urgent"),
        pytest.param("2.5.1", TODAY, "1", {}, "urgent", [], id="1-is-urgent"),
        pytest.param("2.5.1", TODAY, "Emergency", {}, "urgent", [], id="emergency-is-urgent"),
        pytest.param("2.5.1", TODAY, "s2", {}, "high", [], id="s2-is-high"),
        pytest.param("2.5.1", TODAY, "1", {"environment": "non_production"}, "normal",
                     ["severity_downgraded"], id="urgent-downgraded-non-production"),
        pytest.param("2.5.1", TODAY, "HIGH", {"subscription": "basic"}, "normal",
                     ["severity_downgraded"], id="high-downgraded-basic"),
        pytest.param("1.4.2", D("2027-05-01"), "emergency", {}, "normal",
                     ["severity_downgraded"], id="urgent-downgraded-eol"),
        pytest.param("2.5.1", TODAY, "S3", {"subscription": "basic"}, "normal", [],
                     id="normal-kept"),
        pytest.param("2.5.1", TODAY, "4", {"environment": "non_production"}, "low", [],
                     id="low-kept"),
        pytest.param("1.4.2", D("2028-01-01"), "normal", {}, None, ["severity_unavailable"],
                     id="eosl-unavailable"),
        pytest.param("2.5.1", TODAY, "low", {"subscription": "none"}, None,
                     ["severity_unavailable"], id="no-subscription-unavailable"),
    ],
)  # fmt: skip
def test_severity_granted(
    version: str,
    as_of: date,
    requested: str | None,
    fields: dict[str, Any],
    granted: str | None,
    severity_codes: list[str],
) -> None:
    severity = parse_severity(requested) if requested is not None else None
    v = verdict(version, as_of, severity=severity, **fields)
    assert v.severity_requested == severity
    assert v.severity_granted == (Severity(granted) if granted is not None else None)
    assert [c for c in codes(v) if c.startswith("severity_")] == severity_codes
    assert codes(v)[-len(severity_codes) :] == severity_codes or not severity_codes


def test_query_accepts_severity_aliases_as_text() -> None:
    assert Query("p", "1.0", TODAY, severity="S1").severity is Severity.URGENT  # type: ignore[arg-type]


# --- Rule 8: upgrade_to -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "as_of", "cycles", "upgrade_to"),
    [
        pytest.param("1.4.2", TODAY, AP, "2.5.1", id="older-cycle"),
        pytest.param("2.0.0", TODAY, AP, "2.5.1", id="older-release-same-cycle"),
        pytest.param("2.5.1", TODAY, AP, None, id="already-newest"),
        pytest.param("2.5.1.0", TODAY, AP, None, id="equal-to-newest"),
        pytest.param("2.5.2", TODAY, AP, None, id="newer-than-newest"),
        pytest.param("2.6.0", TODAY, AP, None, id="planned-release-is-newer"),
        pytest.param("2.0.0", D("2026-12-14"), AP, "2.5.1", id="planned-not-offered-before-date"),
        pytest.param("2.0.0", D("2026-12-15"), AP, "2.6.0", id="planned-offered-on-its-date"),
        pytest.param("1.4.2", D("2027-03-01"), AP, "3.0.0", id="new-cycle-on-release-day"),
        pytest.param("3.0.0rc1", D("2027-02-01"), AP, None, id="prerelease-newer"),
        pytest.param("2.6.1rc1", D("2027-02-01"), AP, None, id="prerelease-newer-in-cycle"),
        pytest.param("2.6.0rc1", D("2027-02-01"), AP, "2.6.0", id="prerelease-of-newest"),
        pytest.param("9.0.0", TODAY, AP, None, id="unknown-cycle-newer"),
        pytest.param("0.9", TODAY, AP, "2.5.1", id="unknown-cycle-older"),
        pytest.param("1.0.0", D("2024-06-01"), AP, None, id="no-cycle-current"),
        pytest.param("1.25.0", D("2026-06-01"), MINOR, "1.28.3", id="minor-policy"),
    ],
)  # fmt: skip
def test_upgrade_to(
    version: str, as_of: date, cycles: ProductCycles, upgrade_to: str | None
) -> None:
    assert verdict(version, as_of, cycles=cycles).upgrade_to == upgrade_to


def test_upgrade_to_is_the_recorded_string() -> None:
    cycles = derive(
        [Release.of("1.0", D("2025-01-01")), Release.of("v2.1", D("2026-01-01"))], Policy()
    )
    assert verdict("1.0", cycles=cycles).upgrade_to == "v2.1"


# --- Query validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"platform": "ubuntu"}, "platform_version", id="platform-alone"),
        pytest.param({"platform_version": "22.04"}, "platform", id="platform-version-alone"),
        pytest.param({"platform": " ", "platform_version": "22.04"}, "platform",
                     id="blank-platform"),
        pytest.param({"platform": "ubuntu", "platform_version": "x" * 201}, "platform_version",
                     id="long-platform-version"),
        pytest.param({"environment": "staging"}, "environment", id="bad-environment"),
        pytest.param({"subscription": "gold"}, "subscription", id="bad-subscription"),
        pytest.param({"subscription": 3}, "subscription", id="subscription-not-text"),
        pytest.param({"severity": "S5"}, "severity", id="bad-severity"),
        pytest.param({"version": " "}, "version", id="blank-version"),
        pytest.param({"product": ""}, "product", id="blank-product"),
        pytest.param({"as_of": datetime(2026, 11, 22, 12)}, "as_of", id="datetime-as-of"),
        pytest.param({"as_of": "2026-11-22"}, "as_of", id="text-as-of"),
    ],
)  # fmt: skip
def test_invalid_query(fields: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"product": "p", "version": "1.0", "as_of": TODAY}
    arguments.update(fields)
    with pytest.raises(InvalidQuery) as caught:
        Query(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert isinstance(caught.value, LifecycleError)
    assert caught.value.code == "invalid_query"


def test_query_coerces_enum_text() -> None:
    query = Query("p", "1.0", TODAY, environment="non_production", subscription="basic")  # type: ignore[arg-type]
    assert query.environment is Environment.NON_PRODUCTION
    assert query.subscription is Subscription.BASIC


# --- Invariants -----------------------------------------------------------------------------

VERSIONS = st.builds(
    lambda major, minor, patch, pre: f"{major}.{minor}.{patch}{pre}",
    st.integers(0, 4),
    st.integers(0, 3),
    st.integers(0, 2),
    st.sampled_from(["", "", "", "rc1", "a2"]),
)
DAYS = st.dates(min_value=D("2020-01-01"), max_value=D("2030-12-31"))
POLICIES = st.builds(
    Policy,
    cycle=st.sampled_from(["major", "minor"]),
    full_support_cycles=st.integers(1, 3),
    security_cycles=st.integers(0, 2),
    eosl_months=st.integers(0, 12),
)
PLATFORMS = st.sampled_from(
    [(None, None), ("ubuntu", "22.4"), ("ubuntu", "20.04"), ("rhel", "9"), ("solaris", "11")]
)


@settings(max_examples=200, deadline=None)
@given(
    releases=st.lists(st.tuples(VERSIONS, DAYS), max_size=12),
    policy=POLICIES,
    version=VERSIONS,
    as_of=DAYS,
    platform=PLATFORMS,
    environment=st.sampled_from(Environment),
    subscription=st.sampled_from(Subscription),
    severity=st.none() | st.sampled_from(Severity),
)
def test_invariants(
    releases: list[tuple[str, date]],
    policy: Policy,
    version: str,
    as_of: date,
    platform: tuple[str | None, str | None],
    environment: Environment,
    subscription: Subscription,
    severity: Severity | None,
) -> None:
    cycles = derive([Release.of(v, d) for v, d in releases], policy)
    query = Query(
        "p", version, as_of, platform[0], platform[1], environment, subscription, severity
    )
    v = judge(query, cycles, REGISTRY, MATRIX)

    if v.covered:
        assert v.support_level in (SupportLevel.FULL, SupportLevel.SECURITY_FIXES_ONLY)
        assert v.allowed_severities
    if subscription is Subscription.NONE:
        assert not v.covered and v.allowed_severities == ()
    # Allowed severities are always a tail of the full list: nothing, normal+low, or all.
    assert v.allowed_severities in ((), ALL_SEVERITIES[2:], ALL_SEVERITIES)
    if v.severity_granted is not None:
        assert severity is not None
        assert v.severity_granted in v.allowed_severities
        assert v.severity_granted.rank >= severity.rank
    elif severity is not None:
        assert v.allowed_severities == ()
    if v.upgrade_to is not None:
        assert parse_version(v.upgrade_to) > parse_version(version)
    reason_codes = codes(v)
    assert len(reason_codes) == len(set(reason_codes))
    assert reason_codes[0] in {s.value for s in Status} | {"unknown_cycle"}
    assert all(r.message.endswith(".") for r in v.reasons)
    data = v.to_dict()
    assert json.loads(json.dumps(data)) == data
