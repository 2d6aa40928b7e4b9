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


RACERS = 8


def _race(base: str, calls: list[tuple[str, str, Any]], admin: dict[str, str]) -> list[int]:
    """Send the calls at the same moment, one thread each; their statuses, in order."""
    statuses: list[int] = [0] * len(calls)
    start = threading.Barrier(len(calls))

    def one(i: int) -> None:
        http = HttpClient(base)
        try:
            method, path, body = calls[i]
            start.wait(timeout=30)
            kwargs = {} if body is None else {"json": body}
            statuses[i] = http.open(method, path, headers=admin, **kwargs).status_code
        finally:
            http.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return statuses


def test_racing_updates_and_deletes_answer_one_winner(pg_app: Flask) -> None:
    with pg_app.app_context():
        secret, _ = create_token(Role.ADMIN, "race-admin")
    admin = {"Authorization": f"Bearer {secret}"}
    client = pg_app.test_client()
    setup = [
        (
            "/api/v1/platforms",
            {"slug": "ubuntu", "name": "Ubuntu", "versions": [{"version": "22.04"}]},
        ),
        ("/api/v1/products", {"slug": PRODUCT, "name": "Storm"}),
        ("/api/v1/products", {"slug": "doomed", "name": "Doomed"}),
    ] + [
        (f"/api/v1/products/{PRODUCT}/releases", {"version": f"{j}.0", "released_on": "2025-01-01"})
        for j in range(1, 4)
    ]
    for path, body in setup:
        assert client.post(path, json=body, headers=admin).status_code == 201
    row = [{"platform": "ubuntu", "version": "22.04"}]
    product = f"/api/v1/products/{PRODUCT}"
    failures: list[str] = []
    with serving(pg_app) as base:
        cases: list[tuple[str, list[tuple[str, str, Any]], Any]] = [
            # A release deleted by half the racers while the other half patch it.
            (
                "delete+patch release",
                [("DELETE", f"{product}/releases/1.0", None)] * (RACERS // 2)
                + [("PATCH", f"{product}/releases/1.0", {"notes": "late"})] * (RACERS // 2),
                lambda s: (
                    s[: RACERS // 2].count(204) == 1
                    and set(s[: RACERS // 2]) <= {204, 404}
                    and set(s[RACERS // 2 :]) <= {200, 404}
                ),
            ),
            (
                "delete product",
                [("DELETE", "/api/v1/products/doomed", None)] * RACERS,
                lambda s: s.count(204) == 1 and set(s) <= {204, 404},
            ),
            (
                "replace one matrix row",
                [("PUT", f"{product}/cycles/2/platforms", row)] * RACERS,
                lambda s: set(s) == {200},
            ),
            (
                "add one platform version",
                [("PUT", "/api/v1/platforms/ubuntu/versions/24.04", {"vendor_eol": None})] * RACERS,
                lambda s: s.count(201) == 1 and set(s) <= {200, 201},
            ),
        ]
        for label, calls, expected in cases:
            statuses = _race(base, calls, admin)
            if not expected(statuses):
                failures.append(f"{label}: {statuses}")
    assert not failures, "\n".join(failures)
    matrix = client.get(f"{product}/cycles/2").get_json()["platforms"]
    assert [(p["platform"], p["version"]) for p in matrix] == [("ubuntu", "22.04")]
    versions = client.get("/api/v1/platforms/ubuntu").get_json()["versions"]
    assert [v["version"] for v in versions] == ["22.04", "24.04"]
    assert client.get("/api/v1/products/doomed").status_code == 404
    assert client.get(f"{product}/releases/1.0").status_code == 404
