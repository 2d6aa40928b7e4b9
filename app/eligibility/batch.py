"""Batch eligibility (SPEC 6): up to 10,000 queries in one request, answered in order.

Queries that differ only in their version share their other fields' validation, their
product's :class:`~lifecycle.verdict.Judge` and, for recorded releases, the encoded rest
of the verdict (:mod:`app.eligibility.splice`). All of it lives for one call, so none
of it can go stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.catalogue import store
from app.catalogue.store import ProductSnapshot
from app.eligibility.query import (
    MAX_TEXT,
    TICKET,
    fields_key,
    invalid_fields,
    parse_query,
    split_ticket,
)
from app.eligibility.service import encode, problem_for, unknown_product, with_ticket
from app.eligibility.splice import VerdictText
from app.errors import ApiError, NotFound, Unprocessable
from app.inputs import is_slug
from lifecycle.errors import LifecycleError
from lifecycle.spelling import fold_slug
from lifecycle.verdict import Judge

MAX_BATCH = 10_000
_REQUIRED = "This field is required."


class TooManyQueries(ApiError):
    status, code, title = 413, "payload_too_large", "Payload too large"


def answer_batch(body: Any, default_as_of: date) -> str:
    """The JSON text of ``{"results": [...]}`` for a batch body, in the order of its queries.

    The envelope must be ``{"queries": [object, ...]}`` (else 422) with at most
    :data:`MAX_BATCH` queries (else 413). An invalid query gets ``{"error": problem}``
    in its place. Products are resolved once for the whole batch; see :class:`_Batch`
    for what else its queries share.
    """
    queries = _envelope(body)
    # Stripped and folded, as parse_query does, so that " ApertureDB" finds it as in a GET.
    slugs = {fold_slug(p.strip()) for q in queries if isinstance(p := q.get("product"), str)}
    views = store.products({slug for slug in slugs if is_slug(slug)})
    answer = _Batch(views, default_as_of).answer
    return '{"results": [' + ", ".join([answer(item) for item in queries]) + "]}"


class _Batch:
    """One batch's answers. A query is validated once; the queries that differ only in
    their version share their other fields' validation, their product's
    :class:`~lifecycle.verdict.Judge` (cycle statuses, upgrade target and platform check
    worked out once per date), and for recorded releases the encoded rest of the verdict.
    All of it lives for one call, so none of it can go stale."""

    __slots__ = ("_slugs", "as_of", "contexts", "done", "judges", "views")

    def __init__(self, views: Mapping[str, ProductSnapshot], default_as_of: date) -> None:
        self.views = views
        self.as_of = default_as_of
        # Equal queries (support tools send the same few many times) are answered once.
        self.done: dict[tuple[Any, ...], str] = {}
        # By the raw fields but the version: the context of valid, known-product queries.
        self.contexts: dict[tuple[Any, ...], VerdictText] = {}
        self.judges: dict[str, Judge] = {}
        self._slugs: list[str] | None = None

    def answer(self, item: Mapping[str, Any]) -> str:
        """The JSON text of one query's result, its ``ticket`` echoed last (SPEC 17).

        The ticket is no part of the verdict: queries that differ only in their tickets
        (each ticket is usually different) still share all the work below.
        """
        if TICKET not in item:
            return self._answer(item)
        fields, ticket, problem = split_ticket(item)
        if problem is not None:
            return self._ticket_problem(fields, problem)
        part = self._answer(fields)
        return part if ticket is None else with_ticket(part, ticket)

    def _ticket_problem(self, fields: Mapping[str, Any], problem: str) -> str:
        """A query whose ticket is bad: its problem names every bad field, the ticket too."""
        errors: dict[str, Any] = {}
        try:
            parse_query(fields, self.as_of)
        except ApiError as error:
            errors.update(error.errors or {})
        errors[TICKET] = [problem]
        return encode({"error": problem_for(Unprocessable(invalid_fields(errors), errors=errors))})

    def _answer(self, item: Mapping[str, Any]) -> str:
        key = fields_key(item)
        if key is None:
            return self._alone(item)
        try:
            part = self.done.get(key)
        except TypeError:  # a list or an object as a value: not hashable, and invalid
            return self._alone(item)
        if part is None:
            version = key[-1]
            # The version's only check (see _validate); what fails it is answered alone.
            if type(version) is str and (version := version.strip()):
                context = self.contexts.get(key[:-1])
                part = self._first(item, key) if context is None else context.answer(version)
            else:
                part = self._alone(item)
            self.done[key] = part
        return part

    def _first(self, item: Mapping[str, Any], key: tuple[Any, ...]) -> str:
        """The first query of its context: the other fields are valid, and the product
        known, for every version or for none; this one finds out, and answers itself."""
        try:
            query = parse_query(item, self.as_of)
        except ApiError as error:
            return encode({"error": problem_for(error)})
        view = self.views.get(query.product)
        if view is None:
            return encode({"error": problem_for(self._unknown(query.product))})
        context = self.contexts[key[:-1]] = VerdictText(query, self._judge(view))
        return context.answer(query.version)

    def _alone(self, item: Mapping[str, Any]) -> str:
        """An item with fields of no query, or an invalid version: validated on its own."""
        try:
            query = parse_query(item, self.as_of)
            view = self.views.get(query.product)
            if view is None:
                raise self._unknown(query.product)
            return encode(self._judge(view)(query).to_dict())
        except (ApiError, LifecycleError) as error:
            return encode({"error": problem_for(error)})

    def _unknown(self, slug: str) -> NotFound:
        """The 404 of an unknown product, the known slugs read once per batch."""
        if self._slugs is None:
            self._slugs = store.current().slugs()
        return unknown_product(slug, self._slugs)

    def _judge(self, view: ProductSnapshot) -> Judge:
        judge = self.judges.get(view.slug)
        if judge is None:
            judge = self.judges[view.slug] = Judge(
                view.cycles, view.registry, view.matrix, view.name
            )
        return judge


def _envelope(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        raise Unprocessable(
            'The body must be a JSON object: {"queries": [...]}.',
            errors={"_body": ['Expected {"queries": [...]}.']},
        )
    errors: dict[str, Any] = {str(k)[:MAX_TEXT]: ["Unknown field."] for k in body if k != "queries"}
    queries = body.get("queries")
    if "queries" not in body:
        errors["queries"] = [_REQUIRED]
    elif not isinstance(queries, list):
        errors["queries"] = ["Must be a list of queries."]
    if errors:
        raise Unprocessable(invalid_fields(errors), errors=errors)
    assert isinstance(queries, list)
    if len(queries) > MAX_BATCH:
        raise TooManyQueries(
            f"A batch holds at most {MAX_BATCH:,} queries; this one has {len(queries):,}. "
            "Split it into several requests."
        )
    not_objects = {
        str(i): ["Must be an object."] for i, q in enumerate(queries) if type(q) is not dict
    }
    if not_objects:
        raise Unprocessable(
            "Every query must be a JSON object; at index "
            + ", ".join(list(not_objects)[:20])
            + (", ..." if len(not_objects) > 20 else "")
            + " it is not.",
            errors={"queries": not_objects},
        )
    return queries
