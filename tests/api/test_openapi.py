"""The OpenAPI document (SPEC 6): valid OpenAPI 3, complete, with security and problem+json."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from tests.conftest import dispose, make_app

PROBLEM = "application/problem+json"
BODY_METHODS = {"post", "put", "patch"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def doc_app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Flask]:
    """The document does not depend on the database: one app on SQLite serves this module."""
    tmp = tmp_path_factory.mktemp("openapi")
    path = tmp / "lifecycle.sqlite"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", tmp)
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def spec(doc_app: Flask) -> dict[str, Any]:
    answer = doc_app.test_client().get("/api/openapi.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    document: dict[str, Any] = answer.json
    return document


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].removeprefix("#/").split("/")
        found: Any = spec
        for part in parts:
            found = found[part]
        node = found
    return node


def test_the_document_is_valid_openapi_3(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    validate(spec)  # raises on any violation of the OpenAPI 3 schema


def test_every_api_v1_route_is_documented(doc_app: Flask, spec: dict[str, Any]) -> None:
    routes = [r for r in doc_app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]
    assert routes
    for rule in routes:
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        assert path in spec["paths"], rule.rule
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert method.lower() in spec["paths"][path], (method, path)


def test_every_protected_operation_documents_bearer_401_and_403(
    doc_app: Flask, spec: dict[str, Any]
) -> None:
    """Protection is read from the code (the @protected wrapper), documentation from the spec."""
    checked = 0
    for rule in doc_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = doc_app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower()) if view_class else view
            roles = getattr(handler, "_required_roles", None)
            operation = spec["paths"][path][method.lower()]
            if roles is None:
                assert not operation.get("security"), (method, path)
                continue
            checked += 1
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
    assert checked >= 11  # the catalogue's writes at least
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {"type": "http", "scheme": "bearer"}


def test_error_responses_are_problem_json(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    assert "errors" in problem["properties"]
    for method, path, operation in operations(spec):
        for status, response in operation["responses"].items():
            response = resolve(spec, response)
            if status == "default" or int(status) >= 400:
                assert set(response["content"]) == {PROBLEM}, (method, path, status)
                schema = response["content"][PROBLEM]["schema"]
                assert resolve(spec, schema) == problem, (method, path, status)
            elif "content" in response:
                assert set(response["content"]) == {"application/json"}, (method, path, status)


def test_the_catalogue_documents_its_errors(spec: dict[str, Any]) -> None:
    for method, path, operation in operations(spec):
        if not path.startswith(("/api/v1/products", "/api/v1/platforms")):
            continue
        responses = set(operation["responses"])
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in BODY_METHODS or operation.get("parameters"):
            assert "422" in responses, (method, path)
        if method in BODY_METHODS:
            assert operation["requestBody"]["content"].keys() == {"application/json"}
        assert "default" in responses, (method, path)
    # Creating what exists is a conflict.
    for path in ["/api/v1/products", "/api/v1/products/{slug}/releases", "/api/v1/platforms"]:
        assert "409" in spec["paths"][path]["post"]["responses"], path
    put_version = spec["paths"]["/api/v1/platforms/{slug}/versions/{version}"]["put"]
    assert {"200", "201"} <= set(put_version["responses"])


def test_the_documented_limits_match_the_spec(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    slug = schemas["ProductCreate"]["properties"]["slug"]
    assert slug["pattern"] == "^[a-z0-9][a-z0-9-]{0,63}$"
    assert slug["maxLength"] == 64
    assert schemas["ProductCreate"]["properties"]["name"]["maxLength"] == 200
    assert schemas["ProductCreate"]["properties"]["description"]["maxLength"] == 10_000
    assert set(schemas["ReleaseCreate"]["required"]) == {"version", "released_on"}
    assert schemas["ReleaseCreate"]["properties"]["released_on"]["format"] == "date"
    for name in ["ProductCreate", "ProductPatch", "ReleaseCreate", "PlatformCreate"]:
        assert schemas[name]["additionalProperties"] is False, name


def test_docs_page_answers_html(doc_app: Flask) -> None:
    answer = doc_app.test_client().get("/api/docs")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    assert b"openapi.json" in answer.data
    # SPEC 17: every script and style of the page is this service's own (no CDN).
    html = answer.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html and "<style" not in html
    client = doc_app.test_client()
    for path in re.findall(r'(?:src|href)="([^"]+)"', html):
        served = client.get(path)
        assert served.status_code == 200, path
        served.close()
    licence = client.get("/static/redoc/LICENSE")
    assert licence.status_code == 200 and b"MIT License" in licence.data
    licence.close()
