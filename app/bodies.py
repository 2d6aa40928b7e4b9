"""Request bodies, the same on every route (SPEC 19): JSON read once and strictly, and the
size limit kept whether the body comes with a length or chunked.

- A body over ``MAX_CONTENT_LENGTH`` is a 413, also when it is sent chunked. Werkzeug
  reads a chunked body as empty unless the server says it ends such bodies itself
  (gunicorn does, without saying so), and even then cuts it at the limit silently; so
  a chunked body is read here first, up to one byte past the limit, and handed on
  with its length.
- Every API body is decoded by one parser (the request's ``get_json``, which the
  argument parser calls too): malformed JSON, or an object that repeats a key, is
  one 400 problem whichever route it was sent to. It is decoded when the view asks,
  so a call that needs a token is refused for the token before its body is read.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Request, request
from flask import json as flask_json
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from app.errors import PROBLEM_MIMETYPE, ApiError, problem, problem_body

BODY_METHODS = {"POST", "PUT", "PATCH"}


class MalformedBody(ApiError):
    status, code, title = 400, "invalid_json", "Malformed request"


class DuplicateKey(ValueError):
    """An object in the body names the same key twice."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return found


def loads(data: str | bytes) -> Any:
    """JSON as the API reads it: standard JSON whose objects each name a key once.

    >>> loads('{"a": 1}')
    {'a': 1}
    >>> loads('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    ...
    app.bodies.DuplicateKey: the key 'a' appears twice in one object
    """
    try:
        return json.loads(data, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None


class _StrictJSON:
    """What Flask's request calls to decode a JSON body."""

    @staticmethod
    def loads(data: str | bytes, **_kwargs: Any) -> Any:
        return loads(data)


def malformed(error: ValueError) -> MalformedBody:
    if isinstance(error, DuplicateKey):
        return MalformedBody(
            f"The request body is not acceptable JSON: {error}.", code="duplicate_key"
        )
    if isinstance(error, UnicodeDecodeError):
        reason = "it is not UTF-8"
    else:
        reason = str(error) or error.__class__.__name__
    return MalformedBody(f"The request body is not valid JSON: {reason}.")


class LifecycleRequest(Request):
    """Flask's request, decoding JSON with :func:`loads` and failing with one problem."""

    # Flask hands each request the app's JSON provider; request bodies keep this one.
    @property
    def json_module(self) -> Any:
        return _StrictJSON

    @json_module.setter
    def json_module(self, _provider: Any) -> None:
        pass

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not a JSON content type: Flask's 415
            return super().on_json_loading_failed(e)
        raise malformed(e)


class StrictParser(FlaskParser):
    """webargs, reading the body the request has already decoded (once, strictly)."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req) or not req.get_data(cache=True):
            return core.missing  # no body at all: as webargs has it, nothing given
        return req.get_json()


# --- WSGI -------------------------------------------------------------------------------

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


TOO_LARGE = "The request body is larger than this service accepts."
_READ = 64 * 1024


class ChunkedBodies:
    """Reads a chunked body whole (the server has decoded the chunks), up to the app's
    ``MAX_CONTENT_LENGTH``: larger is a 413 problem; otherwise the app gets it with a
    ``Content-Length``, as if it had been sent so."""

    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self.flask_app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            limit = self.flask_app.config.get("MAX_CONTENT_LENGTH")
            body = _read(environ["wsgi.input"], None if limit is None else int(limit) + 1)
            if limit is not None and len(body) > int(limit):
                payload = flask_json.dumps(
                    problem_body(413, "Request Entity Too Large", TOO_LARGE)
                ).encode()
                start_response(
                    "413 Request Entity Too Large",
                    [
                        ("Content-Type", PROBLEM_MIMETYPE),
                        ("Content-Length", str(len(payload))),
                        ("Connection", "close"),
                    ],
                )
                return [payload]
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]
            environ.pop("wsgi.input_terminated", None)
        return self.wsgi_app(environ, start_response)


def _read(stream: Any, most: int | None) -> bytes:
    out = bytearray()
    while most is None or len(out) < most:
        chunk = stream.read(_READ if most is None else min(_READ, most - len(out)))
        if not chunk:
            break
        out.extend(chunk)
    return bytes(out)


# --- the app ----------------------------------------------------------------------------


def _require_json_body() -> Any:
    if request.method not in BODY_METHODS or not request.path.startswith("/api"):
        return None
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
    if has_body and not request.is_json:
        return problem(
            415,
            "Unsupported media type",
            "Send the request body as JSON (Content-Type: application/json).",
        )
    return None


def init_app(app: Flask) -> None:
    app.request_class = LifecycleRequest
    app.wsgi_app = ChunkedBodies(app, app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(_require_json_body)
