"""Eight concurrent writers on PostgreSQL, through a real threaded server.

Each writer records its own releases and products and, at the same moment, some that
every writer records (spelled differently but equal as versions): no answer may be a
5xx, each shared one is created exactly once (201) and refused to everybody else (409),
no row is lost or doubled, and the product's revision counts exactly the writes made.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _hardening import HttpClient, serving
from conftest import PostgresSchema, dispose, make_app
from flask import Flask
from sqlalchemy import text

from app.auth import Role, create_token
from lifecycle.versions import canonical_version, parse_version

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WRITERS = 8
OWN_RELEASES = 12
SHARED_RELEASES = 12
OWN_PRODUCTS = 4
SHARED_PRODUCTS = 4
PRODUCT = "storm"
# Every writer records shared release j, each in its own spelling of the same version.
SPELLINGS = ("50.{j}", "50.{j}.0", "v50.{j}", "50.{j}.0.0")


@dataclass(frozen=True)
class Write:
    writer: int
    kind: str  # "release" or "product"
    key: str  # canonical version or slug
    sent: str  # the version string or slug as sent
    shared: bool


@dataclass(frozen=True)
class Answer:
    write: Write
    status: int
    body: str


def _key(version: str) -> str:
    return canonical_version(parse_version(version))


def plan(writer: int) -> list[Write]:
    """One writer's calls, in an order of its own, so writers collide at random points."""
    writes = [
        Write(writer, "release", _key(v), v, False)
        for v in (f"{writer + 1}.{j}.0" for j in range(OWN_RELEASES))
    ]
    writes += [
        Write(writer, "release", _key(v), v, True)
        for v in (SPELLINGS[writer % len(SPELLINGS)].format(j=j) for j in range(SHARED_RELEASES))
    ]
    writes += [
        Write(writer, "product", f"w{writer}-{j}", f"w{writer}-{j}", False)
        for j in range(OWN_PRODUCTS)
    ]
    writes += [
        Write(writer, "product", f"shared-{j}", f"shared-{j}", True) for j in range(SHARED_PRODUCTS)
    ]
    random.Random(writer).shuffle(writes)
    return writes


@pytest.fixture
def pg_app(postgres_schema: PostgresSchema, tmp_path: Path) -> Iterator[Flask]:
    postgres_schema.reset()
    app = make_app(postgres_schema.url, tmp_path)
    yield app
    dispose(app)


def _revision(app: Flask, slug: str) -> int:
    with app.extensions["db_engine"].connect() as conn:
        value = conn.execute(text("SELECT revision FROM products WHERE slug = :s"), {"s": slug})
        return int(value.scalar_one())


def test_eight_writers_lose_nothing_and_double_nothing(pg_app: Flask) -> None:
    with pg_app.app_context():
        secret, _ = create_token(Role.ADMIN, "storm-admin")
    admin = {"Authorization": f"Bearer {secret}"}
    client = pg_app.test_client()
    assert (
        client.post(
            "/api/v1/products", json={"slug": PRODUCT, "name": "Storm"}, headers=admin
        ).status_code
        == 201
    )
    revision_before = _revision(pg_app, PRODUCT)

    answers: list[Answer] = []
    crashes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(index: int, base: str) -> None:
        http = HttpClient(base)
        try:
            start.wait(timeout=30)
            for write in plan(index):
                if write.kind == "release":
                    response = http.post(
                        f"/api/v1/products/{PRODUCT}/releases",
                        json={"version": write.sent, "released_on": "2026-01-15"},
                        headers=admin,
                    )
                else:
                    response = http.post(
                        "/api/v1/products",
                        json={"slug": write.sent, "name": write.sent.title()},
                        headers=admin,
                    )
                with lock:
                    answers.append(Answer(write, response.status_code, response.text[:300]))
        except Exception as exc:  # reported below, with the writer that failed
            with lock:
                crashes.append(f"writer {index}: {exc!r}")
        finally:
            http.close()

    with serving(pg_app) as base:
        threads = [
            threading.Thread(target=writer, args=(i, base), name=f"writer-{i}")
            for i in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a writer did not finish in 120 s"

    assert not crashes, crashes
    expected_calls = WRITERS * (OWN_RELEASES + SHARED_RELEASES + OWN_PRODUCTS + SHARED_PRODUCTS)
    assert len(answers) == expected_calls
    server_errors = [a for a in answers if a.status >= 500]
    statuses = Counter(a.status for a in server_errors)
    assert not server_errors, f"server errors {dict(statuses)}, e.g.:\n" + "\n".join(
        f"{a.write} -> {a.status} {a.body}" for a in server_errors[:5]
    )
    odd = [a for a in answers if a.status not in (201, 409)]
    assert not odd, odd[:5]

    created: dict[tuple[str, str], list[Answer]] = {}
    for answer in answers:
        if answer.status == 201:
            created.setdefault((answer.write.kind, answer.write.key), []).append(answer)
    by_key = Counter((a.write.kind, a.write.key) for a in answers)
    for (kind, key), calls in sorted(by_key.items()):
        winners = created.get((kind, key), [])
        assert len(winners) == 1, f"{kind} {key}: {calls} calls, {len(winners)} created"

    # A read after the storm shows every release, once, as the winner spelled it.
    releases = client.get(f"/api/v1/products/{PRODUCT}/releases").get_json()
    shown = Counter(_key(r["version"]) for r in releases)
    expected = {key for kind, key in created if kind == "release"}
    assert set(shown) == expected
    assert all(count == 1 for count in shown.values()), shown.most_common(3)
    assert len(releases) == WRITERS * OWN_RELEASES + SHARED_RELEASES
    spelled = {_key(r["version"]): r["version"] for r in releases}
    for (kind, key), (winner,) in created.items():
        if kind == "release":
            assert spelled[key] == winner.write.sent

    # Every recorded release bumped the revision once; the refused ones not at all.
    assert _revision(pg_app, PRODUCT) - revision_before == len(expected)
    cycles = client.get(f"/api/v1/products/{PRODUCT}/cycles").get_json()
    assert sum(c["releases"] for c in cycles) == len(expected)

    slugs = Counter(p["slug"] for p in client.get("/api/v1/products").get_json())
    products = {key for kind, key in created if kind == "product"} | {PRODUCT}
    assert set(slugs) == products
    assert all(count == 1 for count in slugs.values())
    with pg_app.extensions["db_engine"].connect() as conn:
        rows: Any = conn.execute(text("SELECT count(*) FROM releases")).scalar_one()
    assert rows == len(expected)
