"""The production recipe (SPEC 19), started as ``make serve`` starts it: ``deploy/serve.py``,
nginx from the repository's configuration on a free port in front of gunicorn's workers.

- A slowloris (many connections sending their headers a byte at a time) ties up no
  worker: eligibility keeps answering at once beside it. (Against the bare sync workers
  of ``make run`` two such connections are enough to stall every request.)
- ``kill -HUP`` under load: nothing fails, and the new workers answer at once, the whole
  catalogue already derived (forked from the master, which warmed it before forking).
- Bodies through the proxy: too large is the service's 413 problem, also chunked.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import IN_CI, RELEASE_DATA, ROOT

pytestmark = pytest.mark.slow

SLOW_CONNECTIONS = 200
SLOW_SECONDS = 4.0
FAST_ENOUGH = 1.0  # seconds: an answer beside the slow clients
# The slowest answer since HUP may take: here a cold worker takes over a second for the
# index (it derives every product), a warm one under 0.2 s.
WARM_ENOUGH = 0.6


def _nginx() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _flask(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def get(url: str, timeout: float = 10) -> tuple[int, bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.monotonic() - started


@dataclass
class Recipe:
    base: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def gunicorn_master(self) -> int:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for child in map(int, children):
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"gunicorn" in command:
                return child
        raise AssertionError("no gunicorn master under deploy/serve.py")

    def workers(self) -> set[int]:
        master = self.gunicorn_master()
        return {int(c) for c in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


@pytest.fixture(scope="module")
def recipe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recipe]:
    if _nginx() is None:
        if IN_CI:
            pytest.fail("nginx is not installed (make system-deps installs it)")
        pytest.skip("nginx is not installed")
    tmp = tmp_path_factory.mktemp("recipe")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'lifecycle.sqlite'}",
        SECRET_KEY="recipe-test",
        LOG_LEVEL="WARNING",
        SUPPORT_PLAN_FILE=str(tmp / "none.json"),
        MAX_CONTENT_LENGTH=str(64 * 1024),
    )
    _flask("db", "upgrade", env=env)
    _flask("demo", env=env)
    # The whole release-data set: a worker that had to derive it cold would take seconds.
    _flask("import-release-data", "--quiet", str(RELEASE_DATA), env=env)
    port = _free_port()
    log = tmp / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "deploy/serve.py", "--port", str(port), "--workers", "2",
             "--run-dir", str(tmp / "run")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    found = Recipe(f"http://127.0.0.1:{port}", process, log, env)
    try:
        deadline = time.monotonic() + 180
        while b"Serving on" not in log.read_bytes():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield found
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def test_the_nginx_configuration_renders_and_passes_nginx_own_check(tmp_path: Path) -> None:
    if _nginx() is None:
        pytest.skip("nginx is not installed")
    done = subprocess.run(
        [sys.executable, "deploy/serve.py", "--check", "--port", str(_free_port()),
         "--run-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    config = (tmp_path / "nginx.conf").read_text()
    assert "{{" not in config
    assert "proxy_request_buffering on" in config


ELIGIBILITY = "/api/v1/eligibility?product=aperturedb&version=2.5.1"


def _slowloris(port: int, stop: threading.Event, opened: list[socket.socket]) -> None:
    for _ in range(SLOW_CONNECTIONS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /api/v1/products HTTP/1.1\r\nHost: x\r\n")
        opened.append(sock)
    while not stop.is_set():
        for sock in opened:
            with contextlib.suppress(OSError):
                sock.send(b"X")  # a header that never ends, a byte a second
        stop.wait(1.0)


def test_a_slowloris_ties_up_no_worker(recipe: Recipe) -> None:
    port = int(recipe.base.rsplit(":", 1)[1])
    stop = threading.Event()
    opened: list[socket.socket] = []
    attacker = threading.Thread(target=_slowloris, args=(port, stop, opened), daemon=True)
    attacker.start()
    answers: list[tuple[int, float]] = []
    try:
        while len(opened) < SLOW_CONNECTIONS:
            time.sleep(0.05)
        started = time.monotonic()
        while time.monotonic() - started < SLOW_SECONDS:
            status, _, took = get(recipe.base + ELIGIBILITY)
            answers.append((status, took))
            time.sleep(0.05)
        still_open = sum(1 for sock in opened if sock.fileno() != -1)
    finally:
        stop.set()
        attacker.join(timeout=10)
        for sock in opened:
            sock.close()
    print(f"\nslowloris of {len(opened)}: {len(answers)} answers, slowest "
          f"{max(t for _, t in answers) * 1000:.0f} ms")  # fmt: skip
    assert still_open == SLOW_CONNECTIONS
    assert answers and {status for status, _ in answers} == {200}
    assert max(took for _, took in answers) < FAST_ENOUGH


def test_bodies_through_the_proxy_are_the_service_problems(recipe: Recipe) -> None:
    big = b'{"queries": [' + b" " * (64 * 1024) + b"]}"

    def post(body: bytes, chunked: bool) -> tuple[int, str, dict[str, object]]:
        def chunks() -> Iterator[bytes]:
            for start in range(0, len(body), 4096):
                yield body[start : start + 4096]

        request = urllib.request.Request(
            recipe.base + "/api/v1/eligibility",
            data=chunks() if chunked else body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.headers["Content-Type"], json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"], json.loads(exc.read())

    for chunked in (False, True):
        status, mimetype, problem = post(big, chunked)
        assert (status, mimetype, problem["code"]) == (
            413,
            "application/problem+json",
            "payload_too_large",
        )
    status, mimetype, problem = post(b'{"queries": [', chunked=True)
    assert (status, mimetype, problem["code"]) == (400, "application/problem+json", "invalid_json")


def _load(base: str, stop: threading.Event, seen: list[tuple[float, int, float]]) -> None:
    paths = [ELIGIBILITY, "/api/v1/eligibility?product=nodejs&version=20.1.0", "/"]
    i = 0
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        at = time.monotonic()
        try:
            status, _, took = get(base + path, timeout=30)
        except OSError:
            status, took = 0, time.monotonic() - at
        seen.append((at, status, took))


def test_kill_hup_under_load_brings_warm_workers_and_no_failure(recipe: Recipe) -> None:
    before = recipe.workers()
    stop = threading.Event()
    seen: list[tuple[float, int, float]] = []
    clients = [threading.Thread(target=_load, args=(recipe.base, stop, seen)) for _ in range(3)]
    for client in clients:
        client.start()
    try:
        time.sleep(1.0)
        hup = time.monotonic()
        recipe.process.send_signal(signal.SIGHUP)  # serve.py hands it to gunicorn and nginx
        deadline = time.monotonic() + 30
        while recipe.workers() & before or len(recipe.workers()) < 2:
            assert time.monotonic() < deadline, "the workers were not replaced"
            time.sleep(0.1)
        replaced = time.monotonic()
        time.sleep(3.0)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
    after_hup = [(status, took) for at, status, took in seen if at >= hup]
    after_new = [(status, took) for at, status, took in seen if at >= replaced]
    print(
        f"\nHUP: workers {sorted(before)} -> {sorted(recipe.workers())} in "
        f"{replaced - hup:.1f}s; {len(after_hup)} requests since, slowest "
        f"{max(t for _, t in after_hup) * 1000:.0f} ms"
    )
    assert {status for _, status, _ in seen} == {200}
    assert len(after_new) > 20
    # The index derives every product: a cold worker would take seconds over it.
    assert max(took for _, took in after_hup) < WARM_ENOUGH
