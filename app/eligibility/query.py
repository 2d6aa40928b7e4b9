"""Eligibility queries (SPEC 5), read from any caller: the GET's query string, each
batch item, triage, the lifecycle page's form and ``flask check`` all go through
:func:`parse_query`, so a bad field is answered with the same status, code and message
everywhere. Hand-written for the hot path, on the rules of :mod:`app.inputs`.

SPEC 17: slugs are folded to lower case here, once per distinct query (the parsed
queries are cached), before the read model looks the product up; ``non-production`` and
the ticketing tools' severities are accepted; a field of no query (a typo such as
``plaform``) is refused, with the fields it is close to; and a query may carry a
``ticket``, which is no part of the verdict: it is checked and echoed beside it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app

from app.cache import BoundedCache
from app.errors import Unprocessable
from app.inputs import (
    CONTROL,
    MAX_DATE,
    MIN_DATE,
    QUERY_TEXT_WIDTH,
    in_range,
    parse_day,
    ticket_problem,
)
from lifecycle.errors import InvalidSeverity, InvalidVersion
from lifecycle.severity import SEVERITY_WORDS, Severity, parse_severity
from lifecycle.spelling import did_you_mean, fold_slug, suggestion
from lifecycle.verdict import ENVIRONMENT_NAMES, Environment, Query, Subscription
from lifecycle.versions import parse_version

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
# SPEC 17: an opaque reference to the desk's ticket, echoed beside the verdict.
TICKET = "ticket"
MAX_TEXT = QUERY_TEXT_WIDTH

ENVIRONMENTS = tuple(ENVIRONMENT_NAMES)
SUBSCRIPTIONS = tuple(s.value for s in Subscription)
SEVERITY_HELP = SEVERITY_WORDS

_ENVIRONMENT: dict[str, Environment] = dict(ENVIRONMENT_NAMES)
_SUBSCRIPTION = {s.value: s for s in Subscription}
_REQUIRED = "This field is required."
EXTENSION = "eligibility_queries"


class _Repeated(list[str]):
    """A query-string field given more than once."""


def query_values(args: Any) -> dict[str, Any]:
    """The parameters of a query string (a werkzeug ``MultiDict``), for :func:`parse_query`.

    A field given twice is ambiguous: it is kept as a list, which :func:`parse_query`
    refuses. So is any parameter that is no field (SPEC 17: a misspelled ``platform``
    must not hide a platform's end of life).
    """
    values: dict[str, Any] = {}
    for name, found in args.lists():
        values[name] = found[0] if len(found) == 1 else _Repeated(found)
    return values


def split_ticket(values: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None, str | None]:
    """The query's fields without its ``ticket``, the ticket (stripped), and what is wrong
    with it (None when nothing is, or when there is none)."""
    if TICKET not in values:
        return values, None, None
    rest = {k: v for k, v in values.items() if k != TICKET}
    value = values[TICKET]
    if value is None:  # null is absence, as for every optional field
        return rest, None, None
    if isinstance(value, _Repeated):
        return rest, None, f"Given {len(value)} times; give it once."
    problem = ticket_problem(value)
    return rest, (value.strip() if problem is None else None), problem


def parse_with_ticket(values: Mapping[str, Any], default_as_of: date) -> tuple[Query, str | None]:
    """:func:`parse_query` for fields that may carry a ``ticket``; a bad ticket is reported
    with the other bad fields (422)."""
    fields, ticket, problem = split_ticket(values)
    try:
        query = parse_query(fields, default_as_of)
    except Unprocessable as error:
        if problem is None:
            raise
        errors = {**(error.errors or {}), TICKET: [problem]}
        raise Unprocessable(invalid_fields(errors), errors=errors, code=error.code) from None
    if problem is not None:
        errors = {TICKET: [problem]}
        raise Unprocessable(invalid_fields(errors), errors=errors)
    return query, ticket


def unknown_field(name: object) -> str:
    """The message for a field of no query, with the fields it is close to."""
    close = did_you_mean(str(name)[:MAX_TEXT], (*FIELDS, TICKET)) if isinstance(name, str) else ()
    return "Unknown field" + (suggestion(close) if close else ".")


# Queries already validated, by their raw fields and default date. Only valid queries
# are kept, so only strings and None are in a key (a str never equals another type).


def init_app(app: Any) -> None:
    # Queries already validated, by their raw fields and default date. Only valid
    # queries are kept, so only strings and None are in a key.
    app.extensions[EXTENSION] = BoundedCache(int(app.config["QUERY_CACHE_SIZE"]))


def parse_query(values: Mapping[str, Any], default_as_of: date) -> Query:
    """Validate the fields of one query into a :class:`Query`, or raise ``Unprocessable``.

    Every bad field is reported at once, in ``errors``. A field that is absent or null
    takes its default; an empty or blank one is refused, as every value that does not
    fit (``environment=`` is no environment). A version that does not parse is reported with
    the others when there are others; alone, it waits until the product is known (SPEC 5
    rule 1: an unknown product is a 404 first), and :func:`decide` reports it.
    """
    cache: BoundedCache[tuple[Any, ...], Query] = current_app.extensions[EXTENSION]
    key = fields_key(values)
    if key is not None:
        key = (*key, default_as_of)
        try:
            found = cache.get(key)
        except TypeError:  # a list or an object as a value: not hashable, and invalid
            key, found = None, None
        if found is not None:
            return found
    query = validate(values, default_as_of)
    if key is not None:
        cache.put(key, query)
    return query


def fields_key(values: Mapping[str, Any]) -> tuple[Any, ...] | None:
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


def validate(values: Mapping[str, Any], default_as_of: date) -> Query:
    errors: dict[str, list[str]] = {}
    if not values.keys() <= _FIELD_SET:
        for name in values:
            if name not in _FIELD_SET:
                errors[str(name)[:MAX_TEXT]] = [unknown_field(name)]

    product = _text(values, "product", errors, required=True)
    if product is not None:
        product = fold_slug(product)
    # The version's length and characters are parse_version's to judge: invalid_version.
    version = _text(values, "version", errors, required=True, checked=False)
    platform = _text(values, "platform", errors)
    if platform is not None:
        platform = fold_slug(platform)
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
        raise Unprocessable(invalid_fields(errors), errors=errors)
    assert product is not None and version is not None and as_of is not None
    # Checked here field by field, as strictly as Query's constructor would: not twice.
    return Query.validated(
        product, version, as_of, platform, platform_version, environment, subscription, severity
    )


def shown(text: str) -> str:
    """``text`` quoted for a message, cut short: a query may carry a megabyte."""
    return repr(text if len(text) <= 64 else text[:64] + "...")


def invalid_fields(errors: Mapping[str, Any]) -> str:
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
        if value and (not checked or (len(value) <= MAX_TEXT and not CONTROL.search(value))):
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
        errors[name] = [f"Must be one of {', '.join(choices)}, not {shown(text)}."]
        return default
    return found


def _severity(values: Mapping[str, Any], errors: dict[str, list[str]]) -> Severity | None:
    text = _text(values, "severity", errors)
    if text is None:
        return None
    try:
        return parse_severity(text)
    except InvalidSeverity:
        errors["severity"] = [f"Must be {SEVERITY_HELP}, not {shown(text)}."]
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


def _day(text: str) -> date | str:
    """The date written ``YYYY-MM-DD`` (SPEC 6) in 1900..2999, or what is wrong with it."""
    day = parse_day(text)
    if day is None:
        return f"Not a valid date (YYYY-MM-DD): {shown(text)}."
    if not in_range(day):
        return f"Must be between {MIN_DATE} and {MAX_DATE}."
    return day
