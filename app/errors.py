"""One shape for every error: RFC 9457 problem details.

HTTP status codes are chosen here, and only here, for the core's errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, current_app, json, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from lifecycle.errors import InvalidVersion, LifecycleError

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the service layer raises, with the HTTP status that fits it."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Mapping[str, Any] | None = None,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors) if errors else None
        # Members of the problem beyond RFC 9457's (SPEC 17's ``did_you_mean``).
        self.extra = dict(extra) if extra else None
        if code is not None:
            self.code = code


class NotFound(ApiError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(ApiError):
    status, code, title = 409, "conflict", "Conflict"


class Unprocessable(ApiError):
    status, code, title = 422, "validation_error", "Invalid input"


class Unauthorized(ApiError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(ApiError):
    status, code, title = 403, "forbidden", "Forbidden"


RETRY_AFTER_SECONDS = 5
UNREACHABLE = "The database does not answer; try again shortly."


class Unavailable(ApiError):
    status, code, title = 503, "unavailable", "Service unavailable"

    def __init__(self, detail: str, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def database_unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached now (down, hung, timed out,
    its pool exhausted), as opposed to refusing what was asked."""
    return isinstance(error, Unavailable | OperationalError | InterfaceError | PoolTimeout) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    code: str | None = None,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """A problem+json response."""
    body = problem_body(status, title, detail, code=code, errors=errors, extra=extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    if headers:
        response.headers.update(headers)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lifecycle"'
    return response


def problem_body(
    status: int,
    title: str,
    detail: str,
    *,
    code: str | None = None,
    errors: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    code = code or _default_code(status)
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = dict(errors)
    if extra:
        body.update(extra)
    return body


def core_error_problem(
    error: LifecycleError, field: str | None = None
) -> tuple[int, dict[str, Any]]:
    """The status and body for an error of the core (all are invalid input: 422)."""
    field = (
        field
        or getattr(error, "field", None)
        or ("version" if isinstance(error, InvalidVersion) else None)
    )
    errors = {field: [str(error)]} if field else None
    return 422, problem_body(422, "Invalid input", str(error), code=error.code, errors=errors)


def flatten_messages(messages: Any) -> dict[str, Any]:
    """webargs nests messages by location ({"json": {...}}); clients want them by field."""
    if isinstance(messages, Mapping):
        flat: dict[str, Any] = {}
        for location, inner in messages.items():
            if location in ("json", "query", "path", "form", "headers") and isinstance(
                inner, Mapping
            ):
                flat.update({str(k): v for k, v in inner.items()})
            else:
                flat[str(location)] = inner
        return flat
    if isinstance(messages, list):
        return {"_body": messages}
    return {"_body": [str(messages)]}


def _default_code(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
        415: "unsupported_media_type",
        422: "validation_error",
        503: "unavailable",
    }.get(status, "error")


def wants_problem() -> bool:
    """API callers get problem+json; pages get HTML."""
    path = request.path
    return path.startswith("/api") or path == "/healthz"


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(LifecycleError, _core_error)
    app.register_error_handler(Exception, _unexpected_error)


def _http_error(error: HTTPException) -> Response | HTTPException:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if status == 422 and messages is not None:
        errors = flatten_messages(messages)
        detail = "The request has invalid fields: " + ", ".join(sorted(errors)) + "."
        return problem(422, "Invalid input", detail, errors=errors, headers=data.get("headers"))
    if status == 400 and messages is not None:
        return problem(
            400, "Malformed request", "The request body is not valid JSON.", code="invalid_json"
        )
    if not wants_problem():
        return _page(status, error.name, error.description or error.name, error)
    title = error.name
    detail = error.description or title
    headers = {}
    if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    if status == 413:
        detail = "The request body is larger than this service accepts."
    return problem(status, title, detail, headers=headers)


def _api_error(error: ApiError) -> Response:
    return problem(
        error.status,
        error.title,
        error.detail,
        code=error.code,
        errors=error.errors,
        headers=getattr(error, "headers", None),
        extra=error.extra,
    )


def _core_error(error: LifecycleError) -> Response:
    status, body = core_error_problem(error)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)


def _unexpected_error(error: Exception) -> Response | HTTPException:
    if isinstance(error, RecursionError) and request.content_length:
        # The JSON parser recurses once per nesting level: "[[[[..." a few thousand deep
        # is a malformed body, not a server fault.
        return problem(400, "Malformed request", "The request body is nested too deeply.")

    if database_unreachable(error):
        log.warning("database unavailable: %s", error.__class__.__name__)
        return problem(
            503,
            "Service unavailable",
            UNREACHABLE,
            code="unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    log.exception("unexpected error")
    detail = "An unexpected error occurred; it has been logged."
    if not wants_problem():
        return _page(500, "Internal error", detail, None)
    return problem(500, "Internal error", detail)


PageRenderer = Callable[[int, str, str], str]
_PAGE_RENDERER = "error_page_renderer"


def set_page_renderer(app: Flask, render: PageRenderer) -> None:
    """Errors outside /api are pages; the web area says how they are drawn."""
    app.extensions[_PAGE_RENDERER] = render


def _page(
    status: int, title: str, detail: str, fallback: HTTPException | None
) -> Response | HTTPException:
    """Errors outside /api are pages, in the site's own layout (plain text without one)."""
    render: PageRenderer | None = current_app.extensions.get(_PAGE_RENDERER)
    try:
        if render is None:
            raise LookupError("no page renderer")
        body = render(status, title, detail)
    except Exception:  # the error page itself must never turn one error into another
        log.exception("error page failed")
        return fallback if fallback is not None else Response(detail, status, mimetype="text/plain")
    response = Response(body, status=status, mimetype="text/html")
    if status == 405 and fallback is not None and getattr(fallback, "valid_methods", None):
        response.headers["Allow"] = ", ".join(fallback.valid_methods)  # type: ignore[attr-defined]
    return response
