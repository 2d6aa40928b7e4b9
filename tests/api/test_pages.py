"""The lifecycle pages (SPEC 11): index, product page, timeline, version check, as-of,
errors, escaping and security headers, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import set_today
from tests.factories import WEB, add_product, seeded_app

AS_OF = WEB.as_of
PLATFORMS = WEB.platforms

CURRENT = "current (full support)"
SECURITY = "security fixes only"
EOL = "end of life"
EOSL = "end of service life"
PLANNED = "planned"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def web(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlaskClient]:
    """A client of an app holding the demo-like catalogue (read-only tests share it)."""
    with seeded_app(request.param, sqlite_template, tmp_path_factory.mktemp("pages"), WEB) as app:
        yield app.test_client()


def page(response: TestResponse) -> Any:
    return lxml.html.fromstring(response.data)


def words(element: Any) -> str:
    return " ".join(element.text_content().split())


def cycle_table(doc: Any) -> dict[str, list[str]]:
    """Cycle key -> the texts of its row's cells."""
    rows = doc.xpath('//table[@class="cycles"]/tbody/tr')
    return {
        words(row.xpath("th")[0]).removeprefix("Cycle "): [words(td) for td in row.xpath("td")]
        for row in rows
    }


def statuses(doc: Any) -> dict[str, str]:
    return {
        words(row.xpath("th")[0]).removeprefix("Cycle "): words(
            row.xpath('.//span[contains(@class, "badge")]')[0]
        )
        for row in doc.xpath('//table[@class="cycles"]/tbody/tr')
    }


# --- the index ----------------------------------------------------------------------------


def test_index_lists_products_with_their_newest_cycle_status(web: FlaskClient) -> None:
    answer = web.get(f"/?as_of={AS_OF}")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    rows = page(answer).xpath('//table[@class="products"]/tbody/tr')
    found = {words(r.xpath("th/a")[0]): [words(td) for td in r.xpath("td")] for r in rows}
    assert list(found) == ["ApertureDB", "Keystone Gateway", "Nebula Agent", "Relay CLI"]
    assert found["ApertureDB"][:3] == [
        "5",
        "planned release planned for 2027-06-01",
        "4 full support 3 security fixes only",
    ]
    assert found["Keystone Gateway"][:2] == ["1.30", CURRENT]
    assert found["Nebula Agent"][:2] == ["1", "planned release planned for 2027-02-01"]
    assert found["Relay CLI"][:2] == ["none yet", "no releases"]
    links = page(answer).xpath('//table[@class="products"]//th/a/@href')
    assert links[0] == "/products/aperturedb?as_of=2026-11-23"


def test_index_without_as_of_is_today(web: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    set_today(web.application, date(2027, 7, 1), monkeypatch)
    doc = page(web.get("/"))
    assert "Statuses as of 2027-07-01 (today)." in words(doc.xpath('//form[@class="as-of"]')[0])
    row = doc.xpath('//table[@class="products"]/tbody/tr')[0]
    assert words(row.xpath("td")[1]) == CURRENT
    assert doc.xpath('//table[@class="products"]//th/a/@href')[0] == "/products/aperturedb"


# --- the product page -----------------------------------------------------------------------


def test_product_page_shows_every_cycle_with_dates_latest_and_platforms(web: FlaskClient) -> None:
    answer = web.get(f"/products/aperturedb?as_of={AS_OF}")
    assert answer.status_code == 200
    rows = cycle_table(page(answer))
    assert list(rows) == ["5", "4", "3", "2", "1"]
    # status, released, security only from, EOL, EOSL, latest
    assert [cells[:6] for cells in rows.values()] == [
        [
            "planned next change 2027-06-01",
            "2027-06-01 (planned)",
            "not set",
            "not set",
            "not set",
            "none yet; 5.0.0 planned for 2027-06-01",
        ],
        [
            "current (full support) next change 2027-06-01",
            "2026-06-01",
            "2027-06-01",
            "not set",
            "not set",
            "4.1.0 (2026-10-05) Release notes Faster bulk loads; new backup command.",
        ],
        [
            "security fixes only next change 2027-06-01",
            "2025-06-02",
            "2026-06-01",
            "2027-06-01",
            "2027-12-01",
            "3.1.2 (2026-01-12) Release notes Fixes a crash on startup when the cache is cold.",
        ],
        [
            "end of life next change 2026-12-01",
            "2024-04-15",
            "2025-06-02",
            "2026-06-01",
            "2026-12-01",
            "2.3.1 (2025-02-03)",
        ],
        [
            "end of service life",
            "2023-05-02",
            "2024-04-15",
            "2025-06-02",
            "2025-12-02",
            "1.2.0 (2023-11-06)",
        ],
    ]
    assert rows["3"][6] == (
        "Red Hat Enterprise Linux 8 vendor EOL 2029-06-01 "
        "Red Hat Enterprise Linux 9 vendor EOL 2032-06-01 "
        "Ubuntu 20.04 vendor support ended 2025-06-01 "
        "Ubuntu 22.04 vendor EOL 2027-06-01"
    )
    assert rows["1"][6] == "none listed"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        pytest.param(
            "2024-01-01",
            {"5": PLANNED, "4": PLANNED, "3": PLANNED, "2": PLANNED, "1": CURRENT},
            id="early",
        ),
        pytest.param(
            "2026-11-23",
            {"5": PLANNED, "4": CURRENT, "3": SECURITY, "2": EOL, "1": EOSL},
            id="demo-day",
        ),
        pytest.param(
            "2027-06-01",
            {"5": CURRENT, "4": SECURITY, "3": EOL, "2": EOSL, "1": EOSL},
            id="first-day-of-5",
        ),
        pytest.param(
            "2027-05-31",
            {"5": PLANNED, "4": CURRENT, "3": SECURITY, "2": EOSL, "1": EOSL},
            id="last-day-before-5",
        ),
    ],
)
def test_as_of_moves_the_statuses(web: FlaskClient, as_of: str, expected: dict[str, str]) -> None:
    doc = page(web.get(f"/products/aperturedb?as_of={as_of}"))
    assert statuses(doc) == expected
    assert f"Statuses as of {as_of}." in words(doc.xpath('//form[@class="as-of"]')[0])
    assert doc.xpath('//input[@id="as_of"]/@value') == [as_of]
    assert doc.xpath('//form[@class="as-of"]//a/@href') == ["/products/aperturedb"]


def test_timeline_draws_each_cycle_by_phase_with_an_as_of_line(web: FlaskClient) -> None:
    doc = page(web.get(f"/products/aperturedb?as_of={AS_OF}"))
    (svg,) = doc.xpath("//svg")
    assert svg.get("role") == "img"
    assert words(svg.xpath("title")[0]) == "Support phases of ApertureDB, one bar per cycle"
    assert [words(t) for t in svg.xpath('.//text[@class="lane-label"]')] == list("54321")
    phases = [r.get("class") for r in svg.xpath(".//rect")]
    assert phases.count("phase phase-current") + phases.count("phase phase-current open") == 5
    assert phases.count("phase phase-security_only") == 3  # 3, 2, 1; 4's has no end yet
    assert phases.count("phase phase-security_only open") == 1
    assert phases.count("phase phase-eol") == 3
    titles = [words(t) for t in svg.xpath(".//rect/title")]
    assert "Cycle 3, security fixes only: 2026-06-01 to 2027-05-31" in titles
    assert "Cycle 4, security fixes only: from 2027-06-01, no end set yet" in titles
    assert words(svg.xpath('.//g[@class="marker"]/text')[0]) == "as of 2026-11-23"
    years = [words(t) for t in svg.xpath('.//text[@class="tick-label"]')]
    assert years[:5] == ["2023", "2024", "2025", "2026", "2027"]


def test_unknown_product_is_a_404_page(web: FlaskClient) -> None:
    answer = web.get("/products/no-such-product")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    doc = page(answer)
    assert words(doc.xpath("//h1")[0]) == "Product not found"
    assert "no-such-product" in words(doc.xpath("//main")[0])


@pytest.mark.parametrize("path", ["/", "/products/aperturedb"])
@pytest.mark.parametrize(
    "as_of",
    ["2026-13-01", "2026-02-30", "tomorrow", "20261123", "1899-12-31", "3000-01-01", "2026-1-5"],
)
def test_invalid_as_of_is_a_400_page(web: FlaskClient, path: str, as_of: str) -> None:
    answer = web.get(path, query_string={"as_of": as_of})
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    doc = page(answer)
    assert words(doc.xpath("//h1")[0]) == "Invalid date"
    assert as_of in words(doc.xpath("//main")[0])


def test_empty_as_of_means_today(web: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    set_today(web.application, date(2026, 11, 23), monkeypatch)
    answer = web.get("/products/aperturedb?as_of=")
    assert answer.status_code == 200
    assert statuses(page(answer))["4"] == CURRENT


# --- the version check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "heading", "codes"),
    [
        pytest.param(
            {"version": "3.1.0", "platform": "ubuntu:20.04", "severity": "urgent"},
            "ApertureDB 3.1.0 is not covered",
            ["security_only", "platform_vendor_eol", "severity_unavailable"],
            id="vendor-eol-platform",
        ),
        pytest.param(
            {"version": "4.1.0", "platform": "ubuntu:24.04", "severity": "urgent"},
            "ApertureDB 4.1.0 is covered",
            ["current"],
            id="covered",
        ),
        pytest.param(
            {"version": "4.0.0", "platform": "ubuntu", "platform_version": "22.4"},
            "ApertureDB 4.0.0 is covered",
            ["current"],
            id="two-platform-fields",
        ),
        pytest.param(
            {"version": "3.1.0", "environment": "non_production", "subscription": "basic"},
            "ApertureDB 3.1.0 is covered",
            ["security_only", "platform_unchecked", "non_production", "basic_subscription"],
            id="non-production",
        ),
        pytest.param(
            {"version": "2.3.1"},
            "ApertureDB 2.3.1 is not covered",
            ["eol", "platform_unchecked"],
            id="eol",
        ),
        pytest.param(
            {"version": "9.1"},
            "ApertureDB 9.1 is not covered",
            ["unknown_cycle", "platform_unchecked"],
            id="unknown-cycle",
        ),
        pytest.param(
            {"version": "4.1.0", "subscription": "none"},
            "ApertureDB 4.1.0 is not covered",
            ["current", "platform_unchecked", "no_subscription"],
            id="no-subscription",
        ),
    ],
)
def test_check_form_shows_the_verdict_in_words(
    web: FlaskClient, query: dict[str, str], heading: str, codes: list[str]
) -> None:
    answer = web.get("/products/aperturedb", query_string={"as_of": AS_OF, **query})
    assert answer.status_code == 200
    doc = page(answer)
    (verdict,) = doc.xpath('//div[@id="verdict"]')
    assert words(verdict.xpath("h3")[0]).endswith(heading)
    found = [words(c) for c in verdict.xpath('.//code[@class="reason-code"]')]
    assert found[: len(codes)] == codes
    messages = [words(m) for m in verdict.xpath('.//span[@class="reason-message"]')]
    assert all(m.endswith(".") and len(m) > 20 for m in messages), messages
    # The form keeps what was asked.
    assert doc.xpath('//input[@id="version"]/@value') == [query["version"]]


def test_check_form_names_the_dates_and_the_upgrade(web: FlaskClient) -> None:
    doc = page(web.get(f"/products/aperturedb?as_of={AS_OF}&version=3.1.0"))
    verdict = words(doc.xpath('//div[@id="verdict"]')[0])
    assert "ApertureDB major release 3 receives security fixes only" in verdict
    assert "2027-06-01" in verdict
    assert "Upgrade to 4.1.0" in verdict


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param({"version": "not a version"}, "Invalid version", id="bad-version"),
        pytest.param({"version": "1.0", "platform": "ubuntu"}, "Choose a platform", id="no-pair"),
        pytest.param({"version": "1.0", "environment": "moon"}, "environment", id="environment"),
        pytest.param({"version": "1.0", "subscription": "gold"}, "subscription", id="subscription"),
        pytest.param({"version": "1.0", "severity": "S9"}, "Invalid severity", id="severity"),
    ],
)
def test_check_form_errors_are_shown_on_the_page(
    web: FlaskClient, query: dict[str, str], message: str
) -> None:
    answer = web.get("/products/aperturedb", query_string=query)
    assert answer.status_code == 422
    doc = page(answer)
    assert message in words(doc.xpath('//p[@id="check-error"]')[0])
    assert not doc.xpath('//div[@id="verdict"]')
    assert len(cycle_table(doc)) == 5


def test_platform_select_lists_the_registry(web: FlaskClient) -> None:
    doc = page(web.get("/products/keystone"))
    values = doc.xpath('//select[@id="platform"]//option/@value')
    expected = [""] + [
        f"{p['slug']}:{v['version']}"
        for p in sorted(PLATFORMS, key=lambda p: p["name"])
        for v in p["versions"]
    ]
    assert values == expected


# --- HTML quality and security -----------------------------------------------------------------

PAGES = ["/", f"/products/aperturedb?as_of={AS_OF}&version=3.1.0", "/products/relay"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_semantic_and_accessible(web: FlaskClient, path: str) -> None:
    doc = page(web.get(path))
    assert doc.get("lang") == "en"
    assert doc.xpath('//meta[@name="viewport"]/@content') == ["width=device-width, initial-scale=1"]
    assert doc.xpath('//link[@rel="stylesheet"][@media="print"]')
    assert all(th.get("scope") == "col" for th in doc.xpath("//thead//th"))
    assert all(th.get("scope") == "row" for th in doc.xpath("//tbody//th"))
    for field in doc.xpath('//input[not(@type="hidden")] | //select'):
        assert doc.xpath(f'//label[@for="{field.get("id")}"]'), field.get("name")
    # No script at all, no inline style: the Content-Security-Policy allows neither.
    assert not doc.xpath("//script | //style | //*[@style] | //*[@onclick]")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/products/aperturedb",
        "/products/nope",
        "/?as_of=bad",
        "/assets/lifecycle.css",
        "/calendar.ics",
        "/products/aperturedb/feed.atom",
    ],
)
def test_security_headers(web: FlaskClient, path: str) -> None:
    answer = web.get(path)
    answer.close()  # static files are streamed from an open file
    csp = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_stylesheets_are_served(web: FlaskClient) -> None:
    doc = page(web.get("/"))
    for href in doc.xpath('//link[@rel="stylesheet"]/@href'):
        with web.get(href) as answer:
            assert answer.status_code == 200
            assert answer.mimetype == "text/css"
            assert b"@media" in answer.data or "print" in href


# --- products at the edges, and markup in names ------------------------------------------------


def _dozens() -> list[tuple[str, str, None]]:
    return [(f"{n}.0.0", f"{2000 + n // 4}-{(n % 4) * 3 + 1:02d}-01", None) for n in range(1, 41)]


@pytest.mark.parametrize(
    ("releases", "rows", "first_status", "lanes"),
    [
        pytest.param([("1.0.0", "2025-01-10", None)], 1, CURRENT, 1, id="one-release"),
        pytest.param(_dozens(), 40, CURRENT, 40, id="forty-cycles"),
        pytest.param(
            [("1.0.0", "2030-01-01", None), ("2.0.0", "2031-01-01", None)],
            2,
            PLANNED,
            2,
            id="only-planned",
        ),
        pytest.param([("1.0.0rc1", "2026-01-01", None)], 1, "pre-release", None, id="pre-only"),
        pytest.param([], 0, None, None, id="no-releases"),
    ],
)
def test_pages_for_products_at_the_edges(
    client: FlaskClient,
    admin: dict[str, str],
    releases: list[tuple[str, str, None]],
    rows: int,
    first_status: str | None,
    lanes: int | None,
) -> None:
    add_product(client, admin, {"slug": "edge", "name": "Edge", "releases": releases})
    answer = client.get(f"/products/edge?as_of={AS_OF}&version=1.0.0")
    assert answer.status_code == 200
    doc = page(answer)
    found = statuses(doc)
    assert len(found) == rows
    if first_status is not None:
        assert next(iter(found.values())) == first_status
    else:
        assert "No releases of Edge are recorded yet." in words(doc.xpath("//main")[0])
    svg = doc.xpath("//svg")
    if lanes is None:
        assert svg == []
    else:
        assert len(svg[0].xpath('.//text[@class="lane-label"]')) == lanes
    assert doc.xpath('//div[@id="verdict"]')
    assert client.get(f"/?as_of={AS_OF}").status_code == 200


def test_markup_in_names_and_notes_is_escaped(client: FlaskClient, admin: dict[str, str]) -> None:
    evil = "<script>alert(1)</script>"
    answer = client.post(
        "/api/v1/platforms",
        json={"slug": "evilos", "name": f"Evil{evil}OS", "versions": [{"version": "1"}]},
        headers=admin,
    )
    assert answer.status_code == 201
    add_product(
        client,
        admin,
        {
            "slug": "evil",
            "name": f"Evil {evil}",
            "description": f"Described {evil} & <b>bold</b>",
            "releases": [("1.0.0", "2025-01-01", f"Notes {evil} <img src=x onerror=alert(1)>")],
            "matrix": {"1": [("evilos", "1")]},
        },
    )
    for path in [
        f"/?as_of={AS_OF}",
        f"/products/evil?as_of={AS_OF}&version=1.0.0&platform=evilos:1",
        f"/products/evil?version={evil}",
        "/products/%3Cscript%3E",
    ]:
        body = client.get(path).get_data(as_text=True)
        assert evil not in body, path
        assert "<img" not in body, path
        assert "<b>" not in body, path
        assert "&lt;script&gt;" in body, path
        assert not page(client.get(path)).xpath("//script | //img"), path


# --- the timeline's geometry -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "marked"),
    [
        pytest.param(date(2026, 11, 23), True, id="inside"),
        pytest.param(date(2022, 1, 1), True, id="two-years-before"),
        pytest.param(date(1900, 1, 1), False, id="far-before"),
        pytest.param(date(2999, 12, 31), False, id="far-after"),
    ],
)
def test_timeline_keeps_its_scale_when_as_of_is_far_away(as_of: date, marked: bool) -> None:
    from app.web.timeline import build_timeline
    from lifecycle.cycles import Release, derive
    from lifecycle.policy import Policy

    cycles = derive(
        [
            Release.of(v, date.fromisoformat(d))
            for v, d in [("1.0", "2024-01-10"), ("2.0", "2025-03-01")]
        ],
        Policy(),
    )
    timeline = build_timeline(cycles, as_of, f"as of {as_of}")
    assert timeline is not None
    assert (timeline.marker is not None) is marked
    years = [t.year for t in timeline.ticks]
    # The chart spans the cycles' dates (and a near as-of date), not a millennium.
    assert len(years) < 12
    bars = [s for lane in timeline.lanes for s in lane.segments]
    assert all(
        timeline.chart_x <= s.x and s.x + s.width <= timeline.chart_right + 0.01 for s in bars
    )
    if not marked:
        assert "outside the chart" in timeline.description
