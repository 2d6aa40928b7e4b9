"""The test of real lifecycles (SPEC 14): every endoflife.date definition of the project's
shared data, read by the core and derived, gives endoflife.date's own v0 answer, field by
field, for every cycle released by the as-of date; and the statuses agree with its own.

The definitions are the front matter of endoflife.date's ``products/*.md`` at commit
a70eca33 (2026-08-22), in the shared data folder beside the project (``ENDOFLIFE_DATA``
names another); where they are absent the tests skip, as the release-data ones do.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from endoflife_oracle import V0_FIELDS, is_eoas, is_eol, v0

from lifecycle.cycles import ProductCycles
from lifecycle.endoflife import ProductDefinition, product_v0, read_definition
from lifecycle.status import Status


def _data_folder() -> Path | None:
    named = os.environ.get("ENDOFLIFE_DATA")
    if named:
        return Path(named)
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "data" / "endoflife"
        if candidate.is_dir():
            return candidate
    return None


DATA = _data_folder()
ABSENT = pytest.mark.skipif(
    DATA is None or not any(DATA.glob("*.json")), reason="endoflife.date definitions are absent"
)
pytestmark = ABSENT

# The service's as-of dates to compare on: after the definitions' own date, and that date.
AS_OF_DATES = (date(2026, 12, 3), date(2026, 8, 22))
ABSENT_FIELD = "<absent>"
DOTTED = re.compile(r"[0-9]+(\.[0-9]+)*")


@dataclass(frozen=True)
class Product:
    slug: str
    raw: dict[str, Any]
    definition: ProductDefinition
    cycles: ProductCycles


@pytest.fixture(scope="module")
def products() -> list[Product]:
    assert DATA is not None
    found = []
    for path in sorted(DATA.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        definition = read_definition(raw, path.stem)
        found.append(Product(path.stem, raw, definition, definition.derive()))
    return found


def test_every_definition_is_read_and_only_names_that_are_no_dotted_number_are_refused(
    products: list[Product],
) -> None:
    for product in products:
        names = [r["releaseCycle"] for r in product.raw["releases"]]
        not_dotted = [n for n in names if not DOTTED.fullmatch(n)]
        assert [r.name for r in product.definition.refused] == not_dotted, product.slug
        assert all("not a dotted number" in r.reason for r in product.definition.refused)
        assert sorted(c.key for c in product.cycles.newest_first) == sorted(
            n for n in names if n not in not_dotted
        ), product.slug


def test_the_counts_of_the_snapshot(products: list[Product]) -> None:
    """Products, cycles, refused cycles and fields ignored, as the handoff reports them."""
    cycles = sum(len(p.raw["releases"]) for p in products)
    refused = sum(len(p.definition.refused) for p in products)
    fully_refused = [p.slug for p in products if not p.definition.records]
    ignored = sum(len(p.definition.ignored) for p in products)
    assert (len(products), cycles, refused, len(fully_refused), ignored) == (
        464,
        8321,
        1425,
        17,
        92,
    )


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_v0_agrees_with_endoflife_dates_own_field_by_field(
    products: list[Product], as_of: date
) -> None:
    mismatches: list[tuple[object, ...]] = []
    compared = 0
    for product in products:
        refused = {r.name for r in product.definition.refused}
        theirs = {
            c["cycle"]: c
            for c in v0(product.raw)
            if c["cycle"] not in refused and date.fromisoformat(c["releaseDate"]) <= as_of
        }
        ours = {c["cycle"]: c for c in product_v0(product.cycles, as_of)}
        if set(ours) != set(theirs):
            mismatches.append((product.slug, "cycles listed", sorted(set(ours) ^ set(theirs))))
        for name, expected in theirs.items():
            got = ours.get(name)
            if got is None:
                continue
            compared += 1
            for field in V0_FIELDS:
                if got.get(field, ABSENT_FIELD) != expected.get(field, ABSENT_FIELD):
                    mismatches.append(
                        (product.slug, name, field, got.get(field), expected.get(field))
                    )
    assert mismatches == []
    assert compared == 6896  # every accepted cycle: none is released after the snapshot


def test_v0_before_the_definitions_date_agrees_on_every_lifecycle_field(
    products: list[Product],
) -> None:
    """Earlier, fewer cycles are out; their dates and lts do not depend on the day. Only
    ``latest`` does, here (the highest release out by then): a definition's is of its date."""
    as_of = date(2019, 6, 30)
    mismatches: list[tuple[object, ...]] = []
    for product in products:
        refused = {r.name for r in product.definition.refused}
        theirs = {
            c["cycle"]: c
            for c in v0(product.raw)
            if c["cycle"] not in refused and date.fromisoformat(c["releaseDate"]) <= as_of
        }
        ours = {c["cycle"]: c for c in product_v0(product.cycles, as_of)}
        assert set(ours) == set(theirs), product.slug
        for name, expected in theirs.items():
            for field in ("cycle", "releaseDate", "support", "eol", "lts"):
                if ours[name].get(field, ABSENT_FIELD) != expected.get(field, ABSENT_FIELD):
                    mismatches.append((product.slug, name, field))
            day = expected.get("latestReleaseDate")
            if day is not None and date.fromisoformat(day) <= as_of:
                assert ours[name]["latest"] == expected["latest"], (product.slug, name)
            else:  # nothing is shown as out before the day it came out
                shown_on = ours[name].get("latestReleaseDate")
                assert shown_on is None or str(shown_on) <= as_of.isoformat()
    assert mismatches == []


@pytest.mark.parametrize("as_of", (*AS_OF_DATES, date(2019, 6, 30)), ids=str)
def test_statuses_agree_with_endoflife_dates_own(products: list[Product], as_of: date) -> None:
    """End of life exactly where endoflife.date says a cycle is EOL on that day; else security
    fixes only exactly where it says active support is over (for products that have it)."""
    wrong: list[tuple[str, str, str]] = []
    for product in products:
        for release in product.raw["releases"]:
            cycle = product.cycles.by_key.get(release["releaseCycle"])
            if cycle is None or date.fromisoformat(release["releaseDate"]) > as_of:
                continue
            status = cycle.status(as_of)
            if is_eol(release, as_of):
                ok = status in (Status.EOL, Status.EOSL)
            elif is_eoas(release, as_of):
                ok = status is Status.SECURITY_ONLY
            else:
                ok = status is Status.CURRENT
            if not ok:
                wrong.append((product.slug, cycle.key, status.value))
    assert wrong == []
