"""PostgreSQL's change notifications let a worker serve cached products without a query,
and withdraw that trust whenever a change may have been missed (app/changes.py).

Two apps on one database stand for two worker processes. ``sync()`` is one round
trip on the listening connection, after which every change committed before it has
been taken in: the tests use it where they need delivery to have happened.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import migrate
from app.catalogue.changes import ChangeFeed, Token
from app.catalogue.store import CatalogueStore
from tests.conftest import PG_BASE, PostgresSchema, _token, dispose, make_app, pg_schema_url

pytestmark = pytest.mark.postgres

PRODUCT = "/api/v1/products/aperturedb"
ELIGIBILITY = "/api/v1/eligibility?product=aperturedb&version={v}&as_of=2026-01-01"


@pytest.fixture
def pg_url(postgres_schema: PostgresSchema) -> str:
    postgres_schema.reset()
    return postgres_schema.url


@pytest.fixture
def worker(pg_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(pg_url, tmp_path)
    yield app
    dispose(app)


@pytest.fixture
def other(pg_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(pg_url, tmp_path)
    yield app
    dispose(app)


def admin_headers(app: Flask) -> dict[str, str]:
    return _token(app, "admin")


@pytest.fixture
def writer(worker: Flask) -> tuple[FlaskClient, dict[str, str]]:
    client = worker.test_client()
    admin = admin_headers(worker)
    for path, body in [
        ("/api/v1/products", {"slug": "aperturedb", "name": "ApertureDB"}),
        ("/api/v1/products", {"slug": "other", "name": "Other"}),
        (f"{PRODUCT}/releases", {"version": "1.0.0", "released_on": "2024-01-10"}),
        (f"{PRODUCT}/releases", {"version": "2.0.0", "released_on": "2025-01-10"}),
        ("/api/v1/products/other/releases", {"version": "1.0.0", "released_on": "2024-01-10"}),
    ]:
        assert client.post(path, json=body, headers=admin).status_code == 201
    return client, admin


class Counting:
    """Counts the revision queries an app's reads make."""

    def __init__(self, app: Flask) -> None:
        self.store: CatalogueStore = app.extensions["catalogue"]
        self.probe = self.store.probe
        self.calls = 0
        real = self.probe.revisions

        def revisions(slug: str) -> tuple[int, int, int] | None:
            self.calls += 1
            return real(slug)

        self.probe.revisions = revisions  # type: ignore[method-assign]

    def feed(self) -> ChangeFeed:
        feed = self.store.feed()
        assert feed is not None
        return feed


def status_of(client: FlaskClient, version: str) -> str:
    answer = client.get(ELIGIBILITY.format(v=version))
    assert answer.status_code == 200, answer.json
    status: str = answer.json["status"]
    return status


def test_reads_of_an_unchanged_product_make_no_query(
    writer: tuple[FlaskClient, dict[str, str]], other: Flask
) -> None:
    reader = other.test_client()
    counting = Counting(other)
    assert status_of(reader, "2.0.0") == "current"
    assert counting.calls == 1  # first read: the revision is checked once
    assert counting.feed().listening
    for _ in range(20):
        assert status_of(reader, "2.0.0") == "current"
        assert reader.get(f"{PRODUCT}/cycles").status_code == 200
    assert counting.calls == 1


def test_a_write_elsewhere_is_seen_once_its_notification_is_taken_in(
    writer: tuple[FlaskClient, dict[str, str]], other: Flask
) -> None:
    client, admin = writer
    reader = other.test_client()
    counting = Counting(other)
    assert status_of(reader, "2.0.0") == "current"
    added = client.post(
        f"{PRODUCT}/releases", json={"version": "3.0.0", "released_on": "2025-12-01"}, headers=admin
    )
    assert added.status_code == 201
    assert counting.feed().sync() is not None
    assert status_of(reader, "2.0.0") == "security_only"
    assert counting.calls == 2
    assert counting.feed().notifications >= 1


def test_a_write_elsewhere_arrives_without_any_round_trip(
    writer: tuple[FlaskClient, dict[str, str]], other: Flask
) -> None:
    """Delivery is PostgreSQL's doing: reads alone, with no sync, see the write soon."""
    client, admin = writer
    reader = other.test_client()
    counting = Counting(other)
    assert status_of(reader, "2.0.0") == "current"
    client.post(
        f"{PRODUCT}/releases", json={"version": "3.0.0", "released_on": "2025-12-01"}, headers=admin
    )
    deadline = time.monotonic() + 3  # the periodic round trip is 5 s away
    while status_of(reader, "2.0.0") != "security_only":
        assert time.monotonic() < deadline, "the notification never arrived"
        time.sleep(0.001)
    assert counting.feed().notifications >= 1


# Each write, and how a read in the same worker shows it (product aperturedb, as of 2026-01-01).
OWN_WRITES = [
    pytest.param(
        "POST",
        f"{PRODUCT}/releases",
        {"version": "3.0.0", "released_on": "2025-12-01"},
        ("2.0.0", "security_only"),
        id="release-added",
    ),
    pytest.param(
        "PATCH",
        PRODUCT,
        {"policy": {"full_support_cycles": 2}},
        ("1.0.0", "current"),
        id="product-patched",
    ),
    pytest.param(
        "PATCH",
        f"{PRODUCT}/releases/2.0.0",
        {"released_on": "2026-06-01"},
        ("2.0.0", "planned"),
        id="release-patched",
    ),
    pytest.param("DELETE", f"{PRODUCT}/releases/2.0.0", None, ("1.0.0", "current"), id="deleted"),
]


@pytest.mark.parametrize(("method", "path", "body", "seen"), OWN_WRITES)
def test_the_writing_worker_sees_its_own_write_at_once(
    worker: Flask,
    writer: tuple[FlaskClient, dict[str, str]],
    method: str,
    path: str,
    body: dict[str, object] | None,
    seen: tuple[str, str],
) -> None:
    client, admin = writer
    counting = Counting(worker)
    assert status_of(client, "2.0.0") == "current"
    assert status_of(client, "1.0.0") == "security_only"
    before = counting.calls
    # The feed is stopped from taking anything in: only the commit itself can withdraw trust.
    feed = counting.feed()
    feed._take_arrived = lambda: None  # type: ignore[method-assign]
    feed._check_every = 3600
    answer = client.open(path, method=method, json=body, headers=admin)
    assert answer.status_code in (200, 201, 204), answer.json
    version, status = seen
    assert status_of(client, version) == status
    assert counting.calls == before + 1


def test_a_change_to_another_product_keeps_this_one_trusted(
    writer: tuple[FlaskClient, dict[str, str]], other: Flask
) -> None:
    client, admin = writer
    reader = other.test_client()
    counting = Counting(other)
    status_of(reader, "2.0.0")
    client.patch("/api/v1/products/other", json={"name": "Renamed"}, headers=admin)
    counting.feed().sync()
    assert counting.feed().notifications >= 1
    status_of(reader, "2.0.0")
    assert counting.calls == 1


def test_a_platform_change_withdraws_trust_in_every_product(
    writer: tuple[FlaskClient, dict[str, str]], other: Flask
) -> None:
    client, admin = writer
    reader = other.test_client()
    counting = Counting(other)
    status_of(reader, "2.0.0")
    assert reader.get("/api/v1/products/other").status_code == 200
    created = client.post(
        "/api/v1/platforms", json={"slug": "ubuntu", "name": "Ubuntu"}, headers=admin
    )
    assert created.status_code == 201
    counting.feed().sync()
    calls = counting.calls
    status_of(reader, "2.0.0")
    assert reader.get("/api/v1/products/other").status_code == 200
    assert counting.calls == calls + 2


def test_a_deleted_product_is_not_served_from_the_cache(
    writer: tuple[FlaskClient, dict[str, str]], other: Flask
) -> None:
    client, admin = writer
    reader = other.test_client()
    counting = Counting(other)
    status_of(reader, "2.0.0")
    assert client.delete(PRODUCT, headers=admin).status_code == 204
    counting.feed().sync()
    assert reader.get(ELIGIBILITY.format(v="2.0.0")).status_code == 404


def test_notifications_of_another_schema_are_ignored(
    writer: tuple[FlaskClient, dict[str, str]], other: Flask
) -> None:
    reader = other.test_client()
    counting = Counting(other)
    status_of(reader, "2.0.0")
    engine = create_engine(PG_BASE)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_notify('lifecycle_catalogue', 'elsewhere/aperturedb')"))
        conn.execute(text("SELECT pg_notify('lifecycle_catalogue', 'elsewhere/*')"))
    engine.dispose()
    counting.feed().sync()
    status_of(reader, "2.0.0")
    assert counting.calls == 1
    assert counting.feed().notifications == 0


def test_a_lost_connection_withdraws_all_trust_until_it_is_back(
    writer: tuple[FlaskClient, dict[str, str]], other: Flask
) -> None:
    """Changes made while the connection is down are never taken for unchanged."""
    client, admin = writer
    reader = other.test_client()
    counting = Counting(other)
    feed = counting.feed()
    status_of(reader, "2.0.0")
    pid = feed._conn.info.backend_pid
    engine = create_engine(PG_BASE)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    engine.dispose()
    # While the feed cannot hear, another worker changes the product.
    client.post(
        f"{PRODUCT}/releases", json={"version": "3.0.0", "released_on": "2025-12-01"}, headers=admin
    )
    deadline = time.monotonic() + 5
    while feed.listening:  # the termination reaches the socket
        assert time.monotonic() < deadline
        status_of(reader, "1.0.0")
        time.sleep(0.01)
    calls = counting.calls
    assert status_of(reader, "2.0.0") == "security_only"  # read with a query
    assert counting.calls == calls + 1
    feed._retry_at = 0.0  # reconnect now rather than after a second
    assert status_of(reader, "2.0.0") == "security_only"
    assert feed.listening
    assert counting.calls == calls + 2  # a new epoch trusts nothing from before
    status_of(reader, "2.0.0")  # trusted again
    assert counting.calls == calls + 2


def test_a_token_taken_before_a_change_is_not_trusted_after_it(pg_url: str) -> None:
    """The ordering the cache relies on, on the feed alone."""
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    feed = ChangeFeed(engine)
    try:
        before = feed.token()
        assert before is not None
        assert feed.trusts("aperturedb", before, before)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO products (slug, name, policy_cycle, full_support_cycles, "
                    "security_cycles, eosl_months, revision) "
                    "VALUES ('aperturedb', 'A', 'major', 1, 1, 6, 1)"
                )
            )
        after = feed.sync()
        assert after is not None and after.seq > before.seq
        assert not feed.trusts("aperturedb", before, after)
        assert feed.trusts("other", before, after)
        assert feed.trusts("aperturedb", after, after)
        feed.changed_here()
        now = feed.token()
        assert now is not None
        assert not feed.trusts("other", after, now)
        assert not feed.trusts("aperturedb", Token(before.epoch - 1, now.seq), now)
    finally:
        feed.close()
        engine.dispose()


def test_without_the_trigger_every_read_checks_the_revision(tmp_path: Path) -> None:
    """A database not yet migrated to 0003 has no notifications: nothing is trusted."""
    schema = f"lc_test_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(PG_BASE)
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = pg_schema_url(schema)
    try:
        migrate.upgrade(url, "0002")
        app = make_app(url, tmp_path)
        try:
            client = app.test_client()
            admin = admin_headers(app)
            client.post("/api/v1/products", json={"slug": "aperturedb", "name": "A"}, headers=admin)
            client.post(
                f"{PRODUCT}/releases",
                json={"version": "1.0.0", "released_on": "2024-01-10"},
                headers=admin,
            )
            counting = Counting(app)
            for _ in range(3):
                assert status_of(client, "1.0.0") == "current"
            assert counting.calls == 3
            assert not counting.feed().listening
        finally:
            dispose(app)
        migrate.upgrade(url)
        with admin_engine.begin() as conn:
            triggers = conn.execute(
                text(
                    "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :s AND t.tgname LIKE '%notify_change'"
                ),
                {"s": schema},
            ).scalar()
        assert triggers == 2
        migrate.downgrade(url, "0002")
    finally:
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


def test_the_setting_turns_notifications_off(pg_url: str, tmp_path: Path) -> None:
    app = make_app(pg_url, tmp_path, CATALOGUE_NOTIFY=False)
    try:
        client = app.test_client()
        admin = admin_headers(app)
        client.post("/api/v1/products", json={"slug": "aperturedb", "name": "A"}, headers=admin)
        client.post(
            f"{PRODUCT}/releases",
            json={"version": "1.0.0", "released_on": "2024-01-10"},
            headers=admin,
        )
        store: CatalogueStore = app.extensions["catalogue"]
        counting = Counting(app)
        for _ in range(3):
            assert status_of(client, "1.0.0") == "current"
        assert counting.calls == 3
        assert store.feed() is None
    finally:
        dispose(app)


def test_sqlite_has_no_feed(tmp_path: Path, sqlite_template: Path) -> None:
    import shutil

    path = tmp_path / "db.sqlite"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", tmp_path)
    try:
        store: CatalogueStore = app.extensions["catalogue"]
        assert store.feed() is None
    finally:
        dispose(app)


def test_a_round_trip_every_check_every_seconds_takes_in_what_reading_missed(
    pg_url: str,
) -> None:
    """The periodic round trip proves the connection alive and receives on its own."""
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    now = [100.0]
    feed = ChangeFeed(engine, check_every=5.0, clock=lambda: now[0])
    feed._take_arrived = lambda: None  # type: ignore[method-assign]
    try:
        start = feed.token()
        assert start is not None
        with engine.begin() as conn:
            conn.execute(text("UPDATE catalogue_state SET platforms_revision = 1"))
        now[0] += 4.9
        assert feed.token() == start  # only non-blocking reads so far, and they are off
        now[0] += 0.2
        later = feed.token()
        assert later is not None and later.seq > start.seq
        assert not feed.trusts("aperturedb", start, later)
    finally:
        feed.close()
        engine.dispose()
