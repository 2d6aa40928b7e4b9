"""The eligibility service (SPEC 5): reads a query from any caller, finds the product, judges.

The GET, each batch item and ``flask check`` all go through :func:`parse_query`, so a
bad field is answered with the same status, code and message everywhere (batch items
that differ only in their version share one validation of their other fields, which
does not depend on it).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from app.catalogue.service import ProductView, product_view, product_views
from app.errors import ApiError, NotFound, Unprocessable, core_error_problem, problem_body
from app.schemas import MAX_DATE, MIN_DATE
from lifecycle.errors import InvalidSeverity, InvalidVersion, LifecycleError
from lifecycle.severity import Severity, parse_severity
from lifecycle.verdict import Environment, Judge, Query, Subscription, Verdict, judge
from lifecycle.versions import parse_version

__all__ = [
    "ENVIRONMENTS",
    "FIELDS",
    "MAX_BATCH",
    "SEVERITY_HELP",
    "SUBSCRIPTIONS",
    "TooManyQueries",
    "answer_batch",
    "decide",
    "decide_json",
    "encode",
    "judge_with",
    "parse_query",
    "problem_for",
    "query_values",
    "verdict_json",
]

FIELDS = (
    "product",
    "version",
    "platform",
    "platform_version",
    "environment",
    "subscription",
    "severity",
    "as_of",
)
_FIELD_SET = frozenset(FIELDS)
MAX_BATCH = 10_000
MAX_TEXT = 200

ENVIRONMENTS = tuple(e.value for e in Environment)
SUBSCRIPTIONS = tuple(s.value for s in Subscription)
SEVERITY_HELP = "urgent, high, normal or low (also S1..S4, 1..4 and emergency)"

_ENVIRONMENT = {e.value: e for e in Environment}
_SUBSCRIPTION = {s.value: s for s in Subscription}
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# SPEC 6's slug; what is not one names no product, and is never sent to the database
# (PostgreSQL refuses a NUL in a query).
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_REQUIRED = "This field is required."

# ensure_ascii: a JSON body may carry a lone surrogate ("\ud800"), which is echoed in a
# verdict or an error and could not be encoded as UTF-8 (a 500) if written raw.
encode: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=True, check_circular=False, separators=(", ", ": ")
).encode
# One string as ``encode`` writes it (the same function).
_string: Callable[[str], str] = json.encoder.encode_basestring_ascii


class TooManyQueries(ApiError):
    status, code, title = 413, "payload_too_large", "Payload too large"


class _Repeated(list[str]):
    """A query-string field given more than once."""


def query_values(args: Any) -> dict[str, Any]:
    """The eligibility fields of a query string (a werkzeug ``MultiDict``).

    A field given twice is ambiguous: it is kept as a list, which :func:`parse_query`
    refuses. Other parameters are ignored, as in every query string of the API.
    """
    values: dict[str, Any] = {}
    for name, found in args.lists():
        if name in _FIELD_SET:
            values[name] = found[0] if len(found) == 1 else _Repeated(found)
    return values


# Queries already validated, by their raw fields and default date. Only valid queries
# are kept, so only strings and None are in a key (a str never equals another type).
_QUERIES: dict[tuple[Any, ...], Query] = {}
QUERY_CACHE_SIZE = 4096


def parse_query(values: Mapping[str, Any], default_as_of: date) -> Query:
    """Validate the fields of one query into a :class:`Query`, or raise ``Unprocessable``.

    Every bad field is reported at once, in ``errors``. A field that is absent or null
    takes its default; an empty or blank one is refused, as every value that does not
    fit (``environment=`` is no environment). A version that does not parse is reported with
    the others when there are others; alone, it waits until the product is known (SPEC 5
    rule 1: an unknown product is a 404 first), and :func:`decide` reports it.
    """
    key = _fields_key(values)
    if key is not None:
        key = (*key, default_as_of)
        try:
            found = _QUERIES.get(key)
        except TypeError:  # a list or an object as a value: not hashable, and invalid
            key, found = None, None
        if found is not None:
            return found
    query = _validate(values, default_as_of)
    if key is not None:
        if len(_QUERIES) >= QUERY_CACHE_SIZE:
            _QUERIES.clear()
        _QUERIES[key] = query
    return query


def _fields_key(values: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The query's fields as a cache key, or None when it has fields of no query.

    The version comes last, so that ``key[:-1]`` is every other field (see _Batch).
    """
    if not values.keys() <= _FIELD_SET:
        return None
    get = values.get
    return (
        get("product"),
        get("platform"),
        get("platform_version"),
        get("environment"),
        get("subscription"),
        get("severity"),
        get("as_of"),
        get("version"),
    )


def _validate(values: Mapping[str, Any], default_as_of: date) -> Query:
    errors: dict[str, list[str]] = {}
    if not values.keys() <= _FIELD_SET:
        for name in values:
            if name not in _FIELD_SET:
                errors[str(name)[:MAX_TEXT]] = ["Unknown field."]

    product = _text(values, "product", errors, required=True)
    # The version's length and characters are parse_version's to judge: invalid_version.
    version = _text(values, "version", errors, required=True, checked=False)
    platform = _text(values, "platform", errors)
    platform_version = _text(values, "platform_version", errors)
    environment = _choice(values, "environment", _ENVIRONMENT, Environment.PRODUCTION, errors)
    subscription = _choice(values, "subscription", _SUBSCRIPTION, Subscription.PRODUCTION, errors)
    severity = _severity(values, errors)
    as_of = _as_of(values, default_as_of, errors)

    if "platform" not in errors and "platform_version" not in errors:
        if platform is not None and platform_version is None:
            errors["platform_version"] = ["platform_version is required with platform."]
        elif platform is None and platform_version is not None:
            errors["platform"] = ["platform is required with platform_version."]

    if errors:
        if version is not None and "version" not in errors:
            try:
                parse_version(version)
            except InvalidVersion as error:
                errors["version"] = [str(error)]
        raise Unprocessable(_invalid_fields(errors), errors=errors)
    assert product is not None and version is not None and as_of is not None
    # Checked here field by field, as strictly as Query's constructor would: not twice.
    return Query.validated(
        product, version, as_of, platform, platform_version, environment, subscription, severity
    )


def decide(values: Mapping[str, Any], default_as_of: date) -> Verdict:
    """The verdict for one query: 422 for bad fields, 404 for an unknown product,
    422 ``invalid_version`` for a version that does not parse."""
    query = parse_query(values, default_as_of)
    return judge_with(query, _view(query.product))


def decide_json(values: Mapping[str, Any], default_as_of: date) -> str:
    """:func:`decide`, as the JSON text of the verdict (SPEC 6)."""
    query = parse_query(values, default_as_of)
    return verdict_json(query, _view(query.product))


def judge_with(query: Query, view: ProductView) -> Verdict:
    return judge(query, view.cycles, view.registry, view.matrix, view.name)


# Verdicts already encoded, by product view and query. A view is replaced, never changed,
# when its product or the platforms move, so holding it in the entry and comparing identity
# keeps every entry exact (and apart between apps). Support tools ask the same few queries
# over and over; this skips judge, to_dict and encoding for them.
_VERDICTS: dict[tuple[int, Query], tuple[ProductView, str]] = {}
VERDICT_CACHE_SIZE = 4096


def verdict_json(query: Query, view: ProductView) -> str:
    """The JSON text of the verdict for ``query`` on ``view``, from the cache when it can."""
    key = (id(view), query)
    hit = _VERDICTS.get(key)
    if hit is not None and hit[0] is view:
        return hit[1]
    text = encode(judge_with(query, view).to_dict())
    if len(_VERDICTS) >= VERDICT_CACHE_SIZE:
        _VERDICTS.clear()  # cheaper than LRU bookkeeping on every hit; refills at once
    _VERDICTS[key] = (view, text)
    return text


def problem_for(error: Exception) -> dict[str, Any]:
    """The problem body the API answers for ``error`` (a service or a core error)."""
    if isinstance(error, ApiError):
        return problem_body(
            error.status, error.title, error.detail, code=error.code, errors=error.errors
        )
    if isinstance(error, LifecycleError):
        return core_error_problem(error)[1]
    raise error


def answer_batch(body: Any, default_as_of: date) -> str:
    """The JSON text of ``{"results": [...]}`` for a batch body, in the order of its queries.

    The envelope must be ``{"queries": [object, ...]}`` (else 422) with at most
    :data:`MAX_BATCH` queries (else 413). An invalid query gets ``{"error": problem}``
    in its place. Products are resolved once for the whole batch; see :class:`_Batch`
    for what else its queries share.
    """
    queries = _envelope(body)
    # Stripped, as parse_query strips them, so that " aperturedb" finds it here as in a GET.
    slugs = {p.strip() for q in queries if isinstance(p := q.get("product"), str)}
    views = product_views({slug for slug in slugs if _SLUG.fullmatch(slug)})
    answer = _Batch(views, default_as_of).answer
    return '{"results": [' + ", ".join([answer(item) for item in queries]) + "]}"


class _Context:
    """What the queries of a batch that differ only in their version share: their other
    fields validated, their product's judge, and the ends of verdicts already encoded."""

    __slots__ = ("head", "judge", "query", "tails")

    def __init__(self, query: Query, judge: Judge) -> None:
        self.query = query
        self.judge = judge
        self.head = _head(query.product)
        # By Judge.outcome_key: what follows the version in the JSON text of a verdict.
        self.tails: dict[tuple[str, str | None], str] = {}

    def answer(self, version: str) -> str:
        """The JSON text of the verdict (or of its error) for ``version``, stripped."""
        judge = self.judge
        base = self.query
        outcome = judge.outcome_key(version, base.as_of)
        if outcome is not None:
            tail = self.tails.get(outcome)
            if tail is not None:
                return f"{self.head}{_string(version)}, {tail}"
        query = Query.validated(
            base.product,
            version,
            base.as_of,
            base.platform,
            base.platform_version,
            base.environment,
            base.subscription,
            base.severity,
        )
        try:
            verdict = judge(query)
        except LifecycleError as error:
            return encode({"error": problem_for(error)})
        tail = _tail(verdict)
        if outcome is not None:
            self.tails[outcome] = tail
        return f"{self.head}{_string(version)}, {tail}"


class _Batch:
    """One batch's answers. A query is validated once; the queries that differ only in
    their version share their other fields' validation, their product's
    :class:`~lifecycle.verdict.Judge` (cycle statuses, upgrade target and platform check
    worked out once per date), and for recorded releases the encoded rest of the verdict.
    All of it lives for one call, so none of it can go stale."""

    __slots__ = ("as_of", "contexts", "done", "judges", "views")

    def __init__(self, views: Mapping[str, ProductView], default_as_of: date) -> None:
        self.views = views
        self.as_of = default_as_of
        # Equal queries (support tools send the same few many times) are answered once.
        self.done: dict[tuple[Any, ...], str] = {}
        # By the raw fields but the version: the context of valid, known-product queries.
        self.contexts: dict[tuple[Any, ...], _Context] = {}
        self.judges: dict[str, Judge] = {}

    def answer(self, item: Mapping[str, Any]) -> str:
        key = _fields_key(item)
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
            return encode({"error": problem_for(_unknown_product(query.product))})
        context = self.contexts[key[:-1]] = _Context(query, self._judge(view))
        return context.answer(query.version)

    def _alone(self, item: Mapping[str, Any]) -> str:
        """An item with fields of no query, or an invalid version: validated on its own."""
        try:
            query = parse_query(item, self.as_of)
            view = self.views.get(query.product)
            if view is None:
                raise _unknown_product(query.product)
            return encode(self._judge(view)(query).to_dict())
        except (ApiError, LifecycleError) as error:
            return encode({"error": problem_for(error)})

    def _judge(self, view: ProductView) -> Judge:
        judge = self.judges.get(view.slug)
        if judge is None:
            judge = self.judges[view.slug] = Judge(
                view.cycles, view.registry, view.matrix, view.name
            )
        return judge


def _head(product: str) -> str:
    """The JSON text of a verdict up to its version: ``to_dict`` puts these two first."""
    return '{"product": ' + _string(product) + ', "version": '


def _tail(verdict: Verdict) -> str:
    """The JSON text of ``verdict`` after its version: ``"release_known": ...}``."""
    whole = encode(verdict.to_dict())
    return whole[len(_head(verdict.product)) + len(_string(verdict.version)) + 2 :]


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
        raise Unprocessable(_invalid_fields(errors), errors=errors)
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


def _view(slug: str) -> ProductView:
    if not _SLUG.fullmatch(slug):
        raise _unknown_product(slug)
    return product_view(slug)


def _unknown_product(slug: str) -> NotFound:
    return NotFound(f"No product is named {_shown(slug)}.")


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut short: a query may carry a megabyte."""
    return repr(text if len(text) <= 64 else text[:64] + "...")


def _invalid_fields(errors: Mapping[str, Any]) -> str:
    names = sorted(errors)
    fields = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
    return f"The query has invalid fields: {fields}."


def _text(
    values: Mapping[str, Any],
    name: str,
    errors: dict[str, list[str]],
    *,
    required: bool = False,
    checked: bool = True,
) -> str | None:
    """A text field, stripped; None (JSON null) is its absence, a blank is refused."""
    value = values.get(name)
    if type(value) is str:
        value = value.strip()
        if value and (not checked or (len(value) <= MAX_TEXT and not _CONTROL.search(value))):
            return value
        if not value:
            errors[name] = ["Must not be blank."]
        elif len(value) > MAX_TEXT:
            errors[name] = [f"Longer than {MAX_TEXT} characters."]
        else:
            errors[name] = ["Control characters are not allowed."]
        return None
    if isinstance(value, _Repeated):
        errors[name] = [f"Given {len(value)} times; give it once."]
        return None
    if value is not None:
        errors[name] = ["Not a valid string."]
        return None
    if required:
        errors[name] = [_REQUIRED]
    return None


def _choice(
    values: Mapping[str, Any],
    name: str,
    choices: Mapping[str, Any],
    default: Any,
    errors: dict[str, list[str]],
) -> Any:
    text = _text(values, name, errors)
    if text is None:
        return default
    found = choices.get(text.casefold())
    if found is None:
        errors[name] = [f"Must be one of {', '.join(choices)}, not {_shown(text)}."]
        return default
    return found


def _severity(values: Mapping[str, Any], errors: dict[str, list[str]]) -> Severity | None:
    text = _text(values, "severity", errors)
    if text is None:
        return None
    try:
        return parse_severity(text)
    except InvalidSeverity:
        errors["severity"] = [f"Must be {SEVERITY_HELP}, not {_shown(text)}."]
        return None


def _as_of(values: Mapping[str, Any], default: date, errors: dict[str, list[str]]) -> date | None:
    text = _text(values, "as_of", errors)
    if text is None:
        return default if "as_of" not in errors else None
    day = _day(text)
    if isinstance(day, str):
        errors["as_of"] = [day]
        return None
    return day


@functools.lru_cache(maxsize=1024)
def _day(text: str) -> date | str:
    """The date written ``YYYY-MM-DD`` (SPEC 6) in 1900..2999, or what is wrong with it."""
    if _ISO_DAY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if MIN_DATE <= day <= MAX_DATE:
                return day
            return f"Must be between {MIN_DATE} and {MAX_DATE}."
    return f"Not a valid date (YYYY-MM-DD): {_shown(text)}."
