"""SPEC 14: one endoflife.date definition read into core values, and SPEC 11's v0 shape."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.cycles import Cycle, Release, derive
from lifecycle.endoflife import (
    Identifier,
    ProductDefinition,
    cycle_v0,
    listed_v0,
    product_v0,
    purl_without_version,
    read_definition,
)
from lifecycle.errors import InvalidDefinition, LifecycleError
from lifecycle.policy import Policy
from lifecycle.records import CycleRecord

D = date.fromisoformat
AS_OF = D("2026-12-03")


def read(*releases: dict[str, Any], **product: Any) -> ProductDefinition:
    data = {"title": "Demo", "category": "app", "releases": list(releases), **product}
    return read_definition(data, "demo")


def cycle(name: str = "2", **fields: Any) -> dict[str, Any]:
    return {"releaseCycle": name, "releaseDate": "2024-01-15", "eol": False, **fields}


def record_of(definition: ProductDefinition, key: str = "2") -> CycleRecord:
    return next(r for r in definition.records if r.key == key)


def v0_of(definition: ProductDefinition, key: str = "2") -> dict[str, object]:
    return cycle_v0(definition.derive().by_key[key], AS_OF)


# --- the product's own fields ------------------------------------------------------------


def test_product_fields() -> None:
    definition = read(
        title="Node.js",
        category="framework",
        tags=["javascript-runtime", "linux-foundation", "javascript-runtime"],
        identifiers=[
            {"purl": "pkg:generic/node@22.11.0"},
            {"purl": "pkg:docker/library/node"},
            {"cpe": "cpe:2.3:a:nodejs:node.js"},
            {"repology": "nodejs"},
            {"purl": "pkg:generic/node"},
        ],
    )
    assert (definition.slug, definition.title, definition.category) == (
        "demo",
        "Node.js",
        "framework",
    )
    assert definition.tags == ("javascript-runtime", "linux-foundation")
    assert definition.served_tags == ("framework", "javascript-runtime", "linux-foundation")
    assert definition.identifiers == (
        Identifier("purl", "pkg:generic/node"),
        Identifier("purl", "pkg:docker/library/node"),
        Identifier("cpe", "cpe:2.3:a:nodejs:node.js"),
        Identifier("repology", "nodejs"),
    )
    assert definition.identifiers[0].to_dict() == {"type": "purl", "id": "pkg:generic/node"}
    assert definition.ignored == ()


def test_tags_may_be_words() -> None:
    assert read(tags="microsoft  windows").tags == ("microsoft", "windows")
    assert read().tags == ()


@pytest.mark.parametrize(
    ("product", "field"),
    [
        ({"tags": [1, 2]}, "tags"),
        ({"identifiers": "pkg:generic/x"}, "identifiers"),
        ({"identifiers": [{"purl": "generic/x"}]}, "identifiers"),
        ({"identifiers": [{"swid": "x"}]}, "identifiers"),
        ({"identifiers": [{"purl": "pkg:a/b", "cpe": "cpe:x"}]}, "identifiers"),
        ({"identifiers": ["pkg:a/b"]}, "identifiers"),
    ],
    ids=lambda v: repr(v),
)
def test_unusable_product_fields_are_ignored_with_a_reason(
    product: dict[str, Any], field: str
) -> None:
    definition = read(**product)
    assert [i.field for i in definition.ignored] == [field]
    assert definition.ignored[0].cycle is None
    assert definition.ignored[0].reason


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        ("pkg:generic/node@22.11.0", "pkg:generic/node"),
        (
            "pkg:maven/org.apache.struts/struts2-core@6.0?type=jar",
            "pkg:maven/org.apache.struts/struts2-core?type=jar",
        ),
        ("pkg:npm/%40angular/core@17.0.0#sub/path", "pkg:npm/%40angular/core#sub/path"),
        ("pkg:npm/@angular/core", "pkg:npm/@angular/core"),
        ("pkg:npm/@angular/core@17", "pkg:npm/@angular/core"),
        ("pkg:generic/node", "pkg:generic/node"),
    ],
    ids=repr,
)
def test_a_purl_is_stored_without_its_version(purl: str, expected: str) -> None:
    assert purl_without_version(purl) == expected


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"category": "app", "releases": []},
        {"title": " ", "category": "app", "releases": []},
        {"title": "Demo", "releases": []},
        {"title": "Demo", "category": "app"},
        {"title": "Demo", "category": "app", "releases": {"2": {}}},
        {"title": "Demo", "category": "app", "releases": ["2"]},
    ],
    ids=repr,
)
def test_a_definition_that_cannot_be_read_at_all(data: Any) -> None:
    with pytest.raises(InvalidDefinition) as caught:
        read_definition(data, "demo")
    assert caught.value.code == "invalid_definition"


# --- cycles refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("releases", "name", "reason"),
    [
        ([cycle("galaxy-s24")], "galaxy-s24", "not a dotted number"),
        ([cycle("11-ltsc")], "11-ltsc", "not a dotted number"),
        ([cycle(7)], "7", "must be text"),  # type: ignore[arg-type]
        ([cycle("2"), cycle("2")], "2", "repeats"),
        ([cycle("22.4"), cycle("22.04")], "22.04", "same numbers"),
        ([cycle("2", releaseDate=None)], "2", "releaseDate is missing"),
        ([cycle("2", releaseDate="2024-02-30")], "2", "releaseDate must be a date"),
        ([cycle("2", releaseDate="20240115")], "2", "releaseDate must be a date"),
        ([cycle("2", releaseDate="1899-12-31")], "2", "outside 1900-01-01 to 2999-12-31"),
        ([cycle("2", eol="soon")], "2", "eol must be a date"),
        ([cycle("2", eol="2023-01-01")], "2", "eol_on (2023-01-02) is before released_on"),
        ([cycle("2", eoas="2025-01-01", eol="2024-06-01")], "2", "eol_on (2024-06-02) is before"),
        ([cycle("2", eoas=False, eol=True)], "2", "eol_on is true"),
    ],
    ids=lambda v: repr(v),
)
def test_cycles_refused_with_the_reason(
    releases: list[dict[str, Any]], name: str, reason: str
) -> None:
    definition = read(*releases)
    assert [r.name for r in definition.refused] == [name]
    assert reason in definition.refused[0].reason
    assert len(definition.records) == len(releases) - 1


def test_a_refused_cycle_is_never_fatal() -> None:
    definition = read(cycle("galaxy-s24"), cycle("3", releaseDate="2025-01-01"), cycle("2"))
    assert [r.key for r in definition.records] == ["3", "2"]
    assert [c.key for c in definition.derive().newest_first] == ["3", "2"]


# --- dates: last days in, first days out --------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"eoas": "2025-10-20", "eol": "2027-04-30", "eoes": "2028-04-30"},
            {
                "security_only_from": D("2025-10-21"),
                "eol_on": D("2027-05-01"),
                "extended_end_on": D("2028-05-01"),
            },
            id="last-days-are-first-days-minus-one",
        ),
        pytest.param(
            {"eoas": "2024-12-31", "eol": "2025-02-28"},
            {"security_only_from": D("2025-01-01"), "eol_on": D("2025-03-01")},
            id="across-a-year-and-a-month-end",
        ),
        pytest.param(
            {"eoas": True, "eol": False, "eoes": False},
            {"security_only_from": True, "eol_on": False, "extended_end_on": False},
            id="true-and-false-carry-over",
        ),
        pytest.param(
            {"eol": "2027-04-30"},
            {"eol_on": D("2027-05-01"), "no_security_phase": True},
            id="no-eoas-means-no-security-only-phase",
        ),
        pytest.param(
            {"eol": True},
            {"eol_on": True, "no_security_phase": True},
            id="no-eoas-with-eol-true",
        ),
        pytest.param(
            {"eoas": "2026-01-01"},
            {"security_only_from": D("2026-01-02"), "eol_on": None},
            id="no-eol-is-no-decision",
        ),
    ],
)
def test_dates_of_a_cycle(fields: dict[str, Any], expected: dict[str, Any]) -> None:
    base = {"releaseCycle": "2", "releaseDate": "2024-01-15"}
    record = record_of(read({**base, **fields}))
    assert record.released_on == D("2024-01-15")
    for name, value in expected.items():
        assert getattr(record, name) == value, name
    assert record.no_security_phase is expected.get("no_security_phase", False)


def test_no_eoas_decides_security_only_from_as_eol_on() -> None:
    record = record_of(read(cycle(eol="2027-04-30")))
    dates = derive([], Policy(), records=[record]).by_key["2"].dates
    assert dates.security_only_from == dates.eol_on == D("2027-05-01")


@pytest.mark.parametrize(
    ("fields", "field", "value"),
    [
        ({"eol": "2999-12-31"}, "eol_on", False),
        ({"eol": "9999-12-31"}, "eol_on", False),
        ({"eoas": "1850-01-01", "releaseDate": "1900-01-01"}, "security_only_from", True),
        ({"eoes": "9999-12-31"}, "extended_end_on", False),
    ],
    ids=lambda v: repr(v),
)
def test_phase_dates_beyond_what_the_service_holds(
    fields: dict[str, Any], field: str, value: bool
) -> None:
    definition = read(cycle(**fields))
    assert getattr(record_of(definition), field) is value
    assert [i.cycle for i in definition.ignored] == ["2"]


def test_an_eoes_out_of_order_with_eol_is_ignored_not_the_cycle() -> None:
    definition = read(cycle(eoes=True, eol=False, latest="2.1.0", latestReleaseDate="2026-08-01"))
    record = record_of(definition)
    assert record.extended_end_on is None
    assert record.eol_on is False
    assert [(i.cycle, i.field) for i in definition.ignored] == [("2", "eoes")]
    assert "extended_end_on" in definition.ignored[0].reason
    assert definition.refused == ()


@pytest.mark.parametrize(
    ("lts", "expected", "ignored"),
    [
        (None, False, 0),
        (False, False, 0),
        (True, True, 0),
        ("2024-10-29", D("2024-10-29"), 0),
        ("3024-10-29", True, 1),
        ("soon", True, 1),
    ],
    ids=repr,
)
def test_lts(lts: object, expected: object, ignored: int) -> None:
    fields = {} if lts is None else {"lts": lts}
    definition = read(cycle(**fields))
    assert record_of(definition).lts == expected
    assert len(definition.ignored) == ignored


# --- latest, links, labels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "latest", "day", "release", "display"),
    [
        pytest.param(
            "22", "22.11.0", "2024-10-29", "22.11.0", None, id="a-version-of-its-cycle-is-recorded"
        ),
        pytest.param("22", "v22.11.0", "2024-10-29", "v22.11.0", None, id="kept-as-written"),
        pytest.param("8", "8u501", "2026-07-21", None, ("8u501", "2026-07-21"), id="no-version"),
        pytest.param("22", "22.11.0", None, None, ("22.11.0", None), id="no-date"),
        pytest.param(
            "5", "48.3.1", "2026-08-01", None, ("48.3.1", "2026-08-01"), id="another-cycles-version"
        ),
        pytest.param(
            "8", "8.1.2", "2026-08-01", None, ("8.1.2", "2026-08-01"), id="a-longer-name-leads-it"
        ),
        pytest.param(
            "6.3",
            "6.3.3-c1121",
            "2026-08-01",
            None,
            ("6.3.3-c1121", "2026-08-01"),
            id="a-pre-release",
        ),
        pytest.param("1", "1!1.0", "2026-08-01", None, ("1!1.0", "2026-08-01"), id="an-epoch"),
        pytest.param("5.1", "", None, None, ("", None), id="empty-as-written"),
    ],
)
def test_latest(
    name: str,
    latest: str,
    day: str | None,
    release: str | None,
    display: tuple[str, str | None] | None,
) -> None:
    fields: dict[str, Any] = {"latest": latest}
    if day is not None:
        fields["latestReleaseDate"] = day
    definition = read(cycle(name, **fields), cycle("8.1"))
    assert [r.version for r in definition.releases] == ([release] if release else [])
    record = record_of(definition, name)
    got = record.display_latest, record.display_latest_on
    assert got == ((display[0], D(display[1]) if display[1] else None) if display else (None, None))
    shape = v0_of(definition, name)
    assert shape["latest"] == latest
    assert shape.get("latestReleaseDate") == day


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"latest": 22}, "latest"),
        ({"latest": "x" * 201}, "latest"),
        ({"latest": "2.1", "latestReleaseDate": "yesterday"}, "latestReleaseDate"),
        ({"latest": "2.1", "latestReleaseDate": "1800-01-01"}, "latestReleaseDate"),
        ({"codename": ""}, "codename"),
        ({"link": "ftp://example.com/2"}, "link"),
        ({"link": 7}, "link"),
        ({"link": "https://x.org/{{ '__LATEST__' | split: '.' }}"}, "link"),
        ({"releaseLabel": "__RELEASE_CYCLE__{% if x %}!{% endif %}"}, "releaseLabel"),
        ({"releaseLabel": "x" * 300}, "releaseLabel"),
    ],
    ids=lambda v: repr(v),
)
def test_unusable_cycle_fields_are_ignored_and_the_cycle_kept(
    fields: dict[str, Any], field: str
) -> None:
    definition = read(cycle(**fields))
    assert [(i.cycle, i.field) for i in definition.ignored] == [("2", field)]
    assert [r.key for r in definition.records] == ["2"]


def test_links_and_labels_fill_in_endoflife_dates_placeholders() -> None:
    definition = read(
        cycle(
            "22",
            codename="Jod",
            latest="22.11.0",
            latestReleaseDate="2024-10-29",
            link="https://nodejs.org/en/blog/release/v__LATEST__ ",
            releaseLabel=(
                "__RELEASE_CYCLE__ '__CODENAME__' (__RELEASE_DATE__, __LATEST_RELEASE_DATE__)"
            ),
        ),
        cycle("20", link=None),
        releaseLabel="Node __RELEASE_CYCLE__",
    )
    node = record_of(definition, "22")
    assert node.link == "https://nodejs.org/en/blog/release/v22.11.0"
    assert node.label == "22 'Jod' (2024-01-15, 2024-10-29)"
    assert node.codename == "Jod"
    old = record_of(definition, "20")
    assert (old.link, old.label) == (None, "Node 20")
    cycles = definition.derive()
    assert (cycles.by_key["22"].codename, cycles.by_key["22"].link) == ("Jod", node.link)


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        (["3.12", "3.13", "2.7"], "minor"),
        (["22", "20"], "major"),
        (["15", "15.0", "14.4"], "major"),
        ([], "major"),
    ],
    ids=repr,
)
def test_the_suggested_policy_cuts_cycles_as_the_names_do(names: list[str], kind: str) -> None:
    assert read(*(cycle(n) for n in names)).policy == Policy(cycle=kind)  # type: ignore[arg-type]


# --- the v0 shape --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"eoas": "2025-10-20", "eol": "2027-04-30", "lts": "2024-10-29"},
            {"support": "2025-10-20", "eol": "2027-04-30", "lts": "2024-10-29"},
            id="dates-round-trip",
        ),
        pytest.param(
            {"eoas": True, "eol": True, "lts": True},
            {"support": False, "eol": True, "lts": True},
            id="true-is-over",
        ),
        pytest.param(
            {"eoas": False, "eol": False},
            {"support": True, "eol": False, "lts": False},
            id="false-is-not-over",
        ),
        pytest.param(
            {"eol": "2027-04-30"},
            {"eol": "2027-04-30", "lts": False},
            id="no-eoas-no-support",
        ),
        pytest.param(
            {"eoas": "2025-10-20", "eol": "2025-10-20"},
            {"support": "2025-10-20", "eol": "2025-10-20", "lts": False},
            id="eoas-as-eol-is-shown",
        ),
    ],
)
def test_v0_of_a_record_is_endoflife_dates_own(
    fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    definition = read({"releaseCycle": "2", "releaseDate": "2024-01-15", **fields})
    assert v0_of(definition) == {"cycle": "2", "releaseDate": "2024-01-15", **expected}


def test_v0_lists_released_cycles_newest_first() -> None:
    definition = read(
        cycle("2.10", releaseDate="2026-01-01"),
        cycle("2.9", releaseDate="2025-01-01"),
        cycle("3.0", releaseDate="2027-06-01"),
    )
    cycles = definition.derive()
    assert [c["cycle"] for c in product_v0(cycles, AS_OF)] == ["2.10", "2.9"]
    assert not listed_v0(cycles.by_key["3.0"], AS_OF)
    with pytest.raises(LifecycleError, match="not released"):
        cycle_v0(cycles.by_key["3.0"], AS_OF)


def test_v0_of_a_product_without_records_is_as_before() -> None:
    cycles = derive(
        [
            Release.of("1.0.0", D("2025-01-10")),
            Release.of("1.4.2", D("2025-09-01")),
            Release.of("2.0.0", D("2026-03-02")),
            Release.of("3.0.0", D("2027-03-01")),
        ],
        Policy(),
    )
    assert product_v0(cycles, D("2026-11-22")) == [
        {
            "cycle": "2",
            "releaseDate": "2026-03-02",
            "support": "2027-02-28",
            "eol": False,
            "latest": "2.0.0",
            "latestReleaseDate": "2026-03-02",
            "lts": False,
        },
        {
            "cycle": "1",
            "releaseDate": "2025-01-10",
            "support": "2026-03-01",
            "eol": "2027-02-28",
            "latest": "1.4.2",
            "latestReleaseDate": "2025-09-01",
            "lts": False,
        },
    ]


def former_cycle_v0(cycle: Cycle, as_of: date) -> dict[str, object]:
    """The v0 shape as the service gave it before records existed, kept to compare with."""

    def last_day(first: date | None, unknown: bool) -> str | bool:
        return unknown if first is None else (first - timedelta(days=1)).isoformat()

    dates, latest = cycle.dates, cycle.latest(as_of)
    assert dates.released_on is not None
    return {
        "cycle": cycle.key,
        "releaseDate": dates.released_on.isoformat(),
        "support": last_day(dates.security_only_from, unknown=True),
        "eol": last_day(dates.eol_on, unknown=False),
        "latest": latest.version if latest is not None else None,
        "latestReleaseDate": latest.released_on.isoformat() if latest is not None else None,
        "lts": False,
    }


_releases = st.lists(
    st.builds(
        lambda major, minor, offset: Release.of(
            f"{major}.{minor}", date(2020, 1, 1) + timedelta(days=offset)
        ),
        st.integers(0, 5),
        st.integers(0, 3),
        st.integers(0, 3000),
    ),
    max_size=10,
)


@settings(max_examples=200, deadline=None)
@given(
    _releases,
    st.integers(1, 2),
    st.integers(0, 2),
    st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
)
def test_v0_without_records_is_the_former_shape(
    releases: list[Release], full: int, security: int, as_of: date
) -> None:
    cycles = derive(releases, Policy(full_support_cycles=full, security_cycles=security))
    listed = [c for c in cycles.newest_first if listed_v0(c, as_of)]
    assert product_v0(cycles, as_of) == [former_cycle_v0(c, as_of) for c in listed]
