"""The triage history (SPEC 17): every triage answer given with a ticket, kept as it was
given, so that a disputed priority can be looked up months later.

Recording is one insert, in its own unit of work; reading it needs a support token
(the routes see to that), since a ticket's text and sender are the customer's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import insert, select

from app import clock, db
from app.eligibility.query import shown
from app.errors import Unprocessable
from app.inputs import in_range, parse_day, ticket_problem
from app.triage.models import TriageRecord
from lifecycle.spelling import did_you_mean, suggestion

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
QUERY_FIELDS = ("ticket", "since", "limit")


def record(ticket: str, actor: str, request: Mapping[str, Any], answer: Mapping[str, Any]) -> None:
    """Keep one triage answer: a single INSERT (no ORM flush of anything else)."""
    with db.unit_of_work() as session:
        session.execute(
            insert(TriageRecord).values(
                ticket=ticket,
                at=clock.now(),
                actor=actor,
                request=dict(request),
                answer=dict(answer),
            )
        )


def list_history(args: Mapping[str, list[str]]) -> dict[str, Any]:
    """``{"items": [...]}``, newest first: each record's ticket, when, who asked, the input
    and the answer. ``args`` are the query string's (each name with its values): ``ticket``
    (exact), ``since`` (a date, from its start in UTC, or a timestamp with an offset) and
    ``limit`` (1 to 1,000, default 100); any other parameter is refused."""
    ticket, since, limit = _parse(args)
    statement = select(TriageRecord).order_by(TriageRecord.at.desc(), TriageRecord.id.desc())
    if ticket is not None:
        statement = statement.where(TriageRecord.ticket == ticket)
    if since is not None:
        statement = statement.where(TriageRecord.at >= since)
    with db.reading() as session:
        rows = session.scalars(statement.limit(limit)).all()
        return {"items": [_item(row) for row in rows]}


def _item(row: TriageRecord) -> dict[str, Any]:
    return {
        "id": row.id,
        "ticket": row.ticket,
        "at": row.at.isoformat(),
        "token_name": row.actor,
        "input": row.request,
        "answer": row.answer,
    }


def _parse(args: Mapping[str, list[str]]) -> tuple[str | None, datetime | None, int]:
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name, found in args.items():
        if name not in QUERY_FIELDS:
            close = did_you_mean(name, QUERY_FIELDS)
            errors[shown(name)[1:-1]] = ["Unknown field" + (suggestion(close) or ".")]
        elif len(found) != 1:
            errors[name] = [f"Given {len(found)} times; give it once."]
        else:
            values[name] = found[0]
    ticket = values.get("ticket")
    if ticket is not None:
        problem = ticket_problem(ticket)
        if problem is not None:
            errors["ticket"] = [problem]
        ticket = ticket.strip()
    since = _since(values["since"], errors) if "since" in values else None
    limit = DEFAULT_LIMIT
    if "limit" in values:
        text = values["limit"].strip()
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_LIMIT):
            errors["limit"] = [f"Must be a whole number from 1 to {MAX_LIMIT:,}."]
        else:
            limit = int(text)
    if errors:
        raise Unprocessable(
            "The query has invalid fields: " + ", ".join(sorted(errors)) + ".", errors=errors
        )
    return ticket, since, limit


def _since(text: str, errors: dict[str, list[str]]) -> datetime | None:
    text = text.strip()
    day = parse_day(text)
    if day is not None:
        if not in_range(day):
            errors["since"] = ["Must be between 1900-01-01 and 2999-12-31."]
            return None
        return datetime.combine(day, time(), UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not 1900 <= moment.year <= 2999:
        errors["since"] = [
            "Must be a date (YYYY-MM-DD) or a timestamp with a UTC offset "
            "(2026-11-17T10:30:00-08:00)."
        ]
        return None
    return moment
