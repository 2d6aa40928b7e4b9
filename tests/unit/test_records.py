"""SPEC 14: a vendor's cycle record, its names, its links and the order of its dates."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from lifecycle.errors import InvalidCycleKey, InvalidCycleRecord, LifecycleError
from lifecycle.records import (
    EARLIEST_DATE,
    LATEST_DATE,
    CycleRecord,
    cycle_name_numbers,
    is_http_url,
    leading_name,
)

D = date.fromisoformat


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "numbers"),
    [
        ("22", (22,)),
        ("3.12", (3, 12)),
        ("2024.1", (2024, 1)),
        ("1.4.8.0", (1, 4, 8, 0)),
        ("22.04", (22, 4)),
        ("0", (0,)),
        ("8.0", (8, 0)),
    ],
    ids=repr,
)
def test_dotted_numbers_are_cycle_names(name: str, numbers: tuple[int, ...]) -> None:
    assert cycle_name_numbers(name) == numbers


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("galaxy-s24", "not a dotted number"),
        ("11-ltsc", "not a dotted number"),
        ("4.4w", "not a dotted number"),
        ("v22", "not a dotted number"),
        ("22.", "not a dotted number"),
        (".22", "not a dotted number"),
        ("3..12", "not a dotted number"),
        (" 22", "not a dotted number"),
        ("\uff12\uff12", "not a dotted number"),  # full-width digits are no ASCII number
        ("1!2", "not a dotted number"),
        ("", "cannot be empty"),
        ("1." * 40 + "1", "longer than 64"),
    ],
    ids=repr,
)
def test_other_names_are_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(InvalidCycleKey, match=reason) as caught:
        cycle_name_numbers(name)
    assert caught.value.code == "invalid_cycle"


def test_a_name_that_is_no_text_is_refused() -> None:
    with pytest.raises(InvalidCycleKey, match="must be text"):
        cycle_name_numbers(22)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ((3, 12, 4), "3.12"),
        ((22, 11, 0), "22"),
        ((8, 1, 3), "8.1"),
        ((8, 10), "8"),
        ((8,), "8"),
        ((8, 1), "8.1"),
        ((3, 12), "3.12"),
        ((3,), None),  # 3 is 3.0, led by neither 3.12 nor 3.11
        ((4, 0), None),
        ((1, 4, 8, 0, 2), "1.4.8.0"),
        ((1, 4, 8), "1.4.8.0"),  # 1.4.8 is 1.4.8.0
        ((1, 4, 8, 1), None),
    ],
    ids=repr,
)
def test_the_longest_leading_name_wins_number_by_number(
    numbers: tuple[int, ...], expected: str | None
) -> None:
    names = {(3, 12): "3.12", (3, 11): "3.11", (22,): "22", (8,): "8", (8, 1): "8.1"}
    names[(1, 4, 8, 0)] = "1.4.8.0"
    assert leading_name(names, 4, numbers) == expected


# --- links -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("https://nodejs.org/en/blog/release/v22.0.0", True),
        ("http://example.com", True),
        ("HTTPS://EXAMPLE.COM/x?y=1#z", True),
        ("https://例え.jp/パス", True),
        ("https://[::1]:8080/", True),
        ("ftp://example.com/", False),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("/relative/path", False),
        ("https://example.com/a b", False),
        ("https://example.com/\x00", False),
        ("https://x.org/{{ '__LATEST__' | split: '.' }}", False),
        ("https://[::1/", False),
        ("", False),
        ("https://x.org/" + "a" * 2000, False),
    ],
    ids=repr,
)
def test_links_must_be_http_urls(link: str, ok: bool) -> None:
    assert is_http_url(link) is ok


# --- the record's fields -----------------------------------------------------------------


def test_a_record_is_a_frozen_value_with_no_decisions_by_default() -> None:
    record = CycleRecord("22")
    assert record.decisions() == {}
    assert record.lts is False
    assert not record.marked_lts
    assert record.numbers == (22,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.eol_on = D("2027-01-01")  # type: ignore[misc]
    assert record == CycleRecord("22")
    assert hash(record) == hash(CycleRecord("22"))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "galaxy-s24"}, "key"),
        ({"key": ""}, "key"),
        ({"lts": "yes"}, "lts"),
        ({"lts": datetime(2026, 1, 1)}, "lts"),
        ({"lts": D("1899-12-31")}, "lts"),
        ({"codename": ""}, "codename"),
        ({"codename": "x" * 201}, "codename"),
        ({"codename": "Jod\n"}, "codename"),
        ({"codename": 7}, "codename"),
        ({"label": " "}, "label"),
        ({"link": "ftp://example.com"}, "link"),
        ({"link": "not a url"}, "link"),
        ({"security_only_from": "2026-01-01"}, "security_only_from"),
        ({"eol_on": datetime(2026, 1, 1)}, "eol_on"),
        ({"eol_on": 0}, "eol_on"),
        ({"eosl_on": D("3000-01-01")}, "eosl_on"),
        ({"extended_end_on": D("1899-12-31")}, "extended_end_on"),
        ({"released_on": True}, "released_on"),
        ({"released_on": D("1899-12-31")}, "released_on"),
        ({"display_latest_on": D("2026-01-01")}, "display_latest_on"),
        ({"display_latest": "8u501", "display_latest_on": "2026-01-01"}, "display_latest_on"),
        ({"display_latest": "8u\x07"}, "display_latest"),
        ({"no_security_phase": 1}, "no_security_phase"),
        ({"no_security_phase": True, "security_only_from": True}, "security_only_from"),
    ],
    ids=lambda v: repr(v),
)
def test_wrong_fields_are_refused_naming_the_field(fields: dict[str, object], field: str) -> None:
    values = {"key": "22", **fields}
    with pytest.raises(InvalidCycleRecord) as caught:
        CycleRecord(**values)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.code == "invalid_cycle_record"
    assert isinstance(caught.value, LifecycleError)


@pytest.mark.parametrize(
    "fields",
    [
        {"lts": True},
        {"lts": D("2026-10-28")},
        {"link": "https://example.com/22"},
        {"codename": "Jod", "label": "22 (Jod)"},
        {"security_only_from": True, "eol_on": False},
        {"eol_on": EARLIEST_DATE, "released_on": EARLIEST_DATE},
        {"eosl_on": LATEST_DATE},
        {"display_latest": ""},
        {"display_latest": "8u501", "display_latest_on": D("2026-07-21")},
        {"no_security_phase": True, "eol_on": D("2027-01-01")},
    ],
    ids=lambda v: repr(v),
)
def test_good_fields_are_kept(fields: dict[str, object]) -> None:
    record = CycleRecord("22", **fields)  # type: ignore[arg-type]
    assert {name: getattr(record, name) for name in fields} == fields


# --- order among decided dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "other"),
    [
        (
            {"security_only_from": "2026-06-01", "eol_on": "2026-01-01"},
            "eol_on",
            "security_only_from",
        ),
        ({"eol_on": "2026-06-01", "eosl_on": "2026-01-01"}, "eosl_on", "eol_on"),
        (
            {"security_only_from": "2026-06-01", "eosl_on": "2026-01-01"},
            "eosl_on",
            "security_only_from",
        ),
        (
            {"released_on": "2026-06-01", "security_only_from": "2026-01-01"},
            "security_only_from",
            "released_on",
        ),
        ({"released_on": "2026-06-01", "eosl_on": "2026-01-01"}, "eosl_on", "released_on"),
        ({"eol_on": "2026-06-01", "extended_end_on": "2026-01-01"}, "extended_end_on", "eol_on"),
        (
            {"released_on": "2026-06-01", "extended_end_on": "2026-01-01"},
            "extended_end_on",
            "released_on",
        ),
        ({"security_only_from": False, "eol_on": True}, "eol_on", "security_only_from"),
        ({"eol_on": False, "eosl_on": True}, "eosl_on", "eol_on"),
        ({"eol_on": False, "extended_end_on": True}, "extended_end_on", "eol_on"),
        # With no security-only phase, eol_on is what is decided: the error names it.
        (
            {"no_security_phase": True, "eol_on": False, "extended_end_on": True},
            "extended_end_on",
            "eol_on",
        ),
        (
            {"no_security_phase": True, "released_on": "2026-06-01", "eol_on": "2026-01-01"},
            "eol_on",
            "released_on",
        ),
    ],
    ids=lambda v: repr(v),
)
def test_decided_dates_out_of_order_name_both_fields(
    fields: dict[str, object], field: str, other: str
) -> None:
    values = {k: D(v) if isinstance(v, str) else v for k, v in fields.items()}
    with pytest.raises(InvalidCycleRecord) as caught:
        CycleRecord("7", **values)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.other_field) == (field, other)
    assert field in str(caught.value)
    assert other in str(caught.value)


@pytest.mark.parametrize(
    "fields",
    [
        # An unknown date can be after any date, and the same day is in order.
        {"security_only_from": D("2024-05-14"), "eol_on": True},
        {"security_only_from": True, "eol_on": D("2020-01-01")},
        {"security_only_from": False, "eol_on": D("2027-01-01")},
        {"security_only_from": True, "eol_on": False},
        {"eol_on": True, "extended_end_on": False},
        {"released_on": D("2026-01-01"), "security_only_from": D("2026-01-01")},
        {"eol_on": D("2027-01-01"), "eosl_on": D("2027-01-01"), "extended_end_on": D("2027-01-01")},
        # extended_end_on is not ordered against eosl_on.
        {"eol_on": D("2027-01-01"), "eosl_on": D("2027-07-01"), "extended_end_on": D("2027-03-01")},
    ],
    ids=lambda v: repr(v),
)
def test_decisions_in_order_are_accepted(fields: dict[str, object]) -> None:
    assert CycleRecord("7", **fields).decisions()  # type: ignore[arg-type]


def test_no_security_phase_decides_security_only_from_as_eol_on() -> None:
    record = CycleRecord("3.9", eol_on=D("2025-10-06"), no_security_phase=True)
    assert record.decision("security_only_from") == D("2025-10-06")
    assert record.decisions() == {
        "security_only_from": D("2025-10-06"),
        "eol_on": D("2025-10-06"),
    }
    assert CycleRecord("3.9", eol_on=True, no_security_phase=True).decision("security_only_from")


# --- LTS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lts", "marked", "day", "is_lts"),
    [
        (False, False, "2026-01-01", False),
        (True, True, "2026-01-01", True),
        # Announced to become LTS: marked from the start (its schedule is the LTS one),
        # in its LTS phase from that day on.
        (D("2026-10-28"), True, "2026-10-27", False),
        (D("2026-10-28"), True, "2026-10-28", True),
        (D("2024-10-29"), True, "2026-01-01", True),
    ],
    ids=lambda v: str(v),
)
def test_what_marked_lts_means(lts: bool | date, marked: bool, day: str, is_lts: bool) -> None:
    record = CycleRecord("26", lts=lts)
    assert record.marked_lts is marked
    assert record.is_lts(D(day)) is is_lts
    assert record.lts_from == (lts if isinstance(lts, date) else None)


# --- JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        CycleRecord("22"),
        CycleRecord(
            "22",
            lts=D("2024-10-29"),
            codename="Jod",
            link="https://nodejs.org/",
            security_only_from=D("2025-10-21"),
            eol_on=True,
            eosl_on=True,
            extended_end_on=False,
            released_on=D("2024-04-24"),
            label="22 (Jod)",
            display_latest="22.x",
            display_latest_on=D("2026-01-01"),
        ),
        CycleRecord("3.9", eol_on=D("2025-10-06"), no_security_phase=True, lts=True),
    ],
    ids=lambda r: r.key,
)
def test_to_dict_and_from_dict_round_trip(record: CycleRecord) -> None:
    data = record.to_dict()
    assert CycleRecord.from_dict(data) == record
    assert all(not isinstance(v, date) for v in data.values())


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"eol_on": "2026-01-01"}, "key"),
        ({"key": "1", "eol": "2026-01-01"}, "eol"),
        ({"key": "1", "eol_on": "2026-02-30"}, "eol_on"),
        ({"key": "1", "eol_on": "soon"}, "eol_on"),
        ({"key": "1", "lts": "2026-13-01"}, "lts"),
    ],
    ids=lambda v: repr(v),
)
def test_from_dict_refuses_naming_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidCycleRecord) as caught:
        CycleRecord.from_dict(data)
    assert caught.value.field == field
