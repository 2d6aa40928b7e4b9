"""The catalogue commands (SPEC 7): demo, export, import and import-release-data,
through Flask's CLI runner, on both databases."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from packaging.version import InvalidVersion, Version
from sqlalchemy import text

from app.catalogue.demo import demo_document
from lifecycle.status import Status
from tests.conftest import PostgresSchema, dispose, make_app, require_postgres

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "release-data"
EMPTY = {"format": "lifecycle-catalogue", "version": 1}


def invoke(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=list(args))


def export(runner: FlaskCliRunner) -> str:
    result = invoke(runner, "export")
    assert result.exit_code == 0, result.output
    return result.stdout


def write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def revisions(app: Flask) -> dict[str, int]:
    with app.extensions["db_engine"].connect() as conn:
        rows = conn.execute(text("SELECT slug, revision FROM products")).all()
        platforms = conn.execute(text("SELECT platforms_revision FROM catalogue_state")).scalar()
    return {**{slug: revision for slug, revision in rows}, "(platforms)": platforms}


def body(client: FlaskClient, url: str) -> Any:
    """The JSON body of a GET that must answer 200."""
    answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def cycles(client: FlaskClient, slug: str, as_of: str) -> list[tuple[str, str]]:
    return [
        (c["cycle"], c["status"])
        for c in body(client, f"/api/v1/products/{slug}/cycles?as_of={as_of}")
    ]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Flask]:
    """One database per kind with the demo loaded, shared by the tests that leave it as it is."""
    folder = tmp_path_factory.mktemp("demo")
    schema = None
    if request.param == "sqlite":
        shutil.copyfile(sqlite_template, folder / "demo.sqlite")
        url = f"sqlite:///{folder / 'demo.sqlite'}"
    else:
        require_postgres()
        schema = PostgresSchema()
        url = schema.url
    app = make_app(url, folder)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    yield app
    dispose(app)
    if schema is not None:
        schema.drop()


# --- demo ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "as_of", "expected"),
    [
        pytest.param(
            "aperturedb",
            "2026-11-23",
            [("4", "prerelease"), ("3", "planned"), ("2", "current"), ("1", "security_only")],
            id="aperturedb-today",
        ),
        pytest.param(
            "aperturedb",
            "2027-03-01",
            [("4", "prerelease"), ("3", "current"), ("2", "security_only"), ("1", "eol")],
            id="aperturedb-3.0-ships",
        ),
        pytest.param(
            "aperturedb",
            "2027-09-01",
            [("4", "prerelease"), ("3", "current"), ("2", "security_only"), ("1", "eosl")],
            id="aperturedb-1-reaches-eosl",
        ),
        pytest.param(
            "fluxgate",
            "2026-11-23",
            [("5", "current"), ("4", "security_only"), ("3", "eol"), ("2", "eosl"), ("1", "eosl")],
            id="fluxgate-today",
        ),
        pytest.param(
            "fluxgate",
            "2027-01-06",
            [("5", "current"), ("4", "security_only"), ("3", "eosl"), ("2", "eosl"), ("1", "eosl")],
            id="fluxgate-3-reaches-eosl",
        ),
        pytest.param(
            "clusterd",
            "2026-11-23",
            [
                ("1.39", "prerelease"),
                ("1.38", "planned"),
                ("1.37", "current"),
                ("1.36", "current"),
                ("1.35", "current"),
                ("1.34", "eol"),
                ("1.33", "eosl"),
                ("1.32", "eosl"),
            ],
            id="clusterd-today",
        ),
        pytest.param(
            "clusterd",
            "2026-12-16",
            [
                ("1.39", "prerelease"),
                ("1.38", "current"),
                ("1.37", "current"),
                ("1.36", "current"),
                ("1.35", "eol"),
                ("1.34", "eol"),
                ("1.33", "eosl"),
                ("1.32", "eosl"),
            ],
            id="clusterd-1.38-ships",
        ),
    ],
)
def test_demo_cycles_move_through_the_statuses(
    demo_app: Flask, slug: str, as_of: str, expected: list[tuple[str, str]]
) -> None:
    assert cycles(demo_app.test_client(), slug, as_of) == expected


def test_demo_shows_every_status_today_and_is_idempotent(
    runner: FlaskCliRunner, client: FlaskClient, app: Flask
) -> None:
    first = invoke(runner, "demo")
    assert first.exit_code == 0, first.output
    assert "Loaded the demo catalogue" in first.stdout
    seen = {
        status
        for slug in ("aperturedb", "fluxgate", "clusterd")
        for _, status in cycles(client, slug, "2026-11-23")
    }
    # Every status a cycle can have (SPEC 3.2); "unknown" is for versions no cycle holds.
    assert seen == {s.value for s in Status if s is not Status.UNKNOWN}

    before, state = export(runner), revisions(app)
    again = invoke(runner, "demo")
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.stdout
    assert export(runner) == before
    assert revisions(app) == state


def test_demo_platforms_and_matrix(demo_app: Flask) -> None:
    client = demo_app.test_client()
    platforms = {p["slug"]: p for p in body(client, "/api/v1/platforms")}
    assert set(platforms) == {"ubuntu", "rhel", "windows-server"}
    ubuntu = {v["version"]: v["vendor_eol"] for v in platforms["ubuntu"]["versions"]}
    assert ubuntu["22.04"] == "2027-06-01"
    assert date.fromisoformat(ubuntu["20.04"]) < date(2026, 11, 23)
    assert all(v["vendor_eol"] for p in platforms.values() for v in p["versions"])
    cycle = body(client, "/api/v1/products/aperturedb/cycles/2?as_of=2026-11-23")
    assert {(e["platform"], e["version"]) for e in cycle["platforms"]} == {
        ("ubuntu", "22.04"),
        ("ubuntu", "24.04"),
        ("rhel", "8"),
        ("rhel", "9"),
        ("windows-server", "2019"),
        ("windows-server", "2022"),
    }


# --- export and import ---------------------------------------------------------------------

# Beyond the demo: text in every field that must survive, a recorded "v" prefix, a product
# with no releases, a text platform version matched case-insensitively, no vendor EOL.
EXTRA_PRODUCTS = [
    {
        "slug": "zeta",
        "name": "Zêta ✓ «quoted»",
        "description": "Two lines,\nand a tab\there.",
        "policy": {"cycle": "major", "full_support_cycles": 2, "security_cycles": 0},
        "releases": [
            {"version": "v1.0.0", "released_on": "2024-05-01", "notes": "Première ✓"},
            {"version": " 0.9 ", "released_on": "2023-12-31"},
            {"version": "2.0.0-rc.1", "released_on": "2026-10-01", "notes": None},
        ],
        "matrix": [{"cycle": "1", "platforms": [{"platform": "macos", "version": "sonoma"}]}],
    },
    {"slug": "empty", "name": "Nothing yet"},
]
EXTRA_PLATFORMS = [
    {
        "slug": "macos",
        "name": "macOS",
        "versions": [{"version": "Sonoma"}, {"version": "15", "vendor_eol": None}],
    }
]


def rich_document() -> dict[str, Any]:
    document = demo_document()
    document["products"] += EXTRA_PRODUCTS
    document["platforms"] += EXTRA_PLATFORMS
    return document


def test_export_import_round_trip_is_identical(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "import", write(tmp_path / "rich.json", rich_document()))
    assert result.exit_code == 0, result.output
    first = export(runner)
    exported = json.loads(first)
    zeta = next(p for p in exported["products"] if p["slug"] == "zeta")
    assert zeta["name"] == "Zêta ✓ «quoted»"
    assert zeta["description"] == "Two lines,\nand a tab\there."
    assert [r["version"] for r in zeta["releases"]] == ["0.9", "v1.0.0", "2.0.0-rc.1"]
    assert zeta["releases"][1]["notes"] == "Première ✓"
    assert zeta["matrix"] == [
        {"cycle": "1", "platforms": [{"platform": "macos", "version": "Sonoma"}]}
    ]

    emptied = invoke(runner, "import", "--replace", write(tmp_path / "empty.json", EMPTY))
    assert emptied.exit_code == 0, emptied.output
    assert json.loads(export(runner)) == {**EMPTY, "products": [], "platforms": []}

    (tmp_path / "first.json").write_text(first, encoding="utf-8")
    again = invoke(runner, "import", str(tmp_path / "first.json"))
    assert again.exit_code == 0, again.output
    assert export(runner) == first
    to_file = invoke(runner, "export", str(tmp_path / "second.json"))
    assert to_file.exit_code == 0, to_file.output
    assert (tmp_path / "second.json").read_text(encoding="utf-8") == first


def test_import_merges_by_slug_and_replace_deletes_the_rest(
    runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    assert invoke(runner, "demo").exit_code == 0
    assert cycles(client, "aperturedb", "2026-11-23")[1] == ("3", "planned")
    document = json.loads(export(runner))
    aperturedb = document["products"][0]
    aperturedb["name"] = "ApertureDB Server"
    aperturedb["releases"].append({"version": "3.1.0", "released_on": "2026-05-05"})
    merge = {**EMPTY, "products": [aperturedb]}

    result = invoke(runner, "import", write(tmp_path / "merge.json", merge))
    assert result.exit_code == 0, result.output
    assert "products: 0 created, 1 updated, 0 unchanged" in result.stdout
    assert "releases: 1 added" in result.stdout
    # The cached cycles see the change: cycle 3 has shipped (3.1.0 on 2026-05-05).
    assert cycles(client, "aperturedb", "2026-11-23")[1] == ("3", "current")
    assert body(client, "/api/v1/products/aperturedb")["name"] == "ApertureDB Server"
    assert client.get("/api/v1/products/fluxgate").status_code == 200

    # Replacing with a file that has aperturedb alone, without its matrix or any platform.
    only = write(tmp_path / "only.json", {**EMPTY, "products": [{**aperturedb, "matrix": []}]})
    dry = invoke(runner, "import", "--replace", "--dry-run", only)
    assert dry.exit_code == 0, dry.output
    assert "products: 0 created, 0 updated, 1 unchanged, 2 deleted" in dry.stdout
    assert "platforms: 0 created, 0 updated, 0 unchanged, 3 deleted" in dry.stdout
    assert client.get("/api/v1/products/fluxgate").status_code == 200

    replaced = invoke(runner, "import", "--replace", only)
    assert replaced.exit_code == 0, replaced.output
    assert client.get("/api/v1/products/fluxgate").status_code == 404
    assert [p["slug"] for p in body(client, "/api/v1/products")] == ["aperturedb"]
    assert body(client, "/api/v1/platforms") == []
    assert body(client, "/api/v1/products/aperturedb/cycles/2")["platforms"] == []


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], str]:
    """A change to one place of the exported document, e.g. "products.2.releases.7.version"."""

    def change(document: dict[str, Any]) -> str:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
        return json.dumps(document)

    return change


def _append(path: str, value: Any) -> Callable[[dict[str, Any]], str]:
    def change(document: dict[str, Any]) -> str:
        target: Any = document
        for part in path.split("."):
            target = target[int(part)] if part.isdigit() else target[part]
        target.append(value)
        return json.dumps(document)

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            _set("products.2.releases.7.version", "x"),
            "products[2].releases[7].version: Invalid version: 'x'",
            id="bad-version-deep-inside",
        ),
        pytest.param(
            _set("products.1.matrix.2.platforms.1.platform", "solaris"),
            "products[1].matrix[2].platforms[1].platform: Unknown platform 'solaris'.",
            id="unknown-platform-in-matrix",
        ),
        pytest.param(
            _set("products.0.matrix.0.platforms.1", {"platform": "ubuntu", "version": "18.04"}),
            "products[0].matrix[0].platforms[1].version: Platform 'ubuntu' has no version '18.04'.",
            id="unknown-platform-version-in-matrix",
        ),
        pytest.param(
            lambda d: json.dumps(d)[:-40],
            "Not JSON:",
            id="malformed-json",
        ),
        pytest.param(
            lambda d: "[]",
            "(document): A catalogue file is a JSON object.",
            id="not-an-object",
        ),
        pytest.param(
            _set("products.1.colour", "red"),
            "products[1].colour: Unknown field.",
            id="unknown-field",
        ),
        pytest.param(
            _set("exported_by", "someone"),
            "exported_by: Unknown field.",
            id="unknown-top-level-field",
        ),
        pytest.param(
            _set("version", 2),
            "version: Unsupported catalogue format version 2; this Lifecycle reads version 1.",
            id="newer-format-version",
        ),
        pytest.param(
            _set("products.0.releases.3.released_on", "2024-02-30"),
            "products[0].releases[3].released_on: Not a valid date.",
            id="impossible-date",
        ),
        pytest.param(
            _set("products.1.policy.full_support_cycles", 0),
            "products[1].policy.full_support_cycles:",
            id="bad-policy",
        ),
        pytest.param(
            _set("products.1.matrix.0.cycle", "1.34.2"),
            "products[1].matrix[0].cycle: Invalid cycle '1.34.2'",
            id="cycle-key-against-the-policy",
        ),
        pytest.param(
            _append("products.0.releases", {"version": "2.1", "released_on": "2026-06-15"}),
            "products[0].releases[13].version: '2.1' is the same version as releases[7] ('2.1.0').",
            id="same-version-twice",
        ),
        pytest.param(
            _set("products.0.releases.0.released_on", "2020-01-01"),
            "products[0].releases[0]: aperturedb has this release already, released on "
            "2023-03-01, not 2020-01-01; merging never changes a recorded release",
            id="conflicts-with-a-recorded-release",
        ),
        pytest.param(
            _set("platforms.1.versions.1.version", "22.4"),
            "platforms[1].versions[1].version: ubuntu has this version recorded as '22.04'",
            id="conflicts-with-a-platform-version",
        ),
    ],
)
def test_a_broken_file_is_refused_whole_and_says_where(
    demo_app: Flask, tmp_path: Path, change: Callable[[dict[str, Any]], str], expected: str
) -> None:
    runner = demo_app.test_cli_runner()
    before = export(runner)
    document = json.loads(before)
    # Good news in the same file must not be written either.
    document["products"].append(
        {
            "slug": "newcomer",
            "name": "New",
            "releases": [{"version": "1", "released_on": "2026-01-01"}],
        }
    )
    document["platforms"].append({"slug": "freebsd", "name": "FreeBSD", "versions": []})
    document["products"][1]["name"] = "Renamed"
    path = tmp_path / "broken.json"
    path.write_text(change(document), encoding="utf-8")

    result = invoke(runner, "import", str(path))
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.stderr
    assert expected in result.stderr
    assert result.stdout == ""
    assert export(runner) == before


# --- import-release-data -----------------------------------------------------------------


def expected_history(path: Path) -> tuple[dict[Version, tuple[str, str]], int]:
    """Independently of the app: each distinct version's (earliest date, first string)
    and how many strings do not parse."""
    best: dict[Version, tuple[str, str]] = {}
    unparseable = 0
    for version, info in json.loads(path.read_text(encoding="utf-8"))["versions"].items():
        try:
            parsed = Version(Version(version).public)
        except InvalidVersion:
            unparseable += 1
            continue
        known = best.get(parsed)
        if known is None or info["date"] < known[0]:
            best[parsed] = (info["date"], version)
    return best, unparseable


def counts(output: str) -> dict[str, int]:
    """The summary line's numbers by their words."""
    summary = output.strip().splitlines()[-1].split(", in ")[0]
    return {words: int(n) for n, words in re.findall(r"(\d+) ([a-z]+(?: [a-z]+)*)", summary)}


def releases(client: FlaskClient, slug: str) -> dict[str, str]:
    return {
        r["version"]: r["released_on"] for r in body(client, f"/api/v1/products/{slug}/releases")
    }


def test_release_data_counts_are_exact(runner: FlaskCliRunner, client: FlaskClient) -> None:
    files = sorted(FIXTURES.glob("*.json"))
    assert [f.name for f in files] == ["ibm-semeru.json", "tarteaucitron.json"]
    result = invoke(runner, "import-release-data", *map(str, files))
    assert result.exit_code == 0, result.output

    total = added = unparseable = 0
    for path in files:
        best, bad = expected_history(path)
        total += len(json.loads(path.read_text(encoding="utf-8"))["versions"])
        added += len(best)
        unparseable += bad
        stored = releases(client, path.stem)
        assert stored == {text: day for day, text in best.values()}, path.name
    numbers = counts(result.stdout)
    assert numbers["files"] == 2
    assert numbers["products created"] == 2
    assert numbers["versions read"] == total
    assert numbers["releases added"] == added
    assert numbers["skipped unparseable"] == unparseable > 0
    assert numbers["skipped undated"] == 0
    assert numbers["duplicates merged"] == total - added - unparseable > 0


@pytest.mark.parametrize(
    ("slug", "version", "day"),
    [
        pytest.param("tarteaucitron", "1.2", "2019-10-31", id="later-string-earlier-date"),
        pytest.param("ibm-semeru", "21.0.10+7", "2026-01-30", id="build-metadata-variants"),
    ],
)
def test_release_data_duplicates_keep_the_earliest_date(
    runner: FlaskCliRunner, client: FlaskClient, slug: str, version: str, day: str
) -> None:
    result = invoke(runner, "import-release-data", str(FIXTURES / f"{slug}.json"))
    assert result.exit_code == 0, result.output
    stored = releases(client, slug)
    assert stored[version] == day
    same = [v for v in stored if Version(Version(v).public) == Version(Version(version).public)]
    assert same == [version]


CRAFTED = {
    "releases": {},
    "versions": {
        "1.0.0": {"date": "2020-01-10"},
        "v1.0": {"date": "2020-01-01"},  # the same version, earlier: kept
        "1.0.0.0": {"date": "2020-02-01"},  # the same again, later
        "1.1.0": {"date": "2020-03-04T10:11:12Z"},  # a datetime: its date
        "1.2.0": {"name": "1.2.0"},  # no date
        "1.3.0": {"date": None},
        "1.4.0": {"date": "1899-12-31"},  # out of range
        "1.5.0": {"date": "soon"},
        "1.6.0": "2020-06-01",  # not an object
        "2.0.0-SNAPSHOT": {"date": "2021-01-01"},  # does not parse
        "latest": {"date": "2021-01-01"},
        "2.0.0rc1": {"date": "2021-02-01"},
    },
}


def test_release_data_skips_and_counts_what_it_cannot_use(
    runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    crafted = tmp_path / "Crafted.json"  # upper case: the slug is lower-cased
    crafted.write_text(json.dumps(CRAFTED), encoding="utf-8")
    result = invoke(runner, "import-release-data", str(crafted))
    assert result.exit_code == 0, result.output
    assert counts(result.stdout) == {
        "files": 1,
        "imported": 1,
        "bad": 0,
        "products created": 1,
        "versions read": 12,
        "releases added": 3,
        "present already": 0,
        "duplicates merged": 2,
        "skipped unparseable": 2,
        "skipped undated": 5,
    }
    assert releases(client, "crafted") == {
        "v1.0": "2020-01-01",
        "1.1.0": "2020-03-04",
        "2.0.0rc1": "2021-02-01",
    }
    assert body(client, "/api/v1/products/crafted")["name"] == "crafted"


def test_release_data_bad_files_are_reported_and_skipped(
    runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    bad = {
        "garbage.json": b"\x00\xffnot json at all",
        "truncated.json": b'{"versions": {"1.0": {"date": "2020-',
        "list.json": b"[1, 2, 3]",
        "no-versions.json": b'{"releases": {}}',
        "bad_name.json": b'{"versions": {}}',
    }
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"versions": {"1.0": {"date": "2020-01-01"}}}), encoding="utf-8")
    result = invoke(runner, "import-release-data", *(str(tmp_path / n) for n in bad), str(good))
    assert result.exit_code == 1, result.output
    for name in bad:
        assert name in result.stderr
    assert "'bad_name' cannot be a product slug" in result.stderr
    assert "not JSON" in result.stderr
    numbers = counts(result.stdout)
    assert (numbers["files"], numbers["imported"], numbers["bad"]) == (6, 1, 5)
    assert releases(client, "good") == {"1.0": "2020-01-01"}
    slugs = [p["slug"] for p in body(client, "/api/v1/products")]
    assert slugs == ["good"]


def test_release_data_merges_into_an_existing_product(
    runner: FlaskCliRunner, client: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    mine = {
        **EMPTY,
        "products": [
            {
                "slug": "tarteaucitron",
                "name": "Tarte au citron",
                "releases": [
                    {"version": "1.2.0", "released_on": "2018-01-01", "notes": "ours"},
                    {"version": "0.1", "released_on": "2017-01-01"},
                ],
            }
        ],
    }
    assert invoke(runner, "import", write(tmp_path / "mine.json", mine)).exit_code == 0
    revision = revisions(app)["tarteaucitron"]
    path = FIXTURES / "tarteaucitron.json"
    best, _ = expected_history(path)

    first = invoke(runner, "import-release-data", str(path))
    assert first.exit_code == 0, first.output
    numbers = counts(first.stdout)
    assert (numbers["products created"], numbers["present already"]) == (0, 1)
    assert numbers["releases added"] == len(best) - 1
    stored = releases(client, "tarteaucitron")
    assert stored["1.2.0"] == "2018-01-01"  # ours, kept
    assert "1.2" not in stored
    assert stored["0.1"] == "2017-01-01"
    assert len(stored) == len(best) + 1
    assert body(client, "/api/v1/products/tarteaucitron")["name"] == "Tarte au citron"
    assert revisions(app)["tarteaucitron"] == revision + 1

    again = invoke(runner, "import-release-data", str(path))
    assert again.exit_code == 0, again.output
    assert counts(again.stdout)["releases added"] == 0
    assert revisions(app)["tarteaucitron"] == revision + 1


@pytest.mark.parametrize("command", ["demo", "export", "import", "import-release-data"])
def test_every_command_explains_itself(demo_app: Flask, command: str) -> None:
    result = invoke(demo_app.test_cli_runner(), command, "--help")
    assert result.exit_code == 0
    assert len(result.stdout.split()) > 40
