"""The announcements service (SPEC 10): makes announcements from milestones, once per
(product, cycle, milestone, date, lead), and keeps the subscribers and the record.

The rules (which milestones, which lead is due) are ``lifecycle.milestones``;
this module records what they decide and queues one delivery per matching
subscriber in the same transaction, so an announcement never exists without
its outbox rows. Sending is ``app.announce.delivery``'s.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock, db
from app.announce.models import PENDING, Announcement, Delivery, Subscription
from app.catalogue import store
from app.catalogue.store import ProductSnapshot
from app.config import DEFAULT_LEAD_DAYS
from lifecycle.milestones import (
    Milestone,
    between,
    due_lead,
    milestone_message,
    milestone_subject,
    milestones,
    parse_leads,
)

log = logging.getLogger(__name__)

_KEY_COLUMNS = ("product", "cycle", "milestone", "milestone_date", "lead_days")
AnnouncementKey = tuple[str, str, str, date, int]


@dataclass(frozen=True, slots=True)
class DueAnnouncement:
    """A milestone whose smallest due lead is to be announced on ``as_of``."""

    milestone: Milestone
    product_name: str
    lead_days: int
    as_of: date

    @property
    def key(self) -> AnnouncementKey:
        m = self.milestone
        return (m.product, m.cycle, m.kind.value, m.date, self.lead_days)

    @property
    def subject(self) -> str:
        return milestone_subject(self.milestone, self.product_name)

    @property
    def message(self) -> str:
        # Days left as of the run, which is the lead itself unless the job caught up late.
        return milestone_message(self.milestone, self.product_name, self.as_of)

    def describe(self) -> str:
        m = self.milestone
        return (
            f"{m.product} {m.cycle} {m.kind.value} {m.date} (lead {self.lead_days}): {self.message}"
        )


@dataclass(frozen=True, slots=True)
class Announced:
    """An announcement this run recorded (``id`` is None on a dry run)."""

    due: DueAnnouncement
    id: int | None
    deliveries: int


def lead_days() -> tuple[int, ...]:
    """The configured lead days, largest first (``ANNOUNCE_LEAD_DAYS``)."""
    return parse_leads(str(current_app.config.get("ANNOUNCE_LEAD_DAYS") or DEFAULT_LEAD_DAYS))


def due_announcements(
    views: Iterable[ProductSnapshot], as_of: date, leads: Sequence[int]
) -> list[DueAnnouncement]:
    """For every milestone dated ``as_of`` or later, its smallest due lead, soonest first."""
    found: list[DueAnnouncement] = []
    for view in views:
        for m in milestones(view.slug, view.cycles):
            lead = due_lead(m.date, as_of, leads)
            if lead is not None:
                found.append(DueAnnouncement(m, view.name, lead, as_of))
    found.sort(key=lambda d: (d.milestone.date, d.key))
    return found


def _announced_keys(session: Session, as_of: date) -> set[AnnouncementKey]:
    rows = session.execute(
        select(*(getattr(Announcement, c) for c in _KEY_COLUMNS)).where(
            Announcement.milestone_date >= as_of
        )
    ).all()
    return {(p, c, k, d, lead) for p, c, k, d, lead in rows}


def announce(as_of: date, *, dry_run: bool = False, now: datetime | None = None) -> list[Announced]:
    """Announce what is due on ``as_of`` and not announced yet; queue its deliveries.

    Safe to run in several processes at once: the database's unique key decides
    which one records an announcement, and only that one queues its deliveries.
    A dry run reads only.
    """
    due = due_announcements(store.each_product(), as_of, lead_days())
    # Read before the first write: on SQLite a read inside a write transaction
    # would pin a snapshot that a concurrent writer can invalidate.
    with db.reading() as session:
        known = _announced_keys(session, as_of)
        subscribers = session.execute(
            select(Subscription.id, Subscription.products)
            .where(Subscription.active.is_(True))
            .order_by(Subscription.id)
        ).all()
    todo = [d for d in due if d.key not in known]
    if dry_run or not todo:
        return [Announced(d, None, 0) for d in todo]
    now = now or clock.now()
    made: list[Announced] = []
    with db.unit_of_work() as session:
        # One order for every process, so concurrent inserts on PostgreSQL cannot deadlock.
        for item in sorted(todo, key=lambda d: d.key):
            announcement_id = _insert_once(session, _row(item))
            if announcement_id is None:
                continue
            slug = item.milestone.product
            wanted = [sid for sid, products in subscribers if products is None or slug in products]
            session.add_all(
                Delivery(
                    announcement_id=announcement_id,
                    subscription_id=sid,
                    message_id=f"msg_{uuid.uuid4().hex}",
                    state=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                )
                for sid in wanted
            )
            made.append(Announced(item, announcement_id, len(wanted)))
    made.sort(key=lambda a: (a.due.milestone.date, a.due.key))
    for a in made:
        log.info("announced %s to %d subscribers", a.due.describe(), a.deliveries)
    return made


def _row(item: DueAnnouncement) -> dict[str, Any]:
    m = item.milestone
    return {
        "product": m.product,
        "product_name": item.product_name,
        "cycle": m.cycle,
        "milestone": m.kind.value,
        "milestone_date": m.date,
        "lead_days": item.lead_days,
        "status_after": m.status_after.value,
        "message": item.message,
        "subject": item.subject,
        "announced_on": item.as_of,
    }


def _insert_once(session: Session, values: dict[str, Any]) -> int | None:
    """Insert the announcement; None when its key exists already (another run made it)."""
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = (
            pg_insert(Announcement)
            .values(values)
            .on_conflict_do_nothing(constraint="uq_announcements_key")
        )
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = (
            sqlite_insert(Announcement)
            .values(values)
            .on_conflict_do_nothing(index_elements=list(_KEY_COLUMNS))
        )
    else:  # pragma: no cover - SPEC 8 names only SQLite and PostgreSQL
        try:
            with session.begin_nested():
                made = session.scalar(
                    insert(Announcement).values(values).returning(Announcement.id)
                )
        except IntegrityError:
            return None
        return None if made is None else int(made)
    inserted = session.scalar(stmt.returning(Announcement.id))
    return None if inserted is None else int(inserted)


# --- upcoming milestones (GET /api/v1/upcoming) --------------------------------------------


def upcoming(as_of: date, within_days: int, product: str | None = None) -> list[dict[str, Any]]:
    """Milestones from ``as_of`` to ``as_of + within_days``, soonest first."""
    views = [store.product(product)] if product else store.each_product()
    names: dict[str, str] = {}
    every: list[Milestone] = []
    for view in views:  # one pass: a large catalogue is read a batch at a time
        names[view.slug] = view.name
        every.extend(milestones(view.slug, view.cycles))
    found = between(every, as_of, as_of + timedelta(days=within_days))
    return [
        {
            "product": m.product,
            "cycle": m.cycle,
            "milestone": m.kind.value,
            "date": m.date,
            "status_after": m.status_after.value,
            "message": milestone_message(m, names[m.product], as_of),
        }
        for m in found
    ]
