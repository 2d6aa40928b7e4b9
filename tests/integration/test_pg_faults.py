"""PostgreSQL stopped, started and frozen under load, and backed up and restored, on a
private throwaway cluster.

While the database is down, reads that the catalogue's held snapshots can answer are
answered from them, marked ``Lifecycle-Stale``; writes and the rest answer 503
problem+json with ``Retry-After``; ``/healthz`` (liveness) stays 200. Once the database
is back the same app process recovers by itself; a stream of writes made across the
outages is all-or-nothing: every release present bumped the revision once, every 201 is
present. A frozen database (every process of it stopped with SIGSTOP) costs a request at
most the configured timeouts, never a hung worker. ``db backup`` and ``db restore``
(pg_dump, pg_restore) into a fresh database give the same answers.

The machine's shared PostgreSQL is never touched: the cluster is made with ``initdb`` in
a temporary folder, on a free port, and always started again (or continued), stopped and
removed, whatever happens.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _hardening import HttpClient, serving
from conftest import IN_CI, dispose, make_app
from flask import Flask
from sqlalchemy import create_engine, text

from app import migrate
from app.auth import Role, create_token
from app.catalogue.store import STALE_HEADER

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PRODUCT = "faulty"
PROBLEM = "application/problem+json"
RECOVERY_LIMIT = 20.0  # seconds from "database started" to the API answering again
OUTAGE_SECONDS = 1.5
READERS = 2
WRITERS = 2
# The timeouts of the frozen-database test, and what a request may take at most then: a
# connect that waits its timeout after a statement that waited its own, and some slack.
CONNECT_TIMEOUT = 2.0
STATEMENT_TIMEOUT = 1.0
REQUEST_BOUND = 2 * CONNECT_TIMEOUT + STATEMENT_TIMEOUT + 2.0
FREEZE_SECONDS = 8.0  # past the change feed's 5 s check, so every path meets the freeze


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

    def processes(self) -> list[int]:
        """The postmaster and every process it started."""
        root = int((self.data / "postmaster.pid").read_text().split()[0])
        found, todo = [], [root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            todo.extend(int(c) for c in children)
        return found

    def freeze(self) -> None:
        """SIGSTOP every process of the cluster: connections stay open, nothing answers."""
        for pid in self.processes():
            with _suppress():
                os.kill(pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        if getattr(self, "frozen", False):
            for pid in self.processes():
                with _suppress():
                    os.kill(pid, signal.SIGCONT)
            self.frozen = False

    def database(self, name: str) -> str:
        """A new, empty database of this cluster; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def destroy(self) -> None:
        self.thaw()
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


@pytest.fixture(scope="module")
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
def healthy(cluster: PrivateCluster) -> Iterator[PrivateCluster]:
    """The module's cluster, running and answering before the test and after it."""
    cluster.thaw()
    if not cluster.running():
        cluster.start()
    try:
        yield cluster
    finally:
        cluster.thaw()
        if not cluster.running():
            cluster.start()


@pytest.fixture
def fault_app(healthy: PrivateCluster, tmp_path: Path) -> Iterator[Flask]:
    url = healthy.database(f"faults_{uuid.uuid4().hex[:8]}")
    migrate.upgrade(url)
    app = make_app(url, tmp_path)
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

    stale: Counter[str] = field(default_factory=Counter)  # phase -> stale answers

    def record(self, what: str, status: int, mimetype: str, body: str, headers: Any = None) -> None:
        stale = headers is not None and STALE_HEADER in headers
        with self.lock:
            phase = self.phase
            self.statuses.setdefault(phase, Counter())[status] += 1
            if stale:
                self.stale[phase] += 1
            if status >= 500 and status != 503:
                self.wrong.append(f"[{phase}] {what} -> {status} {body[:200]}")
            elif status == 503 and (mimetype != PROBLEM or "Retry-After" not in (headers or {})):
                self.wrong.append(f"[{phase}] {what} -> 503 as {mimetype}")
            elif what.startswith("GET /healthz") and status != 200:
                self.wrong.append(f"[{phase}] liveness answered {status}")
            elif status == 404 or (phase in ("up", "after") and (status >= 400 or stale)):
                self.wrong.append(f"[{phase}] {what} -> {status} stale={stale} {body[:200]}")


READ_PATHS = (
    f"/api/v1/products/{PRODUCT}",
    f"/api/v1/products/{PRODUCT}/releases",
    f"/api/v1/products/{PRODUCT}/cycles",
    f"/api/v1/eligibility?product={PRODUCT}&version=1.0.0",
    "/api/v1/products",
    f"/products/{PRODUCT}",
    f"/products/{PRODUCT}/calendar.ics",
    f"/api/{PRODUCT}.json",
    "/api/all.json",
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
            load.record(
                f"GET {path}",
                response.status_code,
                response.mimetype,
                response.text,
                response.headers,
            )
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
            load.record(
                "POST release",
                response.status_code,
                response.mimetype,
                response.text,
                response.headers,
            )
            time.sleep(0.02)
    finally:
        http.close()


def _wait_until_healthy(http: HttpClient, limit: float) -> float:
    """Until a read of the product is answered fresh (not from a stale snapshot)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            answer = http.get(f"/api/v1/products/{PRODUCT}/releases")
            if answer.status_code == 200 and STALE_HEADER not in answer.headers:
                return time.monotonic() - started
        except Exception:  # the server itself must stay up; retried until the limit
            pass
        time.sleep(0.05)
    raise AssertionError(f"the API did not recover within {limit} s of the database")


def test_outages_answer_stale_reads_or_503_and_recover_without_a_restart(
    healthy: PrivateCluster, fault_app: Flask
) -> None:
    cluster = healthy
    with fault_app.app_context():
        secret, _ = create_token(Role.ADMIN, "faults-admin")
    admin = {"Authorization": f"Bearer {secret}"}
    client = fault_app.test_client()
    created = client.post("/api/v1/products", json={"slug": PRODUCT, "name": "F"}, headers=admin)
    assert created.status_code == 201
    revision_before = _revision(fault_app)
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
    assert down[503] > 0, f"no 503 (writes) seen while the database was down: {dict(down)}"
    assert set(down) <= {200, 503}, f"while down the API answered {dict(down)}"
    # Reads of the product were answered from its snapshot, marked stale.
    assert load.stale["down"] > 0, f"no stale answer while down: {dict(down)}"
    for status, body in down_health:
        assert status == 200 and '"ok"' in body, (status, body)
    after = load.statuses.get("after", Counter())
    assert after and set(after) <= {200, 201}, f"after recovery: {dict(after)}"

    # All or nothing: each release present bumped the revision once; each 201 is present.
    engine = create_engine(fault_app.config["DATABASE_URL"])
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
    revision = _revision(fault_app)
    accepted = {v for v, outcome in load.written.items() if outcome == 201}
    assert accepted <= present, f"acknowledged but missing: {sorted(accepted - present)[:10]}"
    assert present <= set(load.written), "a release nobody sent"
    shown = client.get(f"/api/v1/products/{PRODUCT}")  # the same app, never restarted
    assert shown.status_code == 200
    assert shown.get_json()["releases"] == len(present)
    assert revision - revision_before == len(present), "a bump without its row, or the reverse"


def _revision(app: Flask) -> int:
    engine = create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            value = conn.execute(
                text("SELECT revision FROM products WHERE slug = :s"), {"s": PRODUCT}
            ).scalar_one()
    finally:
        engine.dispose()
    return int(value)


# --- a frozen database ------------------------------------------------------------------


@dataclass
class Timed:
    """Each request of one kind: its status, whether stale, how long it took."""

    answers: list[tuple[int, bool, float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, stale: bool, seconds: float, note: str = "") -> None:
        with self.lock:
            self.answers.append((status, stale, seconds, note))


def _timed_loop(
    http: HttpClient, method: str, path: str, out: Timed, stop: threading.Event, **kw: Any
) -> None:
    i = 0
    while not stop.is_set():
        i += 1
        body = kw.get("json")
        if callable(body):
            kw = {**kw, "json": body(i)}
        started = time.monotonic()
        try:
            answer = http.open(method, path, **kw)
        except Exception as exc:  # a hung request is the finding
            out.add(0, False, time.monotonic() - started, repr(exc))
            continue
        note = "" if answer.status_code != 503 else answer.headers.get("Retry-After", "none")
        if answer.status_code == 503 and answer.mimetype != PROBLEM:
            note = f"503 as {answer.mimetype}"
        out.add(
            answer.status_code,
            STALE_HEADER in answer.headers,
            time.monotonic() - started,
            note,
        )
        time.sleep(0.05)


def test_a_frozen_database_costs_requests_their_timeouts_not_a_hung_worker(
    healthy: PrivateCluster, tmp_path: Path
) -> None:
    url = healthy.database(f"frozen_{uuid.uuid4().hex[:8]}")
    migrate.upgrade(url)
    app = make_app(
        url,
        tmp_path,
        DB_CONNECT_TIMEOUT_SECONDS=CONNECT_TIMEOUT,
        DB_STATEMENT_TIMEOUT_SECONDS=STATEMENT_TIMEOUT,
    )
    try:
        with app.app_context():
            secret, _ = create_token(Role.ADMIN, "frozen-admin")
        admin = {"Authorization": f"Bearer {secret}"}
        client = app.test_client()
        assert (
            client.post(
                "/api/v1/products", json={"slug": PRODUCT, "name": "F"}, headers=admin
            ).status_code
            == 201
        )
        other = make_app(url, tmp_path)  # another worker: this one never holds the product
        try:
            assert (
                other.test_client()
                .post("/api/v1/products", json={"slug": "never-read", "name": "N"}, headers=admin)
                .status_code
                == 201
            )
        finally:
            dispose(other)
        assert (
            client.post(
                f"/api/v1/products/{PRODUCT}/releases",
                json={"version": "1.0.0", "released_on": "2026-01-15"},
                headers=admin,
            ).status_code
            == 201
        )
        eligibility = f"/api/v1/eligibility?product={PRODUCT}&version=1.0.0"
        assert client.get(eligibility).status_code == 200  # now held by this process
        kinds = {
            "cached": ("GET", eligibility, {}),
            "page": ("GET", f"/products/{PRODUCT}", {}),
            "uncached": ("GET", "/api/v1/products/never-read/cycles", {}),
            "write": (
                "POST",
                f"/api/v1/products/{PRODUCT}/releases",
                {
                    "json": lambda i: {"version": f"2.{i}.0", "released_on": "2026-02-01"},
                    "headers": admin,
                },
            ),
            "health": ("GET", "/healthz", {}),
        }
        seen = {kind: Timed() for kind in kinds}
        stop = threading.Event()
        with serving(app) as base:
            clients = [HttpClient(base, timeout=30) for _ in kinds]
            threads = [
                threading.Thread(
                    target=_timed_loop, args=(http, method, path, seen[kind], stop), kwargs=kw
                )
                for http, (kind, (method, path, kw)) in zip(clients, kinds.items(), strict=True)
            ]
            time.sleep(0.2)
            try:
                healthy.freeze()
                for thread in threads:
                    thread.start()
                time.sleep(FREEZE_SECONDS)
                stop.set()
                for thread in threads:
                    thread.join(timeout=REQUEST_BOUND + 10)
                hung = [t for t in threads if t.is_alive()]
            finally:
                healthy.thaw()
            assert not hung, "a request hung past every timeout"
            recovered = _wait_until_healthy(HttpClient(base, timeout=15), RECOVERY_LIMIT)
            for http in clients:
                http.close()
    finally:
        dispose(app)

    summary = {
        kind: (
            dict(Counter(status for status, *_ in t.answers)),
            round(max((s for _, _, s, _ in t.answers), default=0.0), 2),
        )
        for kind, t in seen.items()
    }
    print(f"\nfrozen database: (statuses, slowest s) {summary}, recovered in {recovered:.2f}s")
    for kind, timed in seen.items():
        assert timed.answers, f"no {kind} request finished"
        slowest = max(seconds for _, _, seconds, _ in timed.answers)
        assert slowest <= REQUEST_BOUND, (kind, slowest, timed.answers[:5])
        notes = {note for status, _, _, note in timed.answers if status == 503}
        assert notes <= {"5"}, (kind, notes)  # every 503 is problem+json with Retry-After
    assert {s for s, *_ in seen["health"].answers} == {200}
    assert max(s for _, _, s, _ in seen["health"].answers) < 1.0
    # The held product keeps answering, stale once the database is known to be away.
    for kind in ("cached", "page"):
        assert {s for s, *_ in seen[kind].answers} == {200}, seen[kind].answers[:5]
        assert any(stale for _, stale, _, _ in seen[kind].answers), kind
    # What nothing held can answer is refused, within the bounds.
    assert {s for s, *_ in seen["uncached"].answers} == {503}
    assert {s for s, *_ in seen["write"].answers} == {503}


# --- backup and restore -------------------------------------------------------------------


def _answers(app: Flask, headers: dict[str, str]) -> dict[str, Any]:
    client = app.test_client()
    paths = [
        "/api/v1/products",
        f"/api/v1/products/{PRODUCT}/cycles?as_of=2026-06-01",
        f"/api/v1/eligibility?product={PRODUCT}&version=1.0.0&as_of=2026-06-01",
        f"/api/{PRODUCT}.json",
        "/api/v1/platforms",
    ]
    found: dict[str, Any] = {path: client.get(path).json for path in paths}
    found["subscriptions"] = client.get("/api/v1/subscriptions", headers=headers).json
    return found


def test_a_backup_restored_into_a_fresh_database_gives_the_same_answers(
    healthy: PrivateCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cluster's own client tools (a version matching the server).
    monkeypatch.setenv("PATH", f"{healthy.bin}{os.pathsep}{os.environ['PATH']}")
    source_url = healthy.database(f"source_{uuid.uuid4().hex[:8]}")
    migrate.upgrade(source_url)
    source = make_app(source_url, tmp_path)
    try:
        with source.app_context():
            secret, _ = create_token(Role.ADMIN, "backup-admin")
        admin = {"Authorization": f"Bearer {secret}"}
        client = source.test_client()
        calls: list[tuple[str, str, Any]] = [
            ("POST", "/api/v1/platforms", {"slug": "ubuntu", "name": "Ubuntu",
                                           "versions": [{"version": "22.04"}]}),
            ("POST", "/api/v1/products", {"slug": PRODUCT, "name": "Faulty"}),
            ("POST", f"/api/v1/products/{PRODUCT}/releases",
             {"version": "1.0.0", "released_on": "2025-01-15"}),
            ("POST", f"/api/v1/products/{PRODUCT}/releases",
             {"version": "2.0.0", "released_on": "2026-03-01"}),
            ("PUT", f"/api/v1/products/{PRODUCT}/cycles/2/platforms",
             [{"platform": "ubuntu", "version": "22.04"}]),
            ("POST", "/api/v1/subscriptions",
             {"kind": "webhook", "url": "http://127.0.0.1:9/hook"}),
        ]  # fmt: skip
        for method, path, body in calls:
            answer = client.open(path, method=method, json=body, headers=admin)
            assert answer.status_code in (200, 201), (path, answer.json)
        before = _answers(source, admin)
        runner = source.test_cli_runner()
        dump = tmp_path / "lifecycle.dump"
        done = runner.invoke(args=["db", "backup", str(dump)])
        assert done.exit_code == 0, done.output
        assert dump.stat().st_size > 0
    finally:
        dispose(source)

    restored_url = healthy.database(f"restored_{uuid.uuid4().hex[:8]}")
    restored = make_app(restored_url, tmp_path)
    try:
        done = restored.test_cli_runner().invoke(args=["db", "restore", "--yes", str(dump)])
        assert done.exit_code == 0, done.output
        # The token made before the backup works on the restored database.
        after = _answers(restored, admin)
        assert after == before
        # And it is a live database: the schema at its newest revision, writes work.
        answer = restored.test_client().post(
            f"/api/v1/products/{PRODUCT}/releases",
            json={"version": "2.1.0", "released_on": "2026-04-01"},
            headers=admin,
        )
        assert answer.status_code == 201, answer.json
    finally:
        dispose(restored)
