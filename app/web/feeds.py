"""The calendar (iCalendar) and announcement (Atom) feeds of SPEC 11.

Calendars list every milestone, past and future, as an all-day event with
alarms ahead of it; the Atom feeds carry the announcements made (SPEC 10).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, url_for
from sqlalchemy import select

from app import clock, db
from app.announce.models import Announcement
from app.catalogue import store
from app.catalogue.store import ProductSnapshot
from app.errors import NotFound
from app.web.pages import error_page
from lifecycle.milestones import Milestone, MilestoneKind, milestones

if TYPE_CHECKING:
    from icalendar import Event

bp = Blueprint("feeds", __name__)

SLUG = "<string(maxlength=64):slug>"
ALARM_DAYS = (90, 30, 7)
FEED_LIMIT = 200
ATOM_MIMETYPE = "application/atom+xml"
CALENDAR_MIMETYPE = "text/calendar"

_HEADLINE = {
    MilestoneKind.SECURITY_ONLY_FROM: "moves to security fixes only",
    MilestoneKind.EOL_ON: "reaches end of life",
    MilestoneKind.EOSL_ON: "reaches end of service life",
}
_WHAT = {
    MilestoneKind.SECURITY_ONLY_FROM: "receives security fixes only from",
    MilestoneKind.EOL_ON: "reaches end of life on",
    MilestoneKind.EOSL_ON: "reaches end of service life on",
}
_MEANING = {
    MilestoneKind.SECURITY_ONLY_FROM: "Upgrade to the current release for full support.",
    MilestoneKind.EOL_ON: (
        "It is no longer covered; until its end of service life, the vendor will evaluate "
        "fixing a reported defect in a release that has not reached end of life, for a "
        "customer with a current subscription."
    ),
    MilestoneKind.EOSL_ON: "From that day it is not supported in any way.",
}


def public_url(path: str) -> str:
    """An absolute link for feeds, which are read away from this site."""
    return str(current_app.config.get("PUBLIC_BASE_URL", "")).rstrip("/") + path


def _product_or_404(slug: str) -> ProductSnapshot | Response:
    try:
        return store.product(slug)
    except NotFound:
        body = error_page(404, "Product not found", f"No product is named {slug!r}.")
        return Response(body, status=404, mimetype="text/html")


# --- iCalendar -------------------------------------------------------------------------


@bp.get("/calendar.ics")
def calendar() -> Response:
    snapshots = store.each_product()
    return _calendar_response(snapshots, "Lifecycle milestones", "lifecycle.ics")


@bp.get(f"/products/{SLUG}/calendar.ics")
def product_calendar(slug: str) -> Response:
    snapshot = _product_or_404(slug)
    if isinstance(snapshot, Response):
        return snapshot
    return _calendar_response([snapshot], f"{snapshot.name} lifecycle", f"{snapshot.slug}.ics")


def _calendar_response(snapshots: Iterable[ProductSnapshot], name: str, filename: str) -> Response:
    body = build_calendar(snapshots, name, stamp=datetime.combine(clock.today(), time(), UTC))
    response = Response(body, mimetype=CALENDAR_MIMETYPE)
    response.headers["Content-Type"] = f"{CALENDAR_MIMETYPE}; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def build_calendar(snapshots: Iterable[ProductSnapshot], name: str, stamp: datetime) -> bytes:
    """One all-day event per milestone of every product, alarms 90, 30 and 7 days ahead."""
    # Imported here, like feedgen below: only the feeds need them, not every process.
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Lifecycle//Release lifecycle milestones//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", "Dates on which release cycles change support status.")
    # Clients poll a subscribed calendar; once a day is plenty for dates known months ahead.
    cal.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")
    for snapshot in snapshots:
        url = public_url(url_for("pages.product", slug=snapshot.slug))
        for milestone in milestones(snapshot.slug, snapshot.cycles):
            cal.add_component(_event(snapshot, milestone, url, stamp))
    data: bytes = cal.to_ical()
    return data


def _cycle_words(snapshot: ProductSnapshot, cycle: str) -> str:
    kind = "major" if snapshot.policy.cycle == "major" else "minor"
    return f"{snapshot.name} {kind} release {cycle}"


def _event(snapshot: ProductSnapshot, m: Milestone, url: str, stamp: datetime) -> Event:
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", f"{m.product}-{m.cycle}-{m.kind.value}-{m.date.isoformat()}@lifecycle")
    event.add("dtstamp", stamp)
    event.add("dtstart", m.date)
    event.add("dtend", m.date + timedelta(days=1))
    summary = f"{snapshot.name} {m.cycle} {_HEADLINE[m.kind]}"
    event.add("summary", summary)
    event.add(
        "description",
        f"{_cycle_words(snapshot, m.cycle)} {_WHAT[m.kind]} {m.date.isoformat()}. "
        f"{_MEANING[m.kind]}\n\nLifecycle page: {url}",
    )
    event.add("url", url)
    event.add("categories", ["Lifecycle", m.kind.status_after.words])
    # Free time: a milestone is a date to know, not a meeting.
    event.add("transp", "TRANSPARENT")
    for days in ALARM_DAYS:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"In {days} days: {summary}")
        alarm.add("trigger", timedelta(days=-days))
        event.add_component(alarm)
    return event


# --- Atom -------------------------------------------------------------------------------


@bp.get("/feed.atom")
def feed() -> Response:
    return _feed_response(None, "Lifecycle announcements", url_for("pages.index"))


@bp.get(f"/products/{SLUG}/feed.atom")
def product_feed(slug: str) -> Response:
    snapshot = _product_or_404(slug)
    if isinstance(snapshot, Response):
        return snapshot
    page = url_for("pages.product", slug=snapshot.slug)
    return _feed_response(snapshot.slug, f"{snapshot.name} lifecycle announcements", page)


def _feed_response(slug: str | None, title: str, page: str) -> Response:
    self_path = url_for("feeds.product_feed", slug=slug) if slug else url_for("feeds.feed")
    body = build_feed(
        announcements(slug),
        title=title,
        feed_url=public_url(self_path),
        page_url=public_url(page),
        empty_updated=datetime.combine(clock.today(), time(), UTC),
    )
    response = Response(body, mimetype=ATOM_MIMETYPE)
    response.headers["Content-Type"] = f"{ATOM_MIMETYPE}; charset=utf-8"
    return response


def announcements(slug: str | None, limit: int = FEED_LIMIT) -> list[Announcement]:
    """The newest announcements (of one product), newest first."""
    query = select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
    if slug is not None:
        query = query.where(Announcement.product == slug)
    with db.reading() as session:
        return list(session.scalars(query.limit(limit)))


def build_feed(
    items: Sequence[Any],
    *,
    title: str,
    feed_url: str,
    page_url: str,
    empty_updated: datetime,
) -> bytes:
    """An Atom 1.0 document, entries in the order given (newest first)."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(title)
    fg.author({"name": "Lifecycle"})
    fg.link(href=feed_url, rel="self", type=ATOM_MIMETYPE)
    fg.link(href=page_url, rel="alternate", type="text/html")
    fg.subtitle("Announcements of release cycles' support milestones, ahead of time.")
    fg.language("en")
    fg.generator("Lifecycle")
    newest = max((_utc(a.created_at) for a in items), default=empty_updated)
    fg.updated(newest)
    for a in items:
        entry = fg.add_entry(order="append")
        link = public_url(url_for("pages.product", slug=a.product))
        # The announcement's unique key makes its id: stable, whichever feed carries it.
        key = f"{a.cycle}-{a.milestone}-{_day(a.milestone_date)}-lead-{a.lead_days}"
        entry.id(f"{link}#announcement-{key}")
        product_name = getattr(a, "product_name", None) or a.product
        subject = getattr(a, "subject", None) or f"{product_name} {a.cycle}: {a.milestone}"
        entry.title(subject)
        entry.content(a.message, type="text")
        created = _utc(a.created_at)
        entry.updated(created)
        entry.published(created)
        entry.link(href=link, rel="alternate", type="text/html")
        entry.category(term=a.milestone, label=a.milestone.replace("_", " "))
    data: bytes = fg.atom_str(pretty=True)
    return data


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _day(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
