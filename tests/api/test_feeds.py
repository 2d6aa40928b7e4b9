"""The iCalendar and Atom feeds (SPEC 11): every milestone as an all-day event with
alarms, and the announcements as Atom entries, on both databases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from tests.factories import WEB, add_product, seeded_app

PRODUCTS = WEB.products

ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = "<script>alert(1)</script>"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def feeds_app(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    with seeded_app(request.param, sqlite_template, tmp_path_factory.mktemp("feeds"), WEB) as app:
        yield app


@pytest.fixture
def web(feeds_app: Flask) -> FlaskClient:
    return feeds_app.test_client()


def expected_milestones(app: Flask, slug: str) -> list[Any]:
    from app.catalogue import store
    from lifecycle.milestones import milestones

    with app.app_context():
        return milestones(slug, store.product(slug).cycles)


def parse_calendar(data: bytes) -> Any:
    return Calendar.from_ical(data)


# --- iCalendar -------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [p["slug"] for p in PRODUCTS])
def test_product_calendar_has_one_all_day_event_per_milestone(
    feeds_app: Flask, web: FlaskClient, slug: str
) -> None:
    answer = web.get(f"/products/{slug}/calendar.ics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = parse_calendar(answer.data).walk("VEVENT")
    wanted = expected_milestones(feeds_app, slug)
    assert len(events) == len(wanted)
    got = sorted((str(e["UID"]), e.decoded("DTSTART")) for e in events)
    assert got == sorted(
        (f"{m.product}-{m.cycle}-{m.kind.value}-{m.date.isoformat()}@lifecycle", m.date)
        for m in wanted
    )
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        # All-day: dates, not datetimes, one day long.
        assert type(start) is date and type(end) is date
        assert end - start == timedelta(days=1)


def test_events_are_described_in_words_with_alarms(web: FlaskClient) -> None:
    cal = parse_calendar(web.get("/products/aperturedb/calendar.ics").data)
    assert str(cal["X-WR-CALNAME"]) == "ApertureDB lifecycle"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    # Every milestone, past and future: ApertureDB 1's are long past, 4's in 2027.
    assert set(events) >= {
        "aperturedb-1-security_only_from-2024-04-15@lifecycle",
        "aperturedb-1-eosl_on-2025-12-02@lifecycle",
        "aperturedb-4-security_only_from-2027-06-01@lifecycle",
    }
    event = events["aperturedb-3-eol_on-2027-06-01@lifecycle"]
    assert str(event["SUMMARY"]) == "ApertureDB 3 reaches end of life"
    description = str(event["DESCRIPTION"])
    assert description.startswith("ApertureDB major release 3 reaches end of life on 2027-06-01.")
    assert "http://127.0.0.1:8000/products/aperturedb" in description
    assert str(event["URL"]) == "http://127.0.0.1:8000/products/aperturedb"
    alarms = event.walk("VALARM")
    assert sorted(a.decoded("TRIGGER") for a in alarms) == [
        timedelta(days=-90),
        timedelta(days=-30),
        timedelta(days=-7),
    ]
    assert {str(a["ACTION"]) for a in alarms} == {"DISPLAY"}
    assert all(str(a["DESCRIPTION"]).endswith("ApertureDB 3 reaches end of life") for a in alarms)


def test_calendar_uids_are_stable(web: FlaskClient) -> None:
    first = [str(e["UID"]) for e in parse_calendar(web.get("/calendar.ics").data).walk("VEVENT")]
    again = [str(e["UID"]) for e in parse_calendar(web.get("/calendar.ics").data).walk("VEVENT")]
    assert first == again
    assert len(set(first)) == len(first)


def test_site_calendar_holds_every_products_milestones(feeds_app: Flask, web: FlaskClient) -> None:
    answer = web.get("/calendar.ics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = parse_calendar(answer.data).walk("VEVENT")
    total = sum(len(expected_milestones(feeds_app, p["slug"])) for p in PRODUCTS)
    assert total > 0
    assert len(events) == total


def test_unknown_product_feeds_are_404(web: FlaskClient) -> None:
    for path in ("/products/nope/calendar.ics", "/products/nope/feed.atom"):
        answer = web.get(path)
        assert answer.status_code == 404
        assert answer.mimetype == "text/html"


# --- Atom ------------------------------------------------------------------------------------


def parse_feed(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == f"{ATOM}feed"
    for field in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{field}") or "").strip(), field
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Lifecycle"
    return root


@pytest.mark.parametrize(
    ("path", "title"),
    [
        pytest.param("/feed.atom", "Lifecycle announcements", id="site"),
        pytest.param(
            "/products/keystone/feed.atom", "Keystone Gateway lifecycle announcements", id="product"
        ),
    ],
)
def test_feed_without_announcements_is_valid_and_empty(
    web: FlaskClient, path: str, title: str
) -> None:
    answer = web.get(path)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = parse_feed(answer.data)
    assert root.findtext(f"{ATOM}title") == title
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == f"http://127.0.0.1:8000{path}"
    assert root.findall(f"{ATOM}entry") == []


def _announce(app: Flask, rows: list[dict[str, Any]]) -> None:
    models = pytest.importorskip("app.announce.models")
    from app import db

    with app.app_context(), db.unit_of_work() as session:
        for row in rows:
            session.add(models.Announcement(**row))


def _row(product: str, name: str, cycle: str, lead: int, created: datetime) -> dict[str, Any]:
    return {
        "product": product,
        "product_name": name,
        "cycle": cycle,
        "milestone": "eol_on",
        "milestone_date": date(2027, 6, 1),
        "lead_days": lead,
        "status_after": "eol",
        "message": f"{name} {cycle} reaches end of life on 2027-06-01, in {lead} days.",
        "subject": f"{name} {cycle} reaches end of life on 2027-06-01",
        "announced_on": date(2027, 6, 1) - timedelta(days=lead),
        "created_at": created,
    }


def test_feeds_carry_announcements_newest_first(client: FlaskClient, admin: dict[str, str]) -> None:
    app: Flask = client.application
    add_product(client, admin, {"slug": "evil", "name": f"Evil {EVIL}", "releases": []})
    add_product(client, admin, {"slug": "calm", "name": "Calm", "releases": []})
    base = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
    _announce(
        app,
        [
            _row("evil", f"Evil {EVIL}", "3", 90, base),
            _row("calm", "Calm", "1", 90, base + timedelta(hours=1)),
            _row("evil", f"Evil {EVIL}", "3", 30, base + timedelta(days=60)),
        ],
    )
    site = client.get("/feed.atom")
    assert EVIL.encode() not in site.data
    assert b"&lt;script&gt;" in site.data
    root = parse_feed(site.data)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        f"Evil {EVIL} 3 reaches end of life on 2027-06-01",
        "Calm 1 reaches end of life on 2027-06-01",
        f"Evil {EVIL} 3 reaches end of life on 2027-06-01",
    ]
    assert root.findtext(f"{ATOM}updated", "").startswith("2027-04-30T06:00:00")
    first = entries[0]
    assert first.findtext(f"{ATOM}content") == (
        f"Evil {EVIL} 3 reaches end of life on 2027-06-01, in 30 days."
    )
    assert first.findtext(f"{ATOM}id") == (
        "http://127.0.0.1:8000/products/evil#announcement-3-eol_on-2027-06-01-lead-30"
    )
    assert first.find(f"{ATOM}link").get("href") == "http://127.0.0.1:8000/products/evil"
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)

    product = parse_feed(client.get("/products/evil/feed.atom").data)
    assert [e.findtext(f"{ATOM}id") for e in product.findall(f"{ATOM}entry")] == [
        ids[0],
        ids[2],
    ]


def test_calendar_escapes_names_as_text(client: FlaskClient, admin: dict[str, str]) -> None:
    name = f"Evil; {EVIL}, Inc."
    add_product(
        client,
        admin,
        {
            "slug": "evil",
            "name": name,
            "policy": {"security_cycles": 0},
            "releases": [("1.0", "2025-01-01", EVIL), ("2.0", "2026-01-01", None)],
        },
    )
    answer = client.get("/products/evil/calendar.ics")
    # Commas and semicolons are escaped by the iCalendar text rules, and read back intact.
    assert b"Evil\\; <script>alert(1)</script>\\, Inc." in answer.data
    events = parse_calendar(answer.data).walk("VEVENT")
    # security_cycles 0: security-only and EOL fall together, one milestone (SPEC 10).
    assert sorted(str(e["UID"]) for e in events) == [
        "evil-1-eol_on-2026-01-01@lifecycle",
        "evil-1-eosl_on-2026-07-01@lifecycle",
    ]
    assert {str(e["SUMMARY"]) for e in events} == {
        f"{name} 1 reaches end of life",
        f"{name} 1 reaches end of service life",
    }
