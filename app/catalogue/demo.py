"""The demo catalogue of ``flask --app app demo``, as a catalogue file (version 1).

Its dates are chosen so that, as of 2026-11-23, every status of SPEC 3.2 is on
show, and the statuses keep moving through 2027 (planned releases, EOL and EOSL
dates and a platform vendor's EOL still ahead).
"""

from __future__ import annotations

import copy
from typing import Any

from app.catalogue.files import FORMAT, FORMAT_VERSION


def _releases(*rows: tuple[str, str] | tuple[str, str, str]) -> list[dict[str, Any]]:
    return [
        {"version": row[0], "released_on": row[1], "notes": row[2] if len(row) > 2 else None}
        for row in rows
    ]


def _row(cycle: str, *platforms: tuple[str, str]) -> dict[str, Any]:
    return {"cycle": cycle, "platforms": [{"platform": p, "version": v} for p, v in platforms]}


UBUNTU_22 = ("ubuntu", "22.04")
UBUNTU_24 = ("ubuntu", "24.04")
RHEL_8 = ("rhel", "8")
RHEL_9 = ("rhel", "9")
WINDOWS_2019 = ("windows-server", "2019")
WINDOWS_2022 = ("windows-server", "2022")

# As of 2026-11-23: 1 security_only (EOL 2027-03-01, EOSL 2027-09-01), 2 current,
# 3 planned (GA 2027-03-01), 4 prerelease.
APERTUREDB: dict[str, Any] = {
    "slug": "aperturedb",
    "name": "ApertureDB",
    "description": "Multimodal database: the default policy (the current major release, "
    "and the one before it for security fixes).",
    "policy": {"cycle": "major", "full_support_cycles": 1, "security_cycles": 1, "eosl_months": 6},
    "releases": _releases(
        ("1.0.0", "2023-03-01"),
        ("1.1.0", "2023-09-12"),
        ("1.2.0", "2024-04-09"),
        ("1.2.1", "2024-06-18", "Fixes a crash on start-up with large indexes."),
        ("1.4.2", "2025-01-10"),
        ("2.0.0rc1", "2026-01-19"),
        ("2.0.0", "2026-03-02", "New storage engine."),
        ("2.1.0", "2026-06-15"),
        ("2.1.1", "2026-09-08"),
        ("2.2.0", "2026-12-14", "Planned."),
        ("3.0.0rc1", "2026-11-02"),
        ("3.0.0", "2027-03-01", "Planned."),
        ("4.0.0rc1", "2026-11-16", "Technology preview."),
    ),
    "matrix": [
        _row("1", ("ubuntu", "20.04"), UBUNTU_22, RHEL_8, WINDOWS_2019),
        _row("2", UBUNTU_22, UBUNTU_24, RHEL_8, RHEL_9, WINDOWS_2019, WINDOWS_2022),
        _row("3", UBUNTU_24, RHEL_9, WINDOWS_2022),
    ],
}

# As of 2026-11-23: 5 current, 4 security_only, 3 eol (EOSL 2027-01-06), 2 and 1 eosl.
FLUXGATE: dict[str, Any] = {
    "slug": "fluxgate",
    "name": "Fluxgate Gateway",
    "description": "API gateway with a long history: cycles at every status of the policy.",
    "policy": {"cycle": "major", "full_support_cycles": 1, "security_cycles": 1, "eosl_months": 6},
    "releases": _releases(
        ("1.0.0", "2019-05-06"),
        ("1.3.2", "2019-11-18"),
        ("2.0.0", "2021-02-01"),
        ("2.4.1", "2022-08-22"),
        ("3.0.0", "2024-02-05"),
        ("3.2.0", "2024-10-14"),
        ("3.2.7", "2026-05-11", "Last release of the 3 line."),
        ("4.0.0", "2025-04-07"),
        ("4.1.0", "2025-11-03"),
        ("4.1.3", "2026-10-26"),
        ("5.0.0", "2026-07-06"),
        ("5.1.0", "2026-10-12"),
        ("5.2.0", "2027-01-18", "Planned."),
    ),
    "matrix": [
        _row("3", ("ubuntu", "20.04"), UBUNTU_22, RHEL_8),
        _row("4", UBUNTU_22, UBUNTU_24, RHEL_8, RHEL_9),
        _row("5", UBUNTU_22, UBUNTU_24, RHEL_9),
    ],
}

# Cut by minor, three lines supported in full and none for security only (like
# Kubernetes). As of 2026-11-23: 1.38 planned, 1.37 to 1.35 current (1.35 until
# 2026-12-16), 1.34 eol, 1.33 and 1.32 eosl, 1.39 prerelease.
CLUSTERD: dict[str, Any] = {
    "slug": "clusterd",
    "name": "Clusterd",
    "description": "Container scheduler: the last three minor lines are supported.",
    "policy": {"cycle": "minor", "full_support_cycles": 3, "security_cycles": 0, "eosl_months": 6},
    "releases": _releases(
        ("1.32.0", "2024-12-11"),
        ("1.32.9", "2025-09-09"),
        ("1.33.0", "2025-04-23"),
        ("1.33.6", "2026-01-13"),
        ("1.34.0", "2025-08-27"),
        ("1.34.4", "2026-05-12"),
        ("1.35.0", "2025-12-17"),
        ("1.35.3", "2026-09-15"),
        ("1.36.0", "2026-04-22"),
        ("1.36.2", "2026-10-13"),
        ("1.37.0", "2026-08-19"),
        ("1.37.1", "2026-11-10"),
        ("1.38.0", "2026-12-16", "Planned."),
        ("1.39.0a1", "2026-11-18"),
    ),
    "matrix": [
        _row("1.34", UBUNTU_22, RHEL_8, RHEL_9),
        _row("1.35", UBUNTU_22, UBUNTU_24, RHEL_9),
        _row("1.36", UBUNTU_22, UBUNTU_24, RHEL_9),
        _row("1.37", UBUNTU_24, RHEL_9),
        _row("1.38", UBUNTU_24, RHEL_9),
    ],
}

# vendor_eol is the first day its vendor no longer supports it: 20.04 is past,
# 22.04 ends within the coming year.
PLATFORMS: list[dict[str, Any]] = [
    {
        "slug": "rhel",
        "name": "Red Hat Enterprise Linux",
        "versions": [
            {"version": "8", "vendor_eol": "2029-06-01"},
            {"version": "9", "vendor_eol": "2032-06-01"},
        ],
    },
    {
        "slug": "ubuntu",
        "name": "Ubuntu",
        "versions": [
            {"version": "20.04", "vendor_eol": "2025-06-01", "aliases": ["focal"]},
            {"version": "22.04", "vendor_eol": "2027-06-01", "aliases": ["jammy", "22.04 LTS"]},
            {"version": "24.04", "vendor_eol": "2029-06-01", "aliases": ["noble", "24.04 LTS"]},
        ],
    },
    {
        "slug": "windows-server",
        "name": "Windows Server",
        "versions": [
            {"version": "2019", "vendor_eol": "2029-01-10"},
            {"version": "2022", "vendor_eol": "2031-10-15"},
        ],
    },
]


def demo_document() -> dict[str, Any]:
    """The demo catalogue in the file format; a fresh copy on every call."""
    return copy.deepcopy(
        {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "products": [APERTUREDB, CLUSTERD, FLUXGATE],
            "platforms": PLATFORMS,
        }
    )
