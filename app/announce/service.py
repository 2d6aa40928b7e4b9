"""The announcements service (SPEC 10): makes announcements from milestones, once per
(product, cycle, milestone, date, lead), and keeps the subscribers and the record.

The rules (which milestones, which lead is due) are ``lifecycle.milestones``;
this module records what they decide and queues one delivery per matching
subscriber in the same transaction, so an announcement never exists without
its outbox rows. Sending is ``app.announce.delivery``'s.
"""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import db
from app.announce.delivery import RefusedAddress, check_webhook_url, fail_pending, product_url
from app.announce.models import PENDING, Announcement, Delivery, Subscription
from app.catalogue.models import Product as ProductRow
from app.catalogue.service import ProductView, all_product_views, product_view
from app.config import DEFAULT_LEAD_DAYS
from app.errors import NotFound, Unprocessable
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
    views: Iterable[ProductView], as_of: date, leads: Sequence[int]
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
    session = db.session()
    due = due_announcements(all_product_views(), as_of, lead_days())
    known = _announced_keys(session, as_of)
    todo = [d for d in due if d.key not in known]
    if dry_run or not todo:
        session.rollback()
        return [Announced(d, None, 0) for d in todo]
    now = now or datetime.now(UTC)
    # Read before the first write: on SQLite a read inside a write transaction
    # would pin a snapshot that a concurrent writer can invalidate.
    subscribers = session.execute(
        select(Subscription.id, Subscription.products)
        .where(Subscription.active.is_(True))
        .order_by(Subscription.id)
    ).all()
    session.rollback()
    made: list[Announced] = []
    try:
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
        session.commit()
    except BaseException:
        session.rollback()
        raise
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
    views = [product_view(product)] if product else all_product_views()
    names = {v.slug: v.name for v in views}
    found = between(
        (m for v in views for m in milestones(v.slug, v.cycles)),
        as_of,
        as_of + timedelta(days=within_days),
    )
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


# --- subscribers (GET/POST /api/v1/subscriptions) ------------------------------------------


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def subscription_dict(row: Subscription) -> dict[str, Any]:
    body: dict[str, Any] = {"id": row.id, "kind": row.kind}
    if row.kind == "webhook":
        body["url"] = row.url
    else:
        body["address"] = row.address
    body.update(
        products=row.products,
        active=row.active,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
    )
    return body


def create_subscription(data: Mapping[str, Any]) -> dict[str, Any]:
    """Record a subscriber; for a webhook the answer carries its secret, this once only."""
    session = db.session()
    products = data.get("products")
    if products is not None:
        products = sorted(set(products))
        known = set(session.scalars(select(ProductRow.slug).where(ProductRow.slug.in_(products))))
        unknown = [slug for slug in products if slug not in known]
        if unknown:
            raise Unprocessable(
                "Unknown products: " + ", ".join(unknown) + ".",
                errors={"products": [f"No product is named {slug!r}." for slug in unknown]},
            )
    secret = None
    if data["kind"] == "webhook":
        url = data["url"]
        try:
            check_webhook_url(
                url, allow_private=bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))
            )
        except RefusedAddress as exc:
            raise Unprocessable(str(exc), errors={"url": [str(exc)]}) from None
        secret = new_secret()
        row = Subscription(kind="webhook", url=url, secret=secret, products=products, active=True)
    else:
        row = Subscription(kind="email", address=data["address"], products=products, active=True)
    session.add(row)
    session.commit()
    session.refresh(row)
    body = subscription_dict(row)
    if secret is not None:
        body["secret"] = secret
    return body


def _subscription_row(subscription_id: int) -> Subscription:
    row = db.session().get(Subscription, subscription_id)
    if row is None:
        raise NotFound(f"No subscription has id {subscription_id}.")
    return row


def list_subscriptions() -> list[dict[str, Any]]:
    rows = db.session().scalars(select(Subscription).order_by(Subscription.id))
    return [subscription_dict(r) for r in rows]


def get_subscription(subscription_id: int) -> dict[str, Any]:
    return subscription_dict(_subscription_row(subscription_id))


def delete_subscription(subscription_id: int) -> None:
    """Delete a subscriber; its queued deliveries end failed, sent ones stay on record."""
    session = db.session()
    # Write first (SQLite), then look: the row count says whether it existed.
    failed = fail_pending(session, subscription_id, "The subscription was deleted.")
    result = session.execute(delete(Subscription).where(Subscription.id == subscription_id))
    if getattr(result, "rowcount", 0) != 1:
        session.rollback()
        raise NotFound(f"No subscription has id {subscription_id}.")
    session.commit()
    log.info("deleted subscription %s; %d queued deliveries ended", subscription_id, failed)


# --- what was announced (GET /api/v1/announcements) ----------------------------------------


def list_announcements(limit: int, product: str | None = None) -> list[dict[str, Any]]:
    """Announcements, newest first, each with the state of its deliveries."""
    session = db.session()
    query = select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
    if product:
        query = query.where(Announcement.product == product)
    announcements = session.scalars(query.limit(limit)).all()
    ids = [a.id for a in announcements]
    by_announcement: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for d in session.scalars(
            select(Delivery).where(Delivery.announcement_id.in_(ids)).order_by(Delivery.id)
        ):
            by_announcement[d.announcement_id].append(
                {
                    "subscription_id": d.subscription_id,
                    "state": d.state,
                    "attempts": d.attempts,
                    "next_attempt_at": d.next_attempt_at if d.state == PENDING else None,
                    "last_error": d.last_error,
                    "sent_at": d.sent_at,
                }
            )
    base_url = str(current_app.config.get("PUBLIC_BASE_URL") or "")
    return [
        {
            "id": a.id,
            "product": a.product,
            "product_name": a.product_name,
            "cycle": a.cycle,
            "milestone": a.milestone,
            "date": a.milestone_date,
            "lead_days": a.lead_days,
            "status_after": a.status_after,
            "message": a.message,
            "url": product_url(base_url, a.product),
            "announced_on": a.announced_on,
            "created_at": a.created_at,
            "deliveries": by_announcement[a.id],
        }
        for a in announcements
    ]
