"""The eligibility service (SPEC 5): finds the product, judges, and keeps the encoded
verdict on the product's snapshot (so it expires with it)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from app.catalogue import store
from app.catalogue.store import ProductSnapshot
from app.eligibility.query import parse_query, parse_with_ticket, shown
from app.errors import ApiError, NotFound, core_error_problem, problem_body
from app.inputs import is_slug
from lifecycle.errors import LifecycleError
from lifecycle.spelling import did_you_mean, suggestion
from lifecycle.verdict import Query, Verdict, judge

# ensure_ascii: a JSON body may carry a lone surrogate ("\ud800"), which is echoed in a
# verdict or an error and could not be encoded as UTF-8 (a 500) if written raw.
encode: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=True, check_circular=False, separators=(", ", ": ")
).encode


def decide(values: Mapping[str, Any], default_as_of: date) -> Verdict:
    """The verdict for one query: 422 for bad fields, 404 for an unknown product,
    422 ``invalid_version`` for a version that does not parse."""
    query = parse_query(values, default_as_of)
    return judge_with(query, find_product(query.product))


def decide_json(values: Mapping[str, Any], default_as_of: date) -> str:
    """:func:`decide`, as the JSON text of the verdict (SPEC 6), with the query's
    ``ticket`` echoed last when it has one (SPEC 17)."""
    query, ticket = parse_with_ticket(values, default_as_of)
    text = verdict_json(query, find_product(query.product))
    return text if ticket is None else with_ticket(text, ticket)


def with_ticket(text: str, ticket: str) -> str:
    """The JSON text of an object with ``"ticket": ticket`` added as its last member."""
    return f"{text[:-1]}, {_TICKET}{encode(ticket)}}}"


_TICKET = '"ticket": '


def judge_with(query: Query, snapshot: ProductSnapshot) -> Verdict:
    return judge(query, snapshot.cycles, snapshot.registry, snapshot.matrix, snapshot.name)


def find_product(slug: str) -> ProductSnapshot:
    """The product's snapshot; 404 (with the slug cut short, and the known slugs close to
    it) for an unknown one."""
    try:
        if not is_slug(slug):
            raise NotFound(slug)
        return store.product(slug)
    except NotFound:
        raise unknown_product(slug, _known_slugs()) from None


def _known_slugs() -> list[str]:
    """The slugs to suggest from; none when the database cannot say (the 404 stands)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return store.current().slugs()
    except (SQLAlchemyError, ApiError):
        return []


def unknown_product(slug: str, known: Iterable[str]) -> NotFound:
    """SPEC 17: the 404 of an unknown product names up to three close slugs."""
    close = did_you_mean(slug[:200], known)
    return NotFound(
        f"No product is named {shown(slug)}{suggestion(close) if close else '.'}",
        extra={"did_you_mean": list(close)},
    )


def verdict_json(query: Query, snapshot: ProductSnapshot) -> str:
    """The JSON text of the verdict for ``query`` on ``snapshot``, from its cache when it can.

    Support tools ask the same few queries over and over; this skips judge, to_dict and
    encoding for them.
    """
    text = snapshot.answers.get(query)
    if text is None:
        text = encode(judge_with(query, snapshot).to_dict())
        snapshot.answers.put(query, text)
    return text


def problem_for(error: Exception) -> dict[str, Any]:
    """The problem body the API answers for ``error`` (a service or a core error)."""
    if isinstance(error, ApiError):
        return problem_body(
            error.status,
            error.title,
            error.detail,
            code=error.code,
            errors=error.errors,
            extra=error.extra,
        )
    if isinstance(error, LifecycleError):
        return core_error_problem(error)[1]
    raise error
