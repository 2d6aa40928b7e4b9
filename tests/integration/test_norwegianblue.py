"""endoflife.date's own client, norwegianblue, against a live server (SPEC 11)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.clock import EXTENSION, FixedClock
from tests.factories import WEB, seeded_app, serve

AS_OF = WEB.as_of

norwegianblue = pytest.importorskip("norwegianblue")


@pytest.fixture(scope="module")
def base_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("norwegianblue")
    with seeded_app("sqlite", sqlite_template, tmp, WEB) as app:
        app.extensions[EXTENSION] = FixedClock.on(AS_OF)  # today is the demo day
        with serve(app) as url:
            yield url


@pytest.fixture
def eol(base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """norwegianblue pointed at the live server, with an empty cache."""
    from norwegianblue import _cache

    # The client appends "<product>.json" to its base URL.
    monkeypatch.setattr(norwegianblue, "BASE_URL", f"{base_url}/api/")
    monkeypatch.setattr(_cache, "CACHE_DIR", tmp_path / "cache")
    return norwegianblue


def _table(markdown: str) -> list[dict[str, str]]:
    lines = [line.strip() for line in markdown.strip().splitlines()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


def test_product_table_has_the_cycles_and_their_last_days(eol: object) -> None:
    printed = norwegianblue.norwegianblue("aperturedb", format="markdown", color="no")
    assert isinstance(printed, str)
    rows = _table(printed)
    assert [r["cycle"] for r in rows] == ["4", "3", "2", "1"]
    assert rows[0] == {
        "cycle": "4",
        "release": "2026-06-01",
        "latest": "4.1.0",
        "latest release": "2026-10-05",
        "support": "2027-05-31",
        "eol": "False",
    }
    assert rows[1]["support"] == "2026-05-31"
    assert rows[1]["eol"] == "2027-05-31"
    assert rows[3] == {
        "cycle": "1",
        "release": "2023-05-02",
        "latest": "1.2.0",
        "latest release": "2023-11-06",
        "support": "2024-04-14",
        "eol": "2025-06-01",
    }


def test_minor_cycles_and_open_support(eol: object) -> None:
    data = norwegianblue.norwegianblue("keystone", format=None)
    assert isinstance(data, list)
    assert [(c["cycle"], c["support"], c["eol"]) for c in data] == [
        ("1.30", True, False),
        ("1.29", True, False),
        ("1.28", "2026-08-02", False),
        ("1.27", "2026-04-05", "2026-08-02"),
        ("1.26", "2025-11-30", "2026-04-05"),
    ]


def test_all_products_and_unknown_product(eol: object) -> None:
    assert norwegianblue.all_products() == ["aperturedb", "keystone", "nebula", "relay"]
    with pytest.raises(ValueError, match=r"Product 'aperturedbx' not found.*'aperturedb'"):
        norwegianblue.norwegianblue("aperturedbx", format="markdown", color="no")
