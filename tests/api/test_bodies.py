"""Request bodies are read the same way on every route (SPEC 19): malformed JSON is one 400
problem, an object that repeats a key is a 400, and a body over MAX_CONTENT_LENGTH is a
413 whether it is sent with a length or chunked. Every route that takes a body is found in
the app's URL map, so a route added later is held to the same rules."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.bodies import loads
from tests.factories import World, world

BODY_METHODS = ("POST", "PUT", "PATCH")
PROBLEM = "application/problem+json"
# Placeholder values for the routes' variables: any will do, the body is read first.
VARIABLES = {"slug": "aperturedb", "version": "1.0.0", "cycle": "1", "id": "1"}


def body_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every API route that takes a body."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: VARIABLES.get(m.group(1), "x"), rule.rule)
        for method in sorted(set(rule.methods or ()) & set(BODY_METHODS)):
            found.append((method, path))
    return sorted(found)


@pytest.fixture(scope="module")
def bodies_world(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[World]:
    with world("sqlite", tmp_path_factory, sqlite_template, MAX_CONTENT_LENGTH=4096) as found:
        found.seed(
            [
                ("POST", "/api/v1/products", {"slug": "aperturedb", "name": "ApertureDB"}),
                (
                    "POST",
                    "/api/v1/products/aperturedb/releases",
                    {"version": "1.0.0", "released_on": "2024-01-10"},
                ),
            ]
        )
        yield found


def _send(world: World, method: str, path: str, **options: Any) -> Any:
    return world.client.open(path, method=method, headers=world.admin, **options)


def test_every_body_route_is_found(bodies_world: World) -> None:
    routes = body_routes(bodies_world.app)
    assert ("POST", "/api/v1/eligibility") in routes
    assert ("POST", "/api/v1/triage") in routes
    assert ("PATCH", "/api/v1/products/aperturedb") in routes
    assert len(routes) >= 10


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(b'{"a": ', "Expecting value", id="truncated"),
        pytest.param(b"{not json}", "Expecting property name", id="not-json"),
        pytest.param(b'{"a": 1,}', "Expecting property name", id="trailing-comma"),
        pytest.param(b"\xff\xfe\x00", "not UTF-8", id="not-utf8"),
        pytest.param(b"[" * 100_000, "nested too deeply", id="too-deep"),
    ],
)
def test_malformed_json_is_the_same_400_on_every_route(
    bodies_world: World, text: bytes, reason: str
) -> None:
    big = bodies_world.app.config["MAX_CONTENT_LENGTH"]
    answers = {}
    for method, path in body_routes(bodies_world.app):
        data = text if len(text) <= big else text[: big - 1]
        answer = _send(bodies_world, method, path, data=data, content_type="application/json")
        answers[(method, path)] = (answer.status_code, answer.mimetype, answer.json)
    shapes = {repr(value) for value in answers.values()}
    assert len(shapes) == 1, answers
    status, mimetype, problem = next(iter(answers.values()))
    assert (status, mimetype) == (400, PROBLEM)
    assert problem["code"] == "invalid_json"
    assert problem["title"] == "Malformed request"
    assert reason in problem["detail"]


def test_a_repeated_key_is_a_400_on_every_route(bodies_world: World) -> None:
    before = bodies_world.rows()
    for method, path in body_routes(bodies_world.app):
        answer = _send(
            bodies_world,
            method,
            path,
            data=b'{"slug": "a", "name": "x", "slug": "b"}',
            content_type="application/json",
        )
        assert answer.status_code == 400, (method, path, answer.json)
        assert answer.mimetype == PROBLEM
        assert answer.json["code"] == "duplicate_key"
        assert "'slug' appears twice" in answer.json["detail"]
    # Nested objects are read the same way.
    answer = _send(
        bodies_world,
        "POST",
        "/api/v1/eligibility",
        data=b'{"queries": [{"product": "aperturedb", "version": "1", "version": "2"}]}',
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json["code"] == "duplicate_key"
    assert bodies_world.rows() == before


def test_json_without_repeats_is_read_as_before() -> None:
    assert loads(b'{"a": {"b": [1, {"c": null}]}, "d": "e"}') == {
        "a": {"b": [1, {"c": None}]},
        "d": "e",
    }
    assert loads('[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]


def _chunked(client: FlaskClient, path: str, data: bytes, headers: dict[str, str]) -> Any:
    return client.post(
        path,
        input_stream=io.BytesIO(data),
        headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )


@pytest.mark.parametrize("chunked", [False, True], ids=["with-length", "chunked"])
def test_a_body_over_the_limit_is_a_413_however_it_is_sent(
    bodies_world: World, chunked: bool
) -> None:
    limit = bodies_world.app.config["MAX_CONTENT_LENGTH"]
    data = b'{"queries": [' + b" " * limit + b"]}"
    for method, path in body_routes(bodies_world.app):
        if chunked:
            if method != "POST":
                continue
            answer = _chunked(bodies_world.client, path, data, bodies_world.admin)
        else:
            answer = _send(bodies_world, method, path, data=data, content_type="application/json")
        assert answer.status_code == 413, (method, path, answer.json)
        assert answer.mimetype == PROBLEM
        assert answer.json["code"] == "payload_too_large"


def test_a_chunked_body_within_the_limit_is_read_whole(bodies_world: World) -> None:
    body = b'{"queries": [{"product": "aperturedb", "version": "1.0.0"}]}'
    answer = _chunked(bodies_world.client, "/api/v1/eligibility", body, bodies_world.admin)
    assert answer.status_code == 200, answer.json
    assert answer.json["results"][0]["release_known"] is True
    # Exactly at the limit is still read.
    limit = bodies_world.app.config["MAX_CONTENT_LENGTH"]
    padded = body[:-1] + b" " * (limit - len(body)) + b"}"
    assert len(padded) == limit
    answer = _chunked(bodies_world.client, "/api/v1/eligibility", padded, bodies_world.admin)
    assert answer.status_code == 200, answer.json
