"""/healthz is liveness only and never asks the database (SPEC 19); API reads that nothing
held can answer are 503 while the database is away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

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


def test_healthz_says_the_process_is_alive(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert answer.json == {"status": "ok"}


def test_healthz_never_asks_the_database(no_database: Flask) -> None:
    engine = no_database.extensions["db_engine"]
    checkouts: list[object] = []
    event.listen(engine, "checkout", lambda *args: checkouts.append(args))
    answer = no_database.test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}
    assert checkouts == []


@pytest.mark.parametrize(
    "path", ["/api/v1/products", "/api/v1/products/aperturedb", "/api/v1/platforms"]
)
def test_reads_answer_503_problem_while_the_database_is_away(no_database: Flask, path: str) -> None:
    answer = no_database.test_client().get(path)
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 503
    assert answer.headers["Retry-After"]
