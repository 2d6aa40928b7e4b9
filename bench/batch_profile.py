"""Row 3 of ``make bench`` in one process, to see where a batch's time goes.

The same 10,000 distinct (product, version) queries as row 3, on a SQLite copy of the
whole release-data set, answered by one batch POST and by single GETs through Flask's
test client (no server, no wrk, one core), and by ``answer_batch`` alone::

    .venv/bin/python bench/batch_profile.py [--db PATH] [--rounds 5] [--singles 2000] [--profile]

``--db`` keeps the imported database at PATH and reuses it on later runs; ``--profile``
prints cProfile's busiest functions for one batch. Times are the best of ``--rounds``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness
import loader
from run import BATCH_SIZE, DATA, PLATFORM, add_platform_matrix, batch_body, distinct_pairs

PRODUCT = "nodejs"  # the product whose every cycle lists ubuntu 22.04, as in make bench


def prepare(path: Path) -> str:
    url = f"sqlite:///{path}"
    if not path.exists():
        print(f"importing the release data into {path} ...", flush=True)
        harness.flask("db", "upgrade", database_url=url)
        files = sorted(map(str, DATA.glob("*.json")))
        harness.flask("import-release-data", "--quiet", *files, database_url=url)
        add_platform_matrix(url, PRODUCT)
    return url


def best(rounds: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="keep the database here (reused when present)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--singles", type=int, default=2000, help="single GETs timed per round")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        url = prepare(args.db or Path(work) / "full.sqlite")
        from app import create_app
        from app.eligibility.batch import answer_batch

        pairs = distinct_pairs(loader.versions_by_product(url), BATCH_SIZE)
        body = batch_body(pairs)
        queries = json.loads(body)
        paths = [
            "/api/v1/eligibility?" + urlencode({"product": p, "version": v, **PLATFORM})
            for p, v in pairs[: args.singles]
        ]
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": False})
        client = app.test_client()

        def post() -> None:
            answer = client.post("/api/v1/eligibility", data=body, content_type="application/json")
            assert answer.status_code == 200, answer.status_code

        def singles() -> None:
            for path in paths:
                assert client.get(path).status_code == 200

        post()  # loads every product
        singles()
        with app.app_context():
            today = date.today()
            if args.profile:
                profile = cProfile.Profile()
                profile.runcall(answer_batch, queries, today)
                pstats.Stats(profile).sort_stats("tottime").print_stats(25)
            pure = best(args.rounds, lambda: answer_batch(queries, today))
        batch = best(args.rounds, post)
        single = best(args.rounds, singles) / len(paths)
        app.extensions["db_engine"].dispose()
        app.extensions["catalogue"].dispose()

    per_query = batch / BATCH_SIZE
    print(f"batch POST       {per_query * 1e6:8.1f} µs per query")
    print(f"answer_batch     {pure / BATCH_SIZE * 1e6:8.1f} µs per query")
    print(f"single GET       {single * 1e6:8.1f} µs per query")
    print(f"single ÷ batch   {single / per_query:8.1f}  (through the test client, not gunicorn)")


if __name__ == "__main__":
    main()
