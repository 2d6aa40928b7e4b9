"""``make bench``: the service's throughput, import time and memory against yardsticks.

Serves the app with gunicorn as in production (2 workers, debug off, LOG_LEVEL
WARNING, no access log) on 127.0.0.1, drives it with wrk (1 thread, a few
connections) and prints, per database, one table of ratios whose two sides are
measured in the same run, in alternating rounds:

  1. eligibility GET ÷ a bare Flask JSON endpoint                    goal >= 0.80
  2. eligibility, whole release-data catalogue ÷ one-product catalogue goal >= 0.90
  3. per-query throughput of a 10,000-query batch ÷ single GETs      goal >= 20
  4. import-release-data of the whole set ÷ a bare executemany       goal <= 3
  5. lifecycle page of renovate (12,046 versions) ÷ a 10-release one goal <= 3
  6. resident memory of a worker with every product cached           goal <= 250 MB

and SPEC 19's rows, at ten times the catalogue (every release-data file copied under
nine more names: about 4,000 products and a million releases) and through the
production recipe (deploy/serve.py: nginx in front of preloaded workers):

  7. a worker's RSS after reading every product once, 10x ÷ 1x        goal <= 1.5
  8. eligibility over a hot set of 400 products, 10x ÷ 1x            goal >= 0.9
  9. import-release-data of the 10x set ÷ a bare executemany (PG)    goal <= 3
 10. eligibility through the recipe during a 200-connection
     slowloris ÷ without it                                          goal >= 0.8
 11. p99 in the 10 s after kill -HUP ÷ steady p99 (the recipe)       goal <= 2

    .venv/bin/python bench/run.py [--database sqlite|postgresql|both] [--duration S] [--quick]
                                  [--rows 1,3-4,7-11]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness
import loader
from harness import (
    Comparison,
    Databases,
    Measure,
    Server,
    Servers,
    WrkOptions,
    compare,
    get,
    request,
    wrk,
)

DATA = harness.ROOT.parent / "shared" / "data" / "release-data"
RESULTS = harness.BENCH / "results"
PLATFORM = {"platform": "ubuntu", "platform_version": "22.04"}
BATCH_SIZE = 10_000
SMALL_PRODUCT = "lua"  # ten releases
LARGE_PRODUCT = "renovate"  # 12,046 versions
NOT_BUILT_PAGES = "n/a (pages not built yet)"
SLOW_ANSWER_S = 0.05  # slower than this, an answer probably loaded a product
LAST_ROW = 11
COPIES = 10  # the 10x catalogue: each release-data file under ten names
HOT_COPY = 5  # the hot set of row 8: this copy of each product
SLOWLORIS_CONNECTIONS = 200
SLOWLORIS_SECONDS = 60.0  # the slowloris side of row 10, in all
HUP_WINDOW_S = 10.0
TEN_X_ROWS = frozenset({7, 8, 9})
RECIPE_ROWS = frozenset({10, 11})


@dataclass
class Settings:
    seconds: float
    rounds: int
    warm_seconds: float
    product: str
    mix_size: int
    wrk: WrkOptions
    single_worker_rss: bool = True
    rows: frozenset[int] = frozenset(range(1, LAST_ROW + 1))
    quick: bool = False


@dataclass
class Row:
    number: int
    title: str
    measured: str
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    rounds: tuple[float, float] | None = None  # the lowest and highest round's ratio
    cpu_ratio: float | None = None  # the ratio the servers' CPU time per operation predicts


def goal_met(ratio: float, goal: str) -> bool:
    op, value = goal.split()
    return ratio >= float(value) if op == ">=" else ratio <= float(value)


def rate(value: float, unit: str = "req/s") -> str:
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.1f} {unit}"


# --- the catalogue -------------------------------------------------------------------------


def has_command(name: str, database_url: str) -> bool:
    return harness.flask(name, "--help", database_url=database_url, check=False).returncode == 0


def import_release_data(url: str, files: list[Path], real: bool) -> tuple[float, float | None]:
    """Seconds the import took, and the seconds the command says its work took."""
    started = time.perf_counter()
    if real:
        done = harness.flask("import-release-data", "--quiet", *map(str, files), database_url=url)
        found = re.search(r"in ([0-9.]+) s\.", done.stdout)
        work = float(found.group(1)) if found else None
    else:
        loader.load_release_data(url, files)
        work = None
    return time.perf_counter() - started, work


def add_platform_matrix(url: str, product: str) -> None:
    """Ubuntu 22.04 (vendor EOL 2027-06-01) supported by every cycle of ``product``."""
    from app import create_app
    from app.auth import Role, create_token

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": False})
    try:
        with app.app_context():
            secret, _ = create_token(Role.ADMIN, "bench-admin")
        headers = {"Authorization": f"Bearer {secret}"}
        client = app.test_client()
        created = client.post(
            "/api/v1/platforms",
            json={
                "slug": "ubuntu",
                "name": "Ubuntu",
                "versions": [{"version": "22.04", "vendor_eol": "2027-06-01"}],
            },
            headers=headers,
        )
        if created.status_code != 201:
            raise RuntimeError(f"creating the platform: {created.status_code} {created.json}")
        cycles = client.get(f"/api/v1/products/{product}/cycles").json or []
        for cycle in cycles:
            put = client.put(
                f"/api/v1/products/{product}/cycles/{cycle['cycle']}/platforms",
                json=[{"platform": "ubuntu", "version": "22.04"}],
                headers=headers,
            )
            if put.status_code != 200:
                raise RuntimeError(f"matrix row {cycle['cycle']}: {put.status_code} {put.json}")
    finally:
        app.extensions["db_engine"].dispose()
        app.extensions["catalogue"].dispose()


def row_version(versions: list[str]) -> str:
    """The newest GA release of the second-newest major: a security-only verdict."""
    from lifecycle.versions import parse_version

    parsed = sorted((parse_version(v), v) for v in versions)
    ga = [(p, v) for p, v in parsed if not p.is_prerelease]
    majors = sorted({p.major for p, _ in ga})
    major = majors[-2] if len(majors) > 1 else majors[-1]
    return max((p, v) for p, v in ga if p.major == major)[1]


class Endpoints:
    """The eligibility GET, or while it is not built, the one-cycle read in its place."""

    def __init__(self, eligibility: bool) -> None:
        self.eligibility = eligibility

    def path(self, product: str, version: str) -> str:
        if self.eligibility:
            return "/api/v1/eligibility?" + urlencode(
                {"product": product, "version": version, **PLATFORM}
            )
        from lifecycle.policy import Policy
        from lifecycle.versions import parse_version

        cycle = Policy().cycle_key(parse_version(version))
        return f"/api/v1/products/{product}/cycles/{quote(cycle, safe='')}"

    @property
    def name(self) -> str:
        return "eligibility GET" if self.eligibility else "cycle GET (eligibility not built)"


def write_paths(path: Path, paths: list[str]) -> Path:
    path.write_text("\n".join(paths) + "\n")
    return path


def fetch_all(server: Server, paths: list[str]) -> None:
    """GET every path once, four at a time; each must answer 200."""

    def fetch(p: str) -> None:
        status, body = get(server.base, p, timeout=60)
        if status != 200:
            raise RuntimeError(f"{server.name}: {p} answers {status}: {body[:300]!r}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fetch, paths))


def warm(
    server: Server, paths_file: Path, settings: Settings, slow_s: float = SLOW_ANSWER_S
) -> dict[str, Any]:
    """Passes over ``paths`` until every worker has cached every product.

    A worker loads a product on its first request for it (the whole catalogue takes a
    worker about ten seconds of CPU), and which worker answers is up to the kernel: so
    pass over the list, four requests at a time, until two passes in a row have no slow
    answer.
    """
    started = time.perf_counter()
    paths = paths_file.read_text().split()
    clean, passes, slowest = 0, 0, 0.0

    def timed(path: str) -> float:
        t = time.perf_counter()
        status, body = get(server.base, path, timeout=60)
        if status != 200:
            raise RuntimeError(f"{server.name}: {path} answers {status}: {body[:300]!r}")
        return time.perf_counter() - t

    with ThreadPoolExecutor(4) as pool:
        while clean < 2 and passes < 30:
            slowest = max(pool.map(timed, paths))
            passes += 1
            clean = clean + 1 if slowest < slow_s else 0
    if settings.warm_seconds:
        wrk(server.base, paths_file, settings.warm_seconds, settings.wrk, timeout_s=60)
    return {
        "passes": passes,
        "last_slowest_ms": round(slowest * 1000, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- the rows ------------------------------------------------------------------------------


def measure_with(
    server: Server, paths_file: Path, options: WrkOptions
) -> Callable[[float], Measure]:
    return counting_cpu(server, lambda seconds: wrk(server.base, paths_file, seconds, options))


def counting_cpu(server: Server, measure: Callable[[float], Measure]) -> Callable[[float], Measure]:
    """``measure``, with the CPU time the server's workers spent meanwhile."""

    def run(seconds: float) -> Measure:
        before = server.cpu_seconds()
        result = measure(seconds)
        return replace(result, server_cpu_s=server.cpu_seconds() - before)

    return run


def comparison_row(
    number: int,
    title: str,
    comparison: Comparison,
    goal: str,
    *,
    a_name: str,
    b_name: str,
    unit: str = "req/s",
    invert: bool = False,
) -> Row:
    """A row whose ratio is a/b (or b/a with ``invert``, for a time ratio)."""
    c = comparison
    flip: Callable[[float], float] = (lambda x: 1 / x) if invert else (lambda x: x)
    ratio = flip(c.ratio)
    rounds = sorted(flip(r) for r in c.round_ratios)
    measured = f"{rate(c.a.rate, unit)} ÷ {rate(c.b.rate)}"
    if invert:
        measured = f"{rate(c.b.rate)} ÷ {rate(c.a.rate)} (time ratio)"
    return Row(
        number,
        title,
        measured,
        ratio,
        goal,
        goal_met(ratio, goal),
        rounds=(rounds[0], rounds[-1]),
        cpu_ratio=flip(c.cpu_ratio) if c.cpu_ratio else None,
        data={
            a_name: {"rate": c.a.rate, "server_cpu_ms_per_op": c.a.cpu_per_op * 1000, **c.a.detail},
            b_name: {"rate": c.b.rate, "server_cpu_ms_per_op": c.b.cpu_per_op * 1000, **c.b.detail},
            "round_ratios": [round(r, 4) for r in c.round_ratios],
        },
    )


def batch_measure(server: Server, body: bytes, seconds: float, threads: int = 2) -> Measure:
    """Queries per second answered by batches POSTed back to back from ``threads`` clients."""
    started = time.perf_counter()
    deadline = time.monotonic() + seconds

    def client() -> int:
        done = 0
        while True:
            status, answer = request(server.base, "POST", "/api/v1/eligibility", body, 300)
            if status != 200:
                raise RuntimeError(f"batch answered {status}: {answer[:300]!r}")
            done += 1
            if time.monotonic() >= deadline:
                return done

    with ThreadPoolExecutor(threads) as pool:
        batches = sum(pool.map(lambda _: client(), range(threads)))
    elapsed = time.perf_counter() - started
    return Measure(batches * BATCH_SIZE, elapsed, {"batches": batches})


def distinct_pairs(versions: dict[str, list[str]], n: int) -> list[tuple[str, str]]:
    """``n`` distinct (product, version) pairs, taking the products in turn."""
    queues = {slug: loader.sample(vs, len(vs), seed=len(slug)) for slug, vs in versions.items()}
    pairs: list[tuple[str, str]] = []
    while len(pairs) < n and queues:
        for slug in sorted(queues):
            if len(pairs) == n:
                break
            pairs.append((slug, queues[slug].pop()))
            if not queues[slug]:
                del queues[slug]
    return pairs


def batch_body(pairs: list[tuple[str, str]]) -> bytes:
    queries = [{"product": p, "version": v, **PLATFORM} for p, v in pairs]
    return json.dumps({"queries": queries}).encode()


def check_batch(server: Server, body: bytes) -> dict[str, Any]:
    status, answer = request(server.base, "POST", "/api/v1/eligibility", body, 300)
    if status != 200:
        raise RuntimeError(f"batch answered {status}: {answer[:500]!r}")
    results = json.loads(answer)["results"]
    errors = sum(1 for r in results if "error" in r)
    if len(results) != BATCH_SIZE or errors:
        raise RuntimeError(f"batch: {len(results)} results, {errors} errors")
    return {"request_bytes": len(body), "response_bytes": len(answer)}


def pages_built(server: Server) -> bool:
    status, body = get(server.base, f"/products/{SMALL_PRODUCT}")
    return status == 200 and b"<html" in body[:500].lower()


# --- one database --------------------------------------------------------------------------


class DatabaseRun:
    """Every row on one kind of database; ``run`` cleans up whatever happens."""

    def __init__(self, kind: str, settings: Settings, info: dict[str, Any]) -> None:
        self.kind = kind
        self.settings = settings
        self.info = info
        self.work = harness.workdir()
        self.dbs = Databases(kind, self.work)
        self.servers = Servers(self.work)
        self.recipes: list[harness.Recipe] = []
        self.rss_1x: float | None = None
        self.rows: list[Row] = []
        self.extra: dict[str, Any] = {"database": self.dbs.server_version()}
        self.files = sorted(DATA.glob("*.json"))
        self.product_file = DATA / f"{settings.product}.json"
        if not self.files or not self.product_file.exists():
            sys.exit(f"release data not found at {DATA} (or no {self.product_file.name})")

    def say(self, text: str) -> None:
        print(f"[{self.kind}] {text}", flush=True)

    def run(self) -> dict[str, Any]:
        try:
            self.prepare()
            self.start()
            for number, row in [
                (1, self.row_1),
                (2, self.row_2),
                (3, self.row_3),
                (5, self.row_5),
                (8, self.row_8),
                (10, self.row_10),
                (11, self.row_11),
                # These stop the servers for a one-worker one.
                (6, self.row_6),
                (7, self.row_7),
            ]:
                if number in self.settings.rows:
                    row()
        except Exception:
            for server in [*self.servers.running, *self.recipes]:
                print(f"--- {server.name} log ---\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            for recipe in self.recipes:
                recipe.stop()
            self.servers.stop_all()
            self.dbs.drop_all()
            shutil.rmtree(self.work, ignore_errors=True)
        self.rows.sort(key=lambda row: row.number)
        return {
            "machine": self.info,
            "settings": _settings(self.settings),
            **self.extra,
            "rows": [asdict(x) for x in self.rows],
        }

    def prepare(self) -> None:
        """The one-product and the whole-catalogue databases; row 4 on the way."""
        self.say("databases: one product, whole catalogue (row 4: import vs executemany) ...")
        self.one_url = self.dbs.create("one")
        real = has_command("import-release-data", self.one_url)
        self.extra["importer"] = (
            "flask import-release-data" if real else "bench/loader.py (command not built)"
        )
        import_release_data(self.one_url, [self.product_file], real)
        self.full_url = self.dbs.create("full")
        import_seconds, work_seconds = import_release_data(self.full_url, self.files, real)
        if real:
            if 4 in self.settings.rows:
                self.row_4(import_seconds, work_seconds)
        else:
            self.rows.append(
                Row(
                    4,
                    "import-release-data ÷ bare executemany",
                    "n/a",
                    None,
                    "<= 3",
                    None,
                    note="n/a (import-release-data not built yet)",
                )
            )
        self.ten_url: str | None = None
        if self.settings.rows & TEN_X_ROWS:
            self.prepare_ten(real)
        for url in (self.one_url, self.full_url):
            add_platform_matrix(url, self.settings.product)
        self.versions = loader.versions_by_product(self.full_url)
        self.one_versions = loader.versions_by_product(self.one_url)[self.settings.product]

    def prepare_ten(self, real: bool) -> None:
        """The 10x catalogue: every file under ``COPIES`` names, imported as one run."""
        folder = self.work / "ten"
        folder.mkdir()
        self.ten_origin: dict[str, str] = {}
        for source in self.files:
            for copy in range(COPIES):
                slug = source.stem if copy == 0 else f"{source.stem}-x{copy}"
                (folder / f"{slug}.json").symlink_to(source)
                self.ten_origin[slug] = source.stem
        self.say(f"10x catalogue: {len(self.files) * COPIES:,} files (row 9: import) ...")
        self.ten_url = self.dbs.create("ten")
        seconds, work = import_release_data(self.ten_url, [folder], real)
        if real and 9 in self.settings.rows:
            self.row_9(seconds, work)
        add_platform_matrix(self.ten_url, self.settings.product)

    def row_4(self, import_seconds: float, work_seconds: float | None) -> None:
        # The very rows the command wrote, into a fresh database of the same schema.
        products, releases = loader.read_rows(self.full_url)
        bare_url = self.dbs.create("bare")
        bare_seconds = loader.bare_insert(bare_url, products, releases)
        self.dbs.drop(bare_url)
        started = time.perf_counter()
        harness.flask("--help", database_url=self.full_url)
        startup = time.perf_counter() - started
        ratio = import_seconds / bare_seconds
        work = (
            f"; its own work ({work_seconds:.1f} s, as it reports) ÷ bare = "
            f"{work_seconds / bare_seconds:.1f}"
            if work_seconds
            else ""
        )
        self.rows.append(
            Row(
                4,
                "import-release-data, whole set ÷ bare executemany",
                f"{import_seconds:.2f} s ÷ {bare_seconds:.2f} s",
                ratio,
                "<= 3",
                goal_met(ratio, "<= 3"),
                note=f"{len(products)} products, {len(releases):,} releases; wall time of the "
                f"command, {startup:.1f} s of it interpreter and app start-up (flask --help)"
                + work,
                data={
                    "import_s": import_seconds,
                    "import_work_s": work_seconds,
                    "bare_executemany_s": bare_seconds,
                    "cli_startup_s": startup,
                    "products": len(products),
                    "releases": len(releases),
                },
            )
        )

    def row_9(self, import_seconds: float, work_seconds: float | None) -> None:
        title = "import-release-data, 10x set ÷ bare executemany"
        assert self.ten_url is not None
        if self.kind != "postgresql":
            self.rows.append(
                Row(9, title, f"{import_seconds:.1f} s", None, "<= 3", None,
                    note="a PostgreSQL row (SQLite: the import's time, for reference)")
            )  # fmt: skip
            return
        products, releases = loader.read_rows(self.ten_url)
        bare_url = self.dbs.create("tenbare")
        bare_seconds = loader.bare_insert(bare_url, products, releases)
        self.dbs.drop(bare_url)
        ratio = import_seconds / bare_seconds
        work = f"; its own work ({work_seconds:.1f} s, as it reports)" if work_seconds else ""
        self.rows.append(
            Row(
                9,
                title,
                f"{import_seconds:.1f} s ÷ {bare_seconds:.1f} s",
                ratio,
                "<= 3",
                goal_met(ratio, "<= 3"),
                note=f"{len(products):,} products, {len(releases):,} releases; wall time of "
                f"the command{work}",
                data={
                    "import_s": import_seconds,
                    "import_work_s": work_seconds,
                    "bare_executemany_s": bare_seconds,
                    "products": len(products),
                    "releases": len(releases),
                },
            )
        )

    def start(self) -> None:
        """The three servers, the request paths, and caches warmed on every worker."""
        self.say("starting servers, warming their caches ...")
        start = self.servers.start
        self.bare = start(
            "bare", "bare_app:create_app()", None, ready_path="/verdict", pythonpath="bench"
        )
        self.one = start("one", "app:create_app()", self.one_url)
        self.full = start("full", "app:create_app()", self.full_url)
        product = self.settings.product
        probe = "/api/v1/eligibility?" + urlencode({"product": product, "version": "1"})
        self.endpoints = Endpoints(get(self.one.base, probe)[0] == 200)
        self.extra["endpoint"] = self.endpoints.name

        path = self.endpoints.path
        self.fixed_version = row_version(self.one_versions)
        fixed = path(product, self.fixed_version)
        query = fixed.split("?", 1)[1] if "?" in fixed else ""
        mix = self.settings.mix_size
        one_mix = [path(product, v) for v in loader.sample(self.one_versions, mix)]
        # One version of each product (of those with releases), products in a scattered order.
        pairs = [
            (slug, loader.sample(vs, 1, seed=len(slug))[0]) for slug, vs in self.versions.items()
        ]
        pairs.sort(key=lambda pair: hash_order(pair[0]))
        full_mix = [path(p, v) for p, v in pairs[:mix]]
        self.full_pairs = pairs[:mix]
        self.paths = {
            "bare": write_paths(self.work / "bare.txt", [f"/verdict?{query}"]),
            "fixed": write_paths(self.work / "fixed.txt", [fixed]),
            "one_mix": write_paths(self.work / "one_mix.txt", one_mix),
            "full_mix": write_paths(self.work / "full_mix.txt", full_mix),
        }
        self.extra["warm"] = {
            "bare": warm(self.bare, self.paths["bare"], self.settings),
            "one": warm(self.one, self.paths["one_mix"], self.settings),
            "full": warm(self.full, self.paths["full_mix"], self.settings),
        }
        self.extra["mix"] = {"one_product": len(one_mix), "catalogue": len(full_mix)}
        if 8 in self.settings.rows and self.ten_url is not None:
            self.ten = start("ten", "app:create_app()", self.ten_url)
            hot = [path(f"{p}-x{HOT_COPY}", v) for p, v in self.full_pairs]
            self.paths["hot"] = write_paths(self.work / "hot.txt", hot)
            self.extra["warm"]["ten"] = warm(self.ten, self.paths["hot"], self.settings)

    def compare(self, a: Server, a_paths: Path, b: Server, b_paths: Path) -> Comparison:
        s, o = self.settings, self.settings.wrk
        return compare(
            measure_with(a, a_paths, o), measure_with(b, b_paths, o), s.seconds, s.rounds
        )

    def row_1(self) -> None:
        name = self.endpoints.name
        self.say(f"row 1: {name} vs bare Flask ...")
        c = self.compare(self.one, self.paths["fixed"], self.bare, self.paths["bare"])
        row = comparison_row(
            1, f"{name} ÷ bare Flask jsonify", c, ">= 0.80", a_name="service", b_name="bare"
        )
        row.note = f"{self.settings.product} {self.fixed_version}, one-product catalogue"
        self.rows.append(row)

    def row_2(self) -> None:
        self.say("row 2: whole catalogue vs one product ...")
        c = self.compare(self.full, self.paths["full_mix"], self.one, self.paths["one_mix"])
        row = comparison_row(
            2,
            "eligibility, whole catalogue ÷ one product",
            c,
            ">= 0.90",
            a_name="catalogue",
            b_name="one_product",
        )
        mix = self.extra["mix"]
        row.note = (
            f"round-robin over {mix['catalogue']} (product, version) pairs ÷ over "
            f"{mix['one_product']} {self.settings.product} versions"
        )
        self.rows.append(row)

    def row_3(self) -> None:
        if not self.endpoints.eligibility:
            self.rows.append(
                Row(
                    3,
                    "10,000-query batch ÷ single GETs",
                    "n/a",
                    None,
                    ">= 20",
                    None,
                    note="n/a (eligibility not built yet)",
                )
            )
            return
        self.say("row 3: 10,000-query batches vs single GETs ...")
        # Distinct queries on both sides: the service caches verdicts and a batch judges
        # each distinct query once, so repeats would flatter both.
        distinct = distinct_pairs(self.versions, BATCH_SIZE)
        body = batch_body(distinct)
        check = check_batch(self.full, body)
        singles = write_paths(
            self.work / "distinct.txt", [self.endpoints.path(p, v) for p, v in distinct]
        )
        s = self.settings
        c = compare(
            counting_cpu(self.full, lambda sec: batch_measure(self.full, body, sec)),
            measure_with(self.full, singles, s.wrk),
            s.seconds,
            s.rounds,
        )
        row = comparison_row(
            3,
            "10,000-query batch ÷ single GETs (per query)",
            c,
            ">= 20",
            a_name="batch",
            b_name="single",
            unit="queries/s",
        )
        row.data.update(check)
        row.note = (
            f"the same {len(distinct):,} distinct (product, version) queries, as batches "
            "POSTed back to back by 2 clients ÷ as GETs"
        )
        self.rows.append(row)

    def row_5(self) -> None:
        title = f"page of {LARGE_PRODUCT} ÷ page of {SMALL_PRODUCT}"
        if not pages_built(self.full):
            self.rows.append(Row(5, title, "n/a", None, "<= 3", None, note=NOT_BUILT_PAGES))
            return
        self.say("row 5: lifecycle pages ...")
        small = write_paths(self.work / "small.txt", [f"/products/{SMALL_PRODUCT}"])
        large = write_paths(self.work / "large.txt", [f"/products/{LARGE_PRODUCT}"])
        pages = [f"/products/{n}" for n in (SMALL_PRODUCT, LARGE_PRODUCT)] * 4
        warm(self.full, write_paths(self.work / "pages.txt", pages), self.settings, float("inf"))
        c = self.compare(self.full, large, self.full, small)
        row = comparison_row(
            5, title, c, "<= 3", a_name=LARGE_PRODUCT, b_name=SMALL_PRODUCT, invert=True
        )
        sizes, cycles = {}, {}
        for name in (SMALL_PRODUCT, LARGE_PRODUCT):
            sizes[name] = len(get(self.full.base, f"/products/{name}")[1])
            cycles[name] = len(
                json.loads(get(self.full.base, f"/api/v1/products/{name}/cycles")[1])
            )
        row.data.update(html_bytes=sizes, cycles=cycles)
        row.note = ", ".join(
            f"{name}: {cycles[name]} cycles, {sizes[name] / 1000:.0f} kB of HTML" for name in sizes
        )
        self.rows.append(row)

    def row_7(self) -> None:
        row_7(self)

    def row_8(self) -> None:
        if self.ten_url is None:
            return
        self.say("row 8: a hot set of 400 products, 10x vs 1x ...")
        c = self.compare(self.ten, self.paths["hot"], self.full, self.paths["full_mix"])
        row = comparison_row(
            8,
            "eligibility, hot set of 400 at 10x ÷ 1x",
            c,
            ">= 0.90",
            a_name="ten_times",
            b_name="one_time",
        )
        row.note = (
            f"the {len(self.full_pairs)} (product, version) pairs of row 2, each product's "
            f"copy {HOT_COPY} of {COPIES} at 10x ÷ the originals at 1x"
        )
        self.rows.append(row)

    def recipe(self) -> harness.Recipe:
        if not self.recipes:
            self.say("starting the production recipe (nginx in front of gunicorn) ...")
            found = harness.Recipe("recipe", self.full_url, self.work)
            self.recipes.append(found)
            found.start()
            warm(found, self.paths["full_mix"], self.settings)  # type: ignore[arg-type]
        return self.recipes[0]

    def row_10(self) -> None:
        recipe = self.recipe()
        self.say("row 10: through the recipe, with and without a 200-connection slowloris ...")
        options = self.settings.wrk
        paths = self.paths["full_mix"]
        seconds = self.settings.seconds if self.settings.quick else SLOWLORIS_SECONDS

        def attacked(sec: float) -> Measure:
            with harness.Slowloris(recipe.port, SLOWLORIS_CONNECTIONS):
                return wrk(recipe.base, paths, sec, options)

        c = compare(
            counting_cpu(recipe, attacked),  # type: ignore[arg-type]
            measure_with(recipe, paths, options),  # type: ignore[arg-type]
            seconds,
            self.settings.rounds,
        )
        row = comparison_row(
            10,
            "eligibility via nginx, slowloris of 200 ÷ none",
            c,
            ">= 0.80",
            a_name="slowloris",
            b_name="quiet",
        )
        row.note = (
            f"{SLOWLORIS_CONNECTIONS} connections sending a header byte a second (reopened "
            f"when nginx drops them), {seconds:g} s in all in {self.settings.rounds} rounds; "
            "the row 2 mix through deploy/serve.py"
        )
        self.rows.append(row)

    def row_11(self) -> None:
        recipe = self.recipe()
        self.say("row 11: p99 in the 10 s after kill -HUP vs steady ...")
        options = self.settings.wrk
        paths = self.paths["full_mix"]
        window = HUP_WINDOW_S if not self.settings.quick else 4.0
        ratios, hups, steadies = [], [], []

        def after_hup() -> Measure:
            result: list[Measure] = []
            runner = threading.Thread(
                target=lambda: result.append(wrk(recipe.base, paths, window, options))
            )
            runner.start()
            time.sleep(0.2)
            recipe.hup()
            runner.join()
            time.sleep(2.0)  # the old workers gone before the next round
            return result[0]

        for i in range(self.settings.rounds):
            if i % 2 == 0:
                hup, steady = after_hup(), wrk(recipe.base, paths, window, options)
            else:
                steady, hup = wrk(recipe.base, paths, window, options), after_hup()
            hups.append(hup.detail["p99_ms"])
            steadies.append(steady.detail["p99_ms"])
            ratios.append(hup.detail["p99_ms"] / steady.detail["p99_ms"])
        ratio = statistics.median(ratios)
        self.rows.append(
            Row(
                11,
                "p99 in the 10 s after kill -HUP ÷ steady p99",
                f"{statistics.median(hups):.1f} ms ÷ {statistics.median(steadies):.1f} ms",
                ratio,
                "<= 2",
                goal_met(ratio, "<= 2"),
                note=f"{window:g} s wrk runs through deploy/serve.py, HUP sent to the gunicorn "
                f"master 0.2 s in, {self.settings.rounds} alternating rounds",
                rounds=(min(ratios), max(ratios)),
                data={"p99_after_hup_ms": hups, "p99_steady_ms": steadies},
            )
        )

    def row_6(self) -> None:
        self.say("row 6: memory of a worker with every product cached ...")
        every = [f"/api/v1/products/{slug}/cycles" for slug in loader.slugs(self.full_url)]
        every += self.paths["full_mix"].read_text().split()
        if self.settings.single_worker_rss:
            self.servers.stop_all()
            server = self.servers.start("single", "app:create_app()", self.full_url, workers=1)
            how = "a 1-worker server"
        else:
            # Both workers have served every product by now; the larger of the two counts.
            server, how = self.full, "the larger of the 2 workers"
        before = max(server.rss_mb())
        fetch_all(server, every)
        after = max(server.rss_mb())
        if self.settings.single_worker_rss:
            self.rss_1x = after
        self.rows.append(
            Row(
                6,
                "RSS of one worker, every product cached",
                f"{after:.0f} MB",
                after,
                "<= 250",
                goal_met(after, "<= 250"),
                note=f"VmRSS of {how} after every product was loaded and judged "
                f"({before:.0f} MB before that pass)",
                data={"rss_before_mb": before, "rss_mb": after, "how": how},
            )
        )


def _rss_after_every_product(
    run: DatabaseRun, name: str, url: str, pairs: list[tuple[str, str]]
) -> tuple[float, float]:
    """A 1-worker server on ``url``: its RSS before and after reading every product once
    (its cycles, and one verdict)."""
    run.servers.stop_all()
    server = run.servers.start(name, "app:create_app()", url, workers=1)
    before = max(server.rss_mb())
    every = [f"/api/v1/products/{slug}/cycles" for slug in loader.slugs(url)]
    every += [run.endpoints.path(slug, version) for slug, version in pairs]
    fetch_all(server, every)
    after = max(server.rss_mb())
    run.servers.stop(server)
    return before, after


def row_7(run: DatabaseRun) -> None:
    title = "RSS after every product read once, 10x ÷ 1x"
    if run.ten_url is None:
        return
    run.say("row 7: memory of a worker after every product, 10x and 1x ...")
    one_pairs = [
        (slug, loader.sample(vs, 1, seed=len(slug))[0]) for slug, vs in run.versions.items()
    ]
    if run.rss_1x is None:
        run.rss_1x = _rss_after_every_product(run, "rss-1x", run.full_url, one_pairs)[1]
    version = dict(one_pairs)
    ten_pairs = [
        (slug, version[origin]) for slug, origin in run.ten_origin.items() if origin in version
    ]
    before, after = _rss_after_every_product(run, "rss-10x", run.ten_url, ten_pairs)
    ratio = after / run.rss_1x
    run.rows.append(
        Row(
            7,
            title,
            f"{after:.0f} MB ÷ {run.rss_1x:.0f} MB",
            ratio,
            "<= 1.5",
            goal_met(ratio, "<= 1.5"),
            note=f"VmRSS of a 1-worker server after every product's cycles and a verdict of "
            f"each with releases ({len(ten_pairs):,} at 10x, {len(one_pairs)} at 1x; "
            f"{before:.0f} MB at 10x before); CATALOGUE_CACHE_SIZE {_cache_size()}",
            data={"rss_10x_mb": after, "rss_1x_mb": run.rss_1x, "rss_10x_before_mb": before},
        )
    )


def _cache_size() -> str:
    from app.config import from_environment

    return str(from_environment(str(harness.ROOT / "instance"))["CATALOGUE_CACHE_SIZE"])


def hash_order(text: str) -> int:
    """A stable scatter (``hash`` of a str changes between runs)."""
    return int.from_bytes(text.encode()[::-1][:8], "little") * 2654435761 % (1 << 32)


def _settings(settings: Settings) -> dict[str, Any]:
    data = asdict(settings)
    data["wrk"] = asdict(settings.wrk)
    data["rows"] = sorted(settings.rows)
    return data


# --- output --------------------------------------------------------------------------------


def header(kind: str, result: dict[str, Any]) -> str:
    m, s = result["machine"], result["settings"]
    load = " ".join(f"{x:.2f}" for x in m["loadavg_at_start"])
    return "\n".join(
        [
            f"Lifecycle benchmark: {kind}, {m['date']}",
            f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['memory_gib']} GiB RAM, "
            f"kernel {m['kernel']}, load average at start {load}",
            f"software: Python {m['python']}, Flask {m['flask']}, SQLAlchemy {m['sqlalchemy']}, "
            f"gunicorn {m['gunicorn']}, {result['database']}, {m['wrk']}",
            f"method: gunicorn --workers 2 on 127.0.0.1, wrk -t1 -c{s['wrk']['connections']}; "
            f"{s['seconds']:g} s per side in {s['rounds']} alternating rounds; "
            f"ratio = median of the rounds' ratios; importer: {result['importer']}",
        ]
    )


def table(rows: list[dict[str, Any]]) -> str:
    cells = [("#", "row", "measured", "ratio", "rounds", "cpu ratio", "goal", "met")]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        goal = row["goal"].replace(">=", "≥").replace("<=", "≤")
        if row["number"] == 6:
            ratio = "" if row["ratio"] is None else f"{row['ratio']:.0f} MB"
            goal += " MB"
        spread = f"{row['rounds'][0]:.2f}-{row['rounds'][1]:.2f}" if row["rounds"] else ""
        cpu = f"{row['cpu_ratio']:.2f}" if row["cpu_ratio"] else ""
        met = "n/a" if row["met"] is None else ("yes" if row["met"] else "NO")
        cells.append(
            (str(row["number"]), row["title"], row["measured"], ratio, spread, cpu, goal, met)
        )
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {row['number']}: {row['note']}" for row in rows if row["note"]]
    legend = (
        "ratio: median of the alternating rounds' throughput ratios (min-max under rounds); "
        "cpu ratio: the same ratio predicted from the workers' CPU seconds per operation, "
        "which other load on the machine barely moves"
    )
    return "\n".join([*lines, "notes:", *notes, legend])


def save(kind: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = result["machine"]["date"][:19].replace(":", "")
    path = RESULTS / f"{stamp}-{kind}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


def parse_rows(text: str) -> frozenset[int]:
    """``"1,3-4"`` -> {1, 3, 4}; ValueError for anything else or a row outside 1-11."""
    rows: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        first, last = int(low), int(high or low)
        if not 1 <= first <= last <= LAST_ROW:
            raise ValueError(part)
        rows.update(range(first, last + 1))
    return frozenset(rows)


def _terminate(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM runs the same clean-up as Ctrl-C: every ``finally`` kills its servers.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=float, help="seconds per side of each ratio")
    parser.add_argument("--rounds", type=int, help="alternating rounds per ratio")
    parser.add_argument("--quick", action="store_true", help="short runs (about 2 minutes)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--pin-wrk", metavar="CPU", help="run wrk under taskset -c CPU")
    parser.add_argument("--product", default="nodejs", help="the one-product catalogue")
    parser.add_argument(
        "--rows",
        default=f"1-{LAST_ROW}",
        help="which rows to measure, e.g. 1,3 or 1-3 (default: all)",
    )
    args = parser.parse_args(argv)
    try:
        rows = parse_rows(args.rows)
    except ValueError:
        parser.error(
            f"--rows: {args.rows!r} is not a list of row numbers 1 to {LAST_ROW} such as 1,3-4"
        )
    harness.require_tools()
    signal.signal(signal.SIGTERM, _terminate)
    # Even when started in the background, where the shell would have SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    settings = Settings(
        seconds=args.duration or (2 if args.quick else 10),
        rounds=args.rounds or (2 if args.quick else 5),
        warm_seconds=1 if args.quick else 3,
        product=args.product,
        mix_size=400,
        wrk=WrkOptions(args.connections, args.pin_wrk),
        single_worker_rss=not args.quick,
        quick=args.quick,
        rows=rows,
    )
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    failed = False
    for kind in kinds:
        info = harness.machine()
        if kind == "postgresql" and (problem := harness.postgres_problem()) is not None:
            print(
                f"PostgreSQL at {harness.PG_BASE} cannot be reached ({problem}); "
                "set BENCH_POSTGRES_URL or run with --database sqlite",
                file=sys.stderr,
            )
            failed = True
            continue
        try:
            result = DatabaseRun(kind, settings, info).run()
        except KeyboardInterrupt:
            print("interrupted; servers stopped and databases dropped", file=sys.stderr)
            return 130
        except Exception:
            traceback.print_exc()
            failed = True
            continue
        print()
        print(header(kind, result))
        print(table(result["rows"]))
        print(f"saved {save(kind, result).relative_to(harness.ROOT)}")
        print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
