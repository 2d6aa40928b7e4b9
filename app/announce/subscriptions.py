"""Announcement subscribers (``/api/v1/subscriptions``) and the record of what was
announced (``/api/v1/announcements``), each call one unit of work."""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import db
from app.announce.delivery import fail_pending
from app.announce.models import PENDING, Announcement, Delivery, Subscription
from app.announce.senders import RefusedAddress, check_webhook_url, product_url
from app.catalogue.models import Product as ProductRow
from app.errors import NotFound, Unprocessable

log = logging.getLogger(__name__)


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
    products = data.get("products")
    if products is not None:
        products = sorted(set(products))
        with db.reading() as session:
            known = set(
                session.scalars(select(ProductRow.slug).where(ProductRow.slug.in_(products)))
            )
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
    with db.unit_of_work() as session:
        session.add(row)
        session.flush()
        body = subscription_dict(row)
    if secret is not None:
        body["secret"] = secret
    return body


def list_subscriptions() -> list[dict[str, Any]]:
    with db.reading() as session:
        rows = session.scalars(select(Subscription).order_by(Subscription.id))
        return [subscription_dict(r) for r in rows]


def get_subscription(subscription_id: int) -> dict[str, Any]:
    with db.reading() as session:
        row = session.get(Subscription, subscription_id)
        if row is None:
            raise NotFound(f"No subscription has id {subscription_id}.")
        return subscription_dict(row)


def delete_subscription(subscription_id: int) -> None:
    """Delete a subscriber; its queued deliveries end failed, sent ones stay on record."""
    with db.unit_of_work() as session:
        # Write first (SQLite), then look: the row count says whether it existed.
        failed = fail_pending(session, subscription_id, "The subscription was deleted.")
        result = session.execute(delete(Subscription).where(Subscription.id == subscription_id))
        if getattr(result, "rowcount", 0) != 1:
            raise NotFound(f"No subscription has id {subscription_id}.")
    log.info("deleted subscription %s; %d queued deliveries ended", subscription_id, failed)


# --- what was announced (GET /api/v1/announcements) ----------------------------------------


def list_announcements(limit: int, product: str | None = None) -> list[dict[str, Any]]:
    """Announcements, newest first, each with the state of its deliveries."""
    query = select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
    if product:
        query = query.where(Announcement.product == product)
    with db.reading() as session:
        announcements = session.scalars(query.limit(limit)).all()
        by_announcement = _deliveries(session, [a.id for a in announcements])
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


def _deliveries(session: Session, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The state of each announcement's deliveries, in one query."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for d in session.scalars(
            select(Delivery).where(Delivery.announcement_id.in_(ids)).order_by(Delivery.id)
        ):
            found[d.announcement_id].append(
                {
                    "subscription_id": d.subscription_id,
                    "state": d.state,
                    "attempts": d.attempts,
                    "next_attempt_at": d.next_attempt_at if d.state == PENDING else None,
                    "last_error": d.last_error,
                    "sent_at": d.sent_at,
                }
            )
    return found
