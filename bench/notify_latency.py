"""How long after a writer's commit returns a listening worker has the notification.

This is the window in which another worker may still serve a product's previous
state on PostgreSQL (README, "Caching"). One connection commits ``pg_notify``,
another polls its socket without blocking, as a worker's read does.

    .venv/bin/python bench/notify_latency.py [--count N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PG_BASE

CHANNEL = "lifecycle_bench_latency"


def measure(count: int, pause: float = 0.002) -> list[float]:
    conninfo = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    received: list[Any] = []
    with (
        psycopg.connect(conninfo, autocommit=True) as listener,
        psycopg.connect(conninfo, autocommit=True) as writer,
    ):
        listener.add_notify_handler(received.append)
        listener.execute(f'LISTEN "{CHANNEL}"')
        pgconn = listener.pgconn
        seconds = []
        for _ in range(count):
            received.clear()
            writer.execute(f"SELECT pg_notify('{CHANNEL}', 'x')")
            started = time.perf_counter()
            while not received:
                pgconn.consume_input()
                while (notify := pgconn.notifies()) is not None:
                    pgconn.notify_handler(notify)
            seconds.append(time.perf_counter() - started)
            time.sleep(pause)
    return sorted(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    s = measure(args.count)

    def micros(q: float) -> str:
        return f"{s[min(len(s) - 1, int(q * len(s)))] * 1e6:,.0f} µs"

    print(
        f"{len(s)} notifications: median {micros(0.5)}, 99th percentile {micros(0.99)}, "
        f"max {micros(1)} after the writer's commit returned"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
