"""PostgreSQL stopped and started under load, on a private throwaway cluster.

While the database is down the API answers 503 problem+json (``/healthz`` 503 too), and
once it is back the same app process recovers by itself; a stream of writes made across
the outages is all-or-nothing: every release present bumped the revision once, every 201
is present. The machine's shared PostgreSQL is never touched: the cluster is made with
``initdb`` in a temporary folder, on a free port, and always stopped and removed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _hardening import HttpClient, serving
from conftest import IN_CI, dispose, make_app
from flask import Flask
from sqlalchemy import create_engine, text

from app import migrate
from app.auth import Role, create_token

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PRODUCT = "faulty"
PROBLEM = "application/problem+json"
RECOVERY_LIMIT = 20.0  # seconds from "database started" to the API answering again
OUTAGE_SECONDS = 1.5
READERS = 2
WRITERS = 2


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _major(path: str) -> int:
    version = Path(path).parts[-3]
    return int(version) if version.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivateCluster:
    """A throwaway PostgreSQL cluster: its own folder, socket and port."""

    def __init__(self, binaries: Path) -> None:
        self.bin = binaries
        self.root = Path(tempfile.mkdtemp(prefix="lc-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
            "-E", "UTF8",
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {result.stdout}{result.stderr}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=50"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log),
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        try:
            if self.running():
                self.stop("immediate")
        finally:
            pid_file = self.data / "postmaster.pid"
            if pid_file.exists():  # pg_ctl failed: end the postmaster this test started
                pid = int(pid_file.read_text().split()[0])
                with _suppress():
                    os.kill(pid, 9)
            shutil.rmtree(self.root, ignore_errors=True)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    binaries = _binaries()
    reason = None
    if binaries is None:
        reason = "no initdb on this machine"
    elif os.geteuid() == 0 and shutil.which("runuser") is None:
        reason = "running as root without runuser, so the cluster cannot run as postgres"
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason}; under CI=true this is a failure, not a skip.")
        pytest.skip(reason)
    assert binaries is not None
    made = PrivateCluster(binaries)
    try:
        made.start()
        yield made
    finally:
        made.destroy()


@pytest.fixture
def fault_app(cluster: PrivateCluster, tmp_path: Path) -> Iterator[Flask]:
    migrate.upgrade(cluster.url)
    app = make_app(cluster.url, tmp_path)
    yield app
    dispose(app)


@dataclass
class Load:
    """What the clients saw, phase by phase: "up", "stopping", "down", "recovering" (the
    database started, the API not yet seen healthy) and "after"."""

    phase: str = "up"
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)
    written: dict[str, int | str] = field(default_factory=dict)  # version -> status/error
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, what: str, status: int, mimetype: str, body: str) -> None:
        with self.lock:
            phase = self.phase
            self.statuses.setdefault(phase, Counter())[status] += 1
            if status >= 500 and status != 503:
                self.wrong.append(f"[{phase}] {what} -> {status} {body[:200]}")
            elif status == 503 and not what.startswith("GET /healthz") and mimetype != PROBLEM:
                self.wrong.append(f"[{phase}] {what} -> 503 as {mimetype}")
            elif phase in ("up", "after") and status >= 400:
                self.wrong.append(f"[{phase}] {what} -> {status} {body[:200]}")


READ_PATHS = (
    f"/api/v1/products/{PRODUCT}",
    f"/api/v1/products/{PRODUCT}/releases",
    f"/api/v1/products/{PRODUCT}/cycles",
    "/api/v1/products",
    "/healthz",
)


def _reader(base: str, load: Load) -> None:
    http = HttpClient(base, timeout=15)
    try:
        i = 0
        while not load.stop.is_set():
            path = READ_PATHS[i % len(READ_PATHS)]
            i += 1
            try:
                response = http.get(path)
            except Exception as exc:  # a hung or dropped request is a finding too
                with load.lock:
                    load.wrong.append(f"[{load.phase}] GET {path}: {exc!r}")
                continue
            load.record(f"GET {path}", response.status_code, response.mimetype, response.text)
            time.sleep(0.01)
    finally:
        http.close()


def _writer(base: str, load: Load, index: int, admin: dict[str, str]) -> None:
    http = HttpClient(base, timeout=15)
    try:
        i = 0
        while not load.stop.is_set():
            version = f"{index + 1}.{i}.0"
            i += 1
            try:
                response = http.post(
                    f"/api/v1/products/{PRODUCT}/releases",
                    json={"version": version, "released_on": "2026-01-15"},
                    headers=admin,
                )
            except Exception as exc:
                with load.lock:
                    load.written[version] = repr(exc)
                continue
            with load.lock:
                load.written[version] = response.status_code
            load.record("POST release", response.status_code, response.mimetype, response.text)
            time.sleep(0.02)
    finally:
        http.close()


def _wait_until_healthy(http: HttpClient, limit: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if http.get("/healthz").status_code == 200 and (
                http.get(f"/api/v1/products/{PRODUCT}").status_code == 200
            ):
                return time.monotonic() - started
        except Exception:  # the server itself must stay up; retried until the limit
            pass
        time.sleep(0.05)
    raise AssertionError(f"the API did not recover within {limit} s of the database")


def test_outages_answer_503_and_recover_without_a_restart(
    cluster: PrivateCluster, fault_app: Flask
) -> None:
    with fault_app.app_context():
        secret, _ = create_token(Role.ADMIN, "faults-admin")
    admin = {"Authorization": f"Bearer {secret}"}
    client = fault_app.test_client()
    created = client.post("/api/v1/products", json={"slug": PRODUCT, "name": "F"}, headers=admin)
    assert created.status_code == 201
    revision_before = _revision(cluster)
    load = Load()
    recoveries: list[float] = []
    down_health: list[tuple[int, str]] = []

    with serving(fault_app) as base:
        http = HttpClient(base, timeout=15)
        threads = [
            threading.Thread(target=_reader, args=(base, load), name=f"reader-{i}")
            for i in range(READERS)
        ] + [
            threading.Thread(target=_writer, args=(base, load, i, admin), name=f"writer-{i}")
            for i in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1.0)
            for mode in ("fast", "immediate"):
                with load.lock:
                    load.phase = "stopping"
                cluster.stop(mode)
                with load.lock:
                    load.phase = "down"
                time.sleep(OUTAGE_SECONDS)
                health = http.get("/healthz")
                down_health.append((health.status_code, health.text))
                with load.lock:
                    load.phase = "recovering"
                cluster.start()
                recoveries.append(_wait_until_healthy(http, RECOVERY_LIMIT))
                with load.lock:
                    load.phase = "after"
                time.sleep(1.0)
        finally:
            load.stop.set()
            for thread in threads:
                thread.join(timeout=30)
            http.close()
        assert not any(t.is_alive() for t in threads), "a client thread hung"

    print(
        f"\npg faults: statuses by phase { ({k: dict(v) for k, v in load.statuses.items()}) }, "
        f"recovery {', '.join(f'{r:.2f}s' for r in recoveries)}"
    )
    assert not load.wrong, "\n".join(load.wrong[:20])
    down = load.statuses.get("down", Counter())
    assert down[503] > 0, f"no 503 seen while the database was down: {dict(down)}"
    assert set(down) <= {503}, f"while down the API answered {dict(down)}"
    for status, body in down_health:
        assert status == 503 and "unavailable" in body, (status, body)
    after = load.statuses.get("after", Counter())
    assert after and set(after) <= {200, 201}, f"after recovery: {dict(after)}"

    # All or nothing: each release present bumped the revision once; each 201 is present.
    engine = create_engine(cluster.url)
    try:
        with engine.connect() as conn:
            present = set(
                conn.execute(
                    text(
                        "SELECT r.version FROM releases r JOIN products p ON p.id = r.product_id "
                        "WHERE p.slug = :s"
                    ),
                    {"s": PRODUCT},
                ).scalars()
            )
    finally:
        engine.dispose()
    revision = _revision(cluster)
    accepted = {v for v, outcome in load.written.items() if outcome == 201}
    assert accepted <= present, f"acknowledged but missing: {sorted(accepted - present)[:10]}"
    assert present <= set(load.written), "a release nobody sent"
    shown = client.get(f"/api/v1/products/{PRODUCT}")  # the same app, never restarted
    assert shown.status_code == 200
    assert shown.get_json()["releases"] == len(present)
    assert revision - revision_before == len(present), "a bump without its row, or the reverse"


def _revision(cluster: PrivateCluster) -> int:
    engine = create_engine(cluster.url)
    try:
        with engine.connect() as conn:
            value = conn.execute(
                text("SELECT revision FROM products WHERE slug = :s"), {"s": PRODUCT}
            ).scalar_one()
    finally:
        engine.dispose()
    return int(value)
