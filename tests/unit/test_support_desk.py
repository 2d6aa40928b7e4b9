"""SPEC 17 in the core: forgiving input, suggestions for unknown names, messages in the
caller's words, upgrade advice that fits the platform, and the reply text."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecycle.cycles import Release, derive
from lifecycle.policy import Policy
from lifecycle.reply import compose_reply
from lifecycle.severity import Severity
from lifecycle.spelling import did_you_mean, fold_slug
from lifecycle.verdict import Environment, InvalidQuery, Query, Verdict, judge, parse_environment
from platforms.matrix import (
    Platform,
    PlatformRegistry,
    PlatformVersion,
    SupportMatrix,
    alias_problem,
    name_clashes,
)
from tests.unit.test_verdict import AP

D = date.fromisoformat
TODAY = D("2026-11-22")

# As in tests/unit/test_verdict.py: cycle 1 security-only, cycle 2 current (2.6.0 planned),
# cycle 3 planned for 2027-03-01, cycle 4 pre-releases only.
UBUNTU = Platform(
    "ubuntu",
    "Ubuntu",
    (
        PlatformVersion("20.04", D("2025-05-31"), aliases=("focal",)),
        PlatformVersion("22.04", D("2027-06-01"), aliases=("jammy", "22.04 LTS")),
        PlatformVersion("24.04", aliases=("noble",)),
    ),
)
RHEL = Platform("rhel", "Red Hat Enterprise Linux", (PlatformVersion("8"), PlatformVersion("9")))
REGISTRY = PlatformRegistry.of([UBUNTU, RHEL])
# Cycle 3 (current from 2027-03-01) leaves Ubuntu 22.04 behind.
MATRIX = SupportMatrix(
    {
        "1": (("ubuntu", "22.04"), ("ubuntu", "20.04")),
        "2": (("ubuntu", "22.04"), ("ubuntu", "24.04"), ("rhel", "9")),
        "3": (("ubuntu", "24.04"), ("rhel", "9")),
    }
)


def verdict(version: str, as_of: date = TODAY, **fields: object) -> Verdict:
    query = Query("aperturedb", version, as_of, **fields)  # type: ignore[arg-type]
    return judge(query, AP, REGISTRY, MATRIX, "ApertureDB")


def reason(v: Verdict, code: str) -> str:
    found = [r.message for r in v.reasons if r.code == code]
    assert len(found) == 1, v.reason_codes
    return found[0]


# --- forgiving input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("production", Environment.PRODUCTION),
        ("Production", Environment.PRODUCTION),
        ("non_production", Environment.NON_PRODUCTION),
        ("non-production", Environment.NON_PRODUCTION),
        (" Non-Production ", Environment.NON_PRODUCTION),
        ("nonproduction", None),
        ("staging", None),
    ],
)
def test_environment_names(text: str, expected: Environment | None) -> None:
    assert parse_environment(text) is expected


def test_a_query_takes_non_production_and_folds_its_slugs() -> None:
    query = Query("ApertureDB", "1.4.2", TODAY, "Ubuntu", "22.04", "non-production")
    assert (query.product, query.platform, query.environment) == (
        "aperturedb",
        "ubuntu",
        Environment.NON_PRODUCTION,
    )
    with pytest.raises(InvalidQuery, match="environment"):
        Query("aperturedb", "1.4.2", TODAY, environment="nonprod")


@pytest.mark.parametrize(
    ("text", "folded"),
    [("ApertureDB", "aperturedb"), ("UBUNTU", "ubuntu"), ("windows-Server", "windows-server")],
)
def test_fold_slug(text: str, folded: str) -> None:
    assert fold_slug(text) == folded


@given(st.text(max_size=20))
def test_folding_never_makes_a_slug_of_other_text(text: str) -> None:
    # Non-ASCII text is never a slug; lower() would turn the Kelvin sign into "k".
    folded = fold_slug(text)
    assert folded == text.lower() if text.isascii() else folded == text


@pytest.mark.parametrize(
    ("platform", "version", "recorded"),
    [
        (UBUNTU, "jammy", "22.04"),
        (UBUNTU, "Jammy", "22.04"),
        (UBUNTU, "22.04 lts", "22.04"),
        (UBUNTU, " NOBLE ", "24.04"),
        (UBUNTU, "22.4", "22.04"),
        (RHEL, "9.2", "9"),
        (RHEL, "9.2.1", "9"),
        (RHEL, "8.10", "8"),
        (RHEL, "9.0", "9"),
    ],
)
def test_a_platform_version_is_found_by_alias_and_leading_number(
    platform: Platform, version: str, recorded: str
) -> None:
    found = platform.find(version)
    assert found is not None and found.version == recorded


@pytest.mark.parametrize(
    ("platform", "version"),
    [
        (UBUNTU, "22.04.3"),  # Ubuntu's versions are not whole numbers: no leading match
        (UBUNTU, "22"),
        (RHEL, "10.1"),
        (RHEL, "9-beta"),
        (RHEL, "9.2a"),
        (RHEL, ".9"),
    ],
)
def test_what_is_not_found(platform: Platform, version: str) -> None:
    assert platform.find(version) is None


def test_whole_numbers_only() -> None:
    assert RHEL.whole_numbers and not UBUNTU.whole_numbers
    assert not Platform("empty", "Empty").whole_numbers
    mixed = Platform("win", "Windows Server", (PlatformVersion("2019"), PlatformVersion("2022 R2")))
    assert not mixed.whole_numbers and mixed.find("2019.1") is None


@pytest.mark.parametrize(
    "aliases",
    [("jammy", "Jammy"), ("22.04",), ("22.4",), (" ",), ("jammy", "jammy ")],
    ids=repr,
)
def test_aliases_that_repeat_a_name_are_a_problem(aliases: tuple[str, ...]) -> None:
    assert alias_problem("22.04", aliases) is not None
    assert alias_problem("22.04", ("jammy", "22.04 LTS")) is None


def test_names_two_versions_claim_are_clashes() -> None:
    versions = [
        PlatformVersion("22.04", aliases=("jammy",)),
        PlatformVersion("24.04", aliases=("JAMMY", "noble")),
        PlatformVersion("20.04", aliases=("24.4",)),
    ]
    assert name_clashes(versions) == [("JAMMY", "22.04", "24.04"), ("24.4", "24.04", "20.04")]
    assert name_clashes(list(UBUNTU.versions)) == []


def test_platform_slug_and_version_in_any_case_are_the_same_verdict() -> None:
    plain = verdict("1.4.2", platform="ubuntu", platform_version="22.04")
    for platform, version in [("Ubuntu", "22.04"), ("UBUNTU", "jammy"), ("ubuntu", "22.04 LTS")]:
        other = verdict("1.4.2", platform=platform, platform_version=version)
        assert other.to_dict() == plain.to_dict()
    assert plain.covered and plain.platform_supported


def test_a_leading_number_finds_the_matrix_row() -> None:
    v = verdict("2.5.1", platform="RHEL", platform_version="9.2")
    assert v.covered and v.to_dict()["platform"]["version"] == "9"  # type: ignore[index]


def test_a_platform_named_otherwise_is_shown_as_recorded_and_as_written() -> None:
    v = verdict("1.4.2", TODAY, platform="ubuntu", platform_version="focal")
    assert reason(v, "platform_vendor_eol").startswith("Ubuntu 20.04 (focal) reached its vendor")


# --- suggestions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_", "known", "expected"),
    [
        ("aperturdb", ["aperturedb", "keystone"], ("aperturedb",)),
        ("ApertureDB2", ["aperturedb"], ("aperturedb",)),
        ("ubunt", ["ubuntu", "rhel", "windows-server"], ("ubuntu",)),
        ("xyz", ["ubuntu", "rhel"], ()),
        ("node", ["nodejs", "nodeenv", "nodebb", "nodered", "node-red"], 3),
    ],
)
def test_did_you_mean(given_: str, known: list[str], expected: tuple[str, ...] | int) -> None:
    found = did_you_mean(given_, known)
    if isinstance(expected, int):
        assert len(found) == expected and set(found) <= set(known)
    else:
        assert found == expected


def test_an_unknown_platform_slug_comes_with_suggestions() -> None:
    v = verdict("1.4.2", platform="ubunto", platform_version="22.04")
    (unknown,) = [r for r in v.reasons if r.code == "unknown_platform"]
    assert unknown.did_you_mean == ("ubuntu",)
    assert unknown.message == (
        "Platform ubunto is not known, so 22.04 is not supported; did you mean ubuntu?"
    )
    assert unknown.to_dict()["did_you_mean"] == ["ubuntu"]
    far = verdict("1.4.2", platform="solaris", platform_version="11")
    assert [r.did_you_mean for r in far.reasons if r.code == "unknown_platform"] == [()]
    # Only unknown_platform carries the field.
    assert all("did_you_mean" not in r for r in v.to_dict()["reasons"][:1])  # type: ignore[index]


def test_an_unknown_platform_version_suggests_its_platform_s_names() -> None:
    v = verdict("1.4.2", platform="ubuntu", platform_version="jamy")
    (unknown,) = [r for r in v.reasons if r.code == "unknown_platform"]
    assert unknown.did_you_mean == ("jammy",)
    assert unknown.message.endswith("so it is not supported; did you mean jammy?")


# --- messages say what the caller wrote --------------------------------------------------


@pytest.mark.parametrize(
    ("version", "code", "text"),
    [
        ("2.3.0-beta.1", "prerelease",
         "ApertureDB 2.3.0-beta.1 is a pre-release of major release 2; pre-releases are not "
         "supported. The generally available release to move to is 2.5.1."),
        ("2.3.0-beta.1", "unknown_release",
         "ApertureDB 2.3.0-beta.1 is not a recorded release of major release 2."),
        ("1.4.2-1", "unknown_release",
         "ApertureDB 1.4.2-1 is not a recorded release; it is judged by the status of major "
         "release 1."),
        ("v3.0.0-rc.1", "prerelease",
         "ApertureDB v3.0.0-rc.1 is a pre-release of major release 3; pre-releases are not "
         "supported. No generally available release newer than it is out yet."),
        ("  2.6.0  ", "planned",
         "ApertureDB 2.6.0 is planned for release on 2026-12-15; it is not supported before "
         "then."),
        ("9.0.0-1", "unknown_cycle",
         "ApertureDB major release 9 has no recorded release, so 9.0.0-1 cannot be judged and "
         "is not covered."),
    ],
)  # fmt: skip
def test_messages_name_the_version_as_written(version: str, code: str, text: str) -> None:
    v = verdict(version)
    assert reason(v, code) == text
    assert all("2.3.0b1" not in r.message and ".post1" not in r.message for r in v.reasons)


def test_a_pre_release_names_the_release_to_move_to() -> None:
    v = verdict("2.3.0rc2")
    assert v.status.value == "prerelease" and v.upgrade_to == "2.5.1"
    assert "pre-release of major release 2" in reason(v, "prerelease")
    assert reason(v, "prerelease").endswith("move to is 2.5.1.")


def test_platform_not_supported_leaves_out_platforms_past_their_vendor_eol() -> None:
    v = verdict("1.4.2", platform="rhel", platform_version="9")
    assert reason(v, "platform_not_supported") == (
        "Red Hat Enterprise Linux 9 is not a supported platform for major release 1; the "
        "supported platforms are Ubuntu 22.04."
    )
    later = verdict("1.4.2", D("2027-06-01"), platform="rhel", platform_version="9")
    assert reason(later, "platform_not_supported").endswith(
        "no platform listed for it is still supported by its vendor."
    )
    before = verdict("1.4.2", D("2025-05-30"), platform="rhel", platform_version="9")
    assert reason(before, "platform_not_supported").endswith("Ubuntu 22.04, Ubuntu 20.04.")


# --- upgrade advice that fits the platform -----------------------------------------------


@pytest.mark.parametrize(
    ("version", "as_of", "platform", "platform_version", "upgrade_to", "on_platform"),
    [
        ("1.4.2", TODAY, "ubuntu", "22.04", "2.5.1", "2.5.1"),
        ("2.5.1", TODAY, "ubuntu", "jammy", None, "2.5.1"),  # already on it
        ("1.4.2", TODAY, "ubuntu", "20.04", "2.5.1", None),  # its vendor ended it
        ("1.4.2", TODAY, "solaris", "11", "2.5.1", None),  # unknown
        ("1.4.2", TODAY, "rhel", "8", "2.5.1", None),  # no cycle lists it
        # Cycle 3 is current and leaves Ubuntu 22.04 behind; cycle 2 is security-only.
        ("2.5.1", D("2027-03-15"), "ubuntu", "22.04", "3.0.0", None),
        ("2.5.1", D("2027-03-15"), "ubuntu", "24.04", "3.0.0", "3.0.0"),
        ("2.5.1", D("2027-03-15"), "rhel", "9.4", "3.0.0", "3.0.0"),
    ],
)
def test_upgrade_on_platform(
    version: str,
    as_of: date,
    platform: str,
    platform_version: str,
    upgrade_to: str | None,
    on_platform: str | None,
) -> None:
    v = verdict(version, as_of, platform=platform, platform_version=platform_version)
    assert (v.upgrade_to, v.upgrade_on_platform) == (upgrade_to, on_platform)
    body = v.to_dict()
    assert body["upgrade_on_platform"] == on_platform
    assert list(body)[list(body).index("upgrade_to") + 1] == "upgrade_on_platform"


def test_upgrade_on_platform_takes_the_newest_current_cycle_that_lists_it() -> None:
    cycles = derive(
        [Release.of("1.0.0", D("2025-01-01")), Release.of("2.0.0", D("2026-01-01"))],
        Policy(full_support_cycles=2),
    )
    matrix = SupportMatrix({"1": (("rhel", "8"),), "2": (("rhel", "9"),)})
    query = Query("acme", "1.0.0", TODAY, "rhel", "8")
    v = judge(query, cycles, REGISTRY, matrix)
    assert (v.upgrade_to, v.upgrade_on_platform) == ("2.0.0", "1.0.0")


def test_without_a_platform_there_is_no_upgrade_on_platform() -> None:
    assert "upgrade_on_platform" not in verdict("1.4.2").to_dict()


# --- the reply text ----------------------------------------------------------------------

LA = ZoneInfo("America/Los_Angeles")
DUE = datetime(2026, 11, 24, 8, 30, tzinfo=LA)


def reply(v: Verdict, platform_name: str | None = None, due: datetime | None = DUE) -> str:
    target = "4 business hours" if v.severity_granted is not None else None
    return compose_reply(
        v,
        product_name="ApertureDB",
        platform_name=platform_name,
        response_due_at=due if v.severity_granted is not None else None,
        response_target=target,
    )


def test_a_reply_says_coverage_status_priority_due_time_and_upgrade() -> None:
    v = verdict("1.4.2", severity=Severity.HIGH, platform="ubuntu", platform_version="22.04")
    assert reply(v, "Ubuntu 22.04") == (
        "ApertureDB 1.4.2 is covered by support (security fixes only). ApertureDB major "
        "release 1 receives security fixes only; it reaches end of life on 2027-03-01. "
        "Ubuntu 22.04 is a supported platform for it. The ticket is worked at High priority; "
        "a first response is due by Tuesday 2026-11-24 at 08:30 PST (4 business hours). We "
        "recommend upgrading to 2.5.1, which supports Ubuntu 22.04."
    )


@pytest.mark.parametrize(
    ("version", "as_of", "fields", "platform_name", "parts"),
    [
        ("1.4.2", TODAY, {}, None,
         ["covered by support (security fixes only).", "upgrading to 2.5.1, the latest release."]),
        ("2.5.1", D("2027-03-15"), {"platform": "ubuntu", "platform_version": "22.04"},
         "Ubuntu 22.04",
         ["Upgrading to the latest release, 3.0.0, also needs a platform it supports; "
          "Ubuntu 22.04 is not one."]),
        ("1.4.2", D("2027-04-01"), {"severity": Severity.URGENT}, None,
         ["is not covered by support.", "reached end of life on 2027-03-01",
          "The requested priority Urgent is not available; the ticket is worked as Normal.",
          "worked at Normal priority"]),
        ("1.4.2", TODAY, {"subscription": "none", "severity": Severity.HIGH}, None,
         ["There is no current subscription", "No priority can be granted for this ticket"]),
        ("1.4.2", TODAY, {"environment": "non-production", "severity": Severity.LOW}, None,
         ["not available for non-production software.", "worked at Low priority"]),
        ("2.3.0b1", TODAY, {"severity": Severity.NORMAL}, None,
         ["is a pre-release of major release 2", "move to is 2.5.1."]),
        ("1.4.2", TODAY, {"platform": "ubunto", "platform_version": "22.04"}, "ubunto 22.04",
         ["Platform ubunto is not known, so 22.04 is not supported."]),
    ],
)  # fmt: skip
def test_reply_parts(
    version: str,
    as_of: date,
    fields: dict[str, object],
    platform_name: str | None,
    parts: list[str],
) -> None:
    v = verdict(version, as_of, **fields)
    text = reply(v, platform_name)
    for part in parts:
        assert part in text
    assert "\n" not in text
    # No reason codes and nothing meant for the desk alone.
    for internal in ("platform_unchecked", "No platform was given", "not a recorded release",
                     "did you mean", "security_only", "_"):  # fmt: skip
        assert internal not in text
    assert text.count("2.5.1.") <= 1  # the pre-release's advice is not said twice


@given(
    version=st.sampled_from(["1.0.0", "1.4.2", "2.5.1", "2.6.0", "3.0.0rc1", "4.0.0", "9.1"]),
    day=st.dates(date(2024, 1, 1), date(2029, 1, 1)),
    platform=st.sampled_from([None, ("ubuntu", "22.04"), ("rhel", "9.1"), ("x", "1")]),
    severity=st.sampled_from([None, *Severity]),
)
def test_every_reply_is_one_paragraph_without_codes(
    version: str, day: date, platform: tuple[str, str] | None, severity: Severity | None
) -> None:
    fields: dict[str, object] = {"severity": severity}
    if platform is not None:
        fields.update(platform=platform[0], platform_version=platform[1])
    v = verdict(version, day, **fields)
    text = reply(v, f"{platform[0]} {platform[1]}" if platform else None)
    assert text and "\n" not in text and "platform_unchecked" not in text
    assert ("is covered by support" in text) is v.covered
    assert "_" not in text  # no reason code (platform_unchecked, unknown_release, ...)
