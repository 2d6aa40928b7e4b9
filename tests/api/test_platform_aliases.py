"""Platform version aliases (SPEC 17) on both databases: written through the platform API,
unique within the platform (a second claim is a 409), found by eligibility, and kept by
export and import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

PLATFORMS = "/api/v1/platforms"
UBUNTU = {
    "slug": "ubuntu",
    "name": "Ubuntu",
    "versions": [
        {"version": "22.04", "vendor_eol": "2027-06-01", "aliases": ["jammy", "22.04 LTS"]},
        {"version": "24.04"},
    ],
}


def create(client: FlaskClient, admin: dict[str, str], platform: dict[str, Any]) -> Any:
    return client.post(PLATFORMS, json=platform, headers=admin)


def put(client: FlaskClient, admin: dict[str, str], version: str, body: dict[str, Any]) -> Any:
    return client.put(f"{PLATFORMS}/ubuntu/versions/{version}", json=body, headers=admin)


def test_aliases_are_written_read_and_changed(client: FlaskClient, admin: dict[str, str]) -> None:
    created = create(client, admin, UBUNTU)
    assert created.status_code == 201
    assert created.json["versions"] == [
        {"version": "22.04", "vendor_eol": "2027-06-01", "aliases": ["jammy", "22.04 LTS"]},
        {"version": "24.04", "vendor_eol": None},  # none: the answer it always was
    ]
    changed = put(client, admin, "24.04", {"vendor_eol": None, "aliases": [" noble "]})
    assert changed.status_code == 200
    assert changed.json == {"version": "24.04", "vendor_eol": None, "aliases": ["noble"]}
    # Absent aliases are left as they are; an empty list clears them.
    kept = put(client, admin, "22.4", {"vendor_eol": "2027-06-02"})
    assert kept.json["aliases"] == ["jammy", "22.04 LTS"]
    added = put(client, admin, "25.04", {"vendor_eol": None, "aliases": ["plucky"]})
    assert added.status_code == 201 and added.json["aliases"] == ["plucky"]
    cleared = put(client, admin, "25.04", {"vendor_eol": None, "aliases": []})
    assert "aliases" not in cleared.json
    # A name freed by one version may be taken by another.
    assert put(client, admin, "24.04", {"vendor_eol": None, "aliases": []}).status_code == 200
    assert (
        put(client, admin, "25.04", {"vendor_eol": None, "aliases": ["noble"]}).status_code == 200
    )
    assert client.get(f"{PLATFORMS}/ubuntu").json["versions"][2]["aliases"] == ["noble"]


@pytest.mark.parametrize(
    ("version", "aliases"),
    [
        ("24.04", ["Jammy"]),  # another version's alias, in another case
        ("24.04", ["22.4"]),  # another version's own name
        ("24.04", ["22.04 lts"]),
    ],
)
def test_a_second_claim_of_a_name_is_a_409(
    client: FlaskClient, admin: dict[str, str], version: str, aliases: list[str]
) -> None:
    assert create(client, admin, UBUNTU).status_code == 201
    before = client.get(f"{PLATFORMS}/ubuntu").json
    answer = put(client, admin, version, {"vendor_eol": None, "aliases": aliases})
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
    assert "22.04" in answer.json["detail"]
    assert client.get(f"{PLATFORMS}/ubuntu").json == before  # nothing changed


def test_claims_refused_at_creation_and_for_a_new_version(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    twice = {
        "slug": "x",
        "name": "X",
        "versions": [{"version": "1", "aliases": ["one"]}, {"version": "2", "aliases": ["ONE"]}],
    }
    assert create(client, admin, twice).status_code == 409
    assert create(client, admin, UBUNTU).status_code == 201
    named = put(client, admin, "jammy", {"vendor_eol": None})
    assert named.status_code == 409 and "alias of version '22.04'" in named.json["detail"]
    assert client.get(f"{PLATFORMS}/x").status_code == 404


@pytest.mark.parametrize(
    "aliases",
    [["22.04"], ["a", "A"], [""], [" "], ["a\nb"], ["x" * 101], "jammy", [1]],
    ids=["itself", "twice", "empty", "blank", "control", "long", "not-a-list", "not-text"],
)
def test_bad_aliases_are_422s(client: FlaskClient, admin: dict[str, str], aliases: Any) -> None:
    assert create(client, admin, UBUNTU).status_code == 201
    assert put(client, admin, "22.04", {"vendor_eol": None, "aliases": aliases}).status_code == 422
    bad = {"slug": "y", "name": "Y", "versions": [{"version": "22.04", "aliases": aliases}]}
    assert create(client, admin, bad).status_code == 422


def test_eligibility_finds_a_version_by_its_alias(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    assert create(client, admin, UBUNTU).status_code == 201
    client.post("/api/v1/products", json={"slug": "p", "name": "P"}, headers=admin)
    client.post(
        "/api/v1/products/p/releases",
        json={"version": "1.0", "released_on": "2026-01-01"},
        headers=admin,
    )
    row = [{"platform": "ubuntu", "version": "22.04"}]
    assert (
        client.put("/api/v1/products/p/cycles/1/platforms", json=row, headers=admin).status_code
        == 200
    )
    query = {"product": "p", "version": "1.0", "platform": "ubuntu", "as_of": "2026-11-22"}
    by_alias = client.get(
        "/api/v1/eligibility", query_string={**query, "platform_version": "JAMMY"}
    )
    assert by_alias.json["covered"] and by_alias.json["platform"]["version"] == "22.04"
    # A changed alias reaches the read model at once (the platforms' revision moved).
    put(client, admin, "22.04", {"vendor_eol": "2027-06-01", "aliases": []})
    gone = client.get("/api/v1/eligibility", query_string={**query, "platform_version": "jammy"})
    assert gone.json["covered"] is False
    assert [r["code"] for r in gone.json["reasons"]][-1] == "unknown_platform"


def test_aliases_round_trip_through_export_and_import(
    client: FlaskClient, admin: dict[str, str], runner: FlaskCliRunner, tmp_path: Path
) -> None:
    assert create(client, admin, UBUNTU).status_code == 201
    first = runner.invoke(args=["export"])
    assert first.exit_code == 0
    document = json.loads(first.stdout)
    assert document["platforms"][0]["versions"][0]["aliases"] == ["jammy", "22.04 LTS"]
    assert "aliases" not in document["platforms"][0]["versions"][1]
    path = tmp_path / "catalogue.json"
    path.write_text(first.stdout, encoding="utf-8")
    empty = tmp_path / "empty.json"
    empty.write_text('{"format": "lifecycle-catalogue", "version": 1}', encoding="utf-8")
    assert runner.invoke(args=["import", "--replace", str(empty)]).exit_code == 0
    assert runner.invoke(args=["import", str(path)]).exit_code == 0
    assert runner.invoke(args=["export"]).stdout == first.stdout
    # A merge leaves aliases the file leaves out, and takes those it gives.
    del document["platforms"][0]["versions"][0]["aliases"]
    document["platforms"][0]["versions"][1]["aliases"] = ["noble"]
    path.write_text(json.dumps(document), encoding="utf-8")
    assert runner.invoke(args=["import", str(path)]).exit_code == 0
    versions = client.get(f"{PLATFORMS}/ubuntu").json["versions"]
    assert [v.get("aliases") for v in versions] == [["jammy", "22.04 LTS"], ["noble"]]
    # A file whose names clash is refused whole, naming the place.
    document["platforms"][0]["versions"][1]["aliases"] = ["jammy"]
    path.write_text(json.dumps(document), encoding="utf-8")
    refused = runner.invoke(args=["import", str(path)])
    assert refused.exit_code == 2 and "platforms[0]" in refused.output
    clash = {
        "format": "lifecycle-catalogue",
        "version": 1,
        "platforms": [
            {
                "slug": "ubuntu",
                "name": "Ubuntu",
                "versions": [
                    {"version": "22.04", "aliases": ["jammy"]},
                    {"version": "24.04", "aliases": ["Jammy"]},
                ],
            }
        ],
    }
    path.write_text(json.dumps(clash), encoding="utf-8")
    in_file = runner.invoke(args=["import", str(path)])
    assert in_file.exit_code == 2 and "platforms[0].versions[1].aliases" in in_file.output
