"""/healthz says whether the database answers; API reads answer 503 while it does not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import dispose, make_app


@pytest.fixture(params=["sqlite", "postgresql"])
def no_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app whose database cannot be reached: a SQLite file in a folder that does not
    exist, or a PostgreSQL port nobody listens on."""
    url = (
        f"sqlite:///{tmp_path / 'missing' / 'lifecycle.sqlite'}"
        if request.param == "sqlite"
        else "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2"
    )
    app = make_app(url, tmp_path)
    yield app
    dispose(app)


def test_healthz_says_the_database_answers(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert answer.json == {"status": "ok", "database": "ok"}


def test_healthz_says_when_the_database_does_not_answer(no_database: Flask) -> None:
    answer = no_database.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["database"] == "unavailable"
    assert answer.json["status"] != "ok"


@pytest.mark.parametrize(
    "path", ["/api/v1/products", "/api/v1/products/aperturedb", "/api/v1/platforms"]
)
def test_reads_answer_503_problem_while_the_database_is_away(no_database: Flask, path: str) -> None:
    answer = no_database.test_client().get(path)
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 503
    assert answer.headers["Retry-After"]
