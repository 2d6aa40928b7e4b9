"""The pure core imports no framework and never reads the clock (STYLE 1, preamble)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_FILES = sorted(
    path for package in ("lifecycle", "platforms") for path in (ROOT / package).rglob("*.py")
)

FORBIDDEN_IMPORTS = {"flask", "sqlalchemy", "apscheduler", "werkzeug", "marshmallow", "app"}
ALLOWED_THIRD_PARTY = {"packaging", "dateutil", "holidays", "lifecycle", "platforms"}
CLOCK_OWNERS = {"date", "datetime"}
CLOCK_READERS = {"today", "now", "utcnow"}
TIME_READERS = {"time", "time_ns"}


def violations(source: str) -> list[str]:
    """What in ``source`` breaks the purity of the core, one line each."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            if node.module == "time" and {a.name for a in node.names} & TIME_READERS:
                found.append(f"line {node.lineno}: imports the clock from time")
        else:
            modules = []
        for module in modules:
            root = module.split(".")[0]
            if root in FORBIDDEN_IMPORTS:
                found.append(f"line {line}: imports {module}")
            elif root not in sys.stdlib_module_names and root not in ALLOWED_THIRD_PARTY:
                found.append(f"line {line}: imports {module}, not allowed in the core")
        # Attribute access, not only calls: default_factory=date.today reads the clock too.
        if isinstance(node, ast.Attribute):
            owner = node.value
            owner_name = (
                owner.id
                if isinstance(owner, ast.Name)
                else owner.attr
                if isinstance(owner, ast.Attribute)
                else None
            )
            if owner_name in CLOCK_OWNERS and node.attr in CLOCK_READERS:
                found.append(f"line {node.lineno}: reads the clock ({owner_name}.{node.attr})")
            if owner_name == "time" and node.attr in TIME_READERS:
                found.append(f"line {node.lineno}: reads the clock (time.{node.attr})")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in ("__import__", "import_module"):
                found.append(f"line {node.lineno}: imports dynamically")
    return found


def test_the_core_is_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in CORE_FILES}
    assert {"lifecycle/versions.py", "lifecycle/cycles.py", "platforms/matrix.py"} <= names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_core_module_is_pure(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from flask import Flask",
        "import sqlalchemy.orm",
        "from sqlalchemy.orm import Session",
        "import apscheduler",
        "from werkzeug.exceptions import NotFound",
        "import marshmallow",
        "from app import models",
        "import app.catalogue.service",
        "import requests",
        "from datetime import date\nx = date.today()",
        "import datetime\nx = datetime.date.today()",
        "import datetime\nx = datetime.datetime.now()",
        "from datetime import datetime\nx = datetime.now(tz=None)",
        "from datetime import datetime\nx = datetime.utcnow()",
        "from datetime import datetime\nx = datetime.today()",
        "import time\nx = time.time()",
        "import time\nx = time.time_ns()",
        "from time import time",
        "from datetime import date\nf = field(default_factory=date.today)",
        "import importlib\nm = importlib.import_module('flask')",
        "m = __import__('flask')",
    ],
    ids=repr,
)
def test_the_checker_catches(source: str) -> None:
    assert violations(source)


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import date, timedelta\nx = date(2026, 1, 1) + timedelta(days=1)",
        "from datetime import date\nx = date.fromisoformat('2026-01-01')",
        "from dateutil.relativedelta import relativedelta",
        "from packaging.version import Version",
        "import holidays\nfrom zoneinfo import ZoneInfo",
        "from lifecycle.errors import LifecycleError\nfrom platforms.matrix import Platform",
        "from . import errors",
        "def f(as_of):\n    return as_of.today",
    ],
    ids=repr,
)
def test_the_checker_lets_pure_code_pass(source: str) -> None:
    assert violations(source) == []
