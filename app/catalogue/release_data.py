"""Version histories in the release-data format (SPEC 7): ``{"versions": {"1.2.3":
{"date": ...}}}`` per product, merged into the catalogue one file per transaction.

Reading and planning are plain Python; the rows are written through the database driver
(:mod:`app.catalogue.bulk`), which the tests hold equal to the ORM's plain insert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import db
from app.catalogue import bulk
from app.catalogue.store import touch
from app.inputs import MAX_DATE, MIN_DATE, VERSION_WIDTH, is_slug
from lifecycle.errors import LifecycleError
from lifecycle.versions import version_key

# A date, or the date part of a datetime ("2024-01-01T12:00:00Z").
_DAY_PREFIX = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ].*)?", re.DOTALL)


class ReleaseDataError(Exception):
    """A release-data file that cannot be read at all; the import goes on without it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(slots=True)
class ReleaseDataResult:
    """What importing one file did. ``versions`` is the sum of the five counts after it."""

    slug: str
    versions: int = 0
    added: int = 0
    present: int = 0
    duplicates: int = 0
    unparseable: int = 0
    undated: int = 0
    created: bool = False

    def add(self, other: ReleaseDataResult) -> None:
        """Count ``other``'s versions into these (a run's totals)."""
        self.versions += other.versions
        self.added += other.added
        self.present += other.present
        self.duplicates += other.duplicates
        self.unparseable += other.unparseable
        self.undated += other.undated

    def describe(self) -> str:
        new = " (new product)" if self.created else ""
        return (
            f"{self.slug}: {self.versions} versions: {self.added} added, "
            f"{self.present} present already, {self.duplicates} duplicates merged, "
            f"{self.unparseable} unparseable, {self.undated} undated{new}"
        )


def release_data_slug(path: Path) -> str:
    """The product a release-data file is about: its name without ``.json``, lower-cased."""
    name = path.name
    if name.lower().endswith(".json"):
        name = name[: -len(".json")]
    slug = name.lower()
    if not is_slug(slug):
        raise ReleaseDataError(
            path, f"{name!r} cannot be a product slug (1-64 of a-z, 0-9 and -, not starting with -)"
        )
    return slug


def read_release_data(path: Path) -> Mapping[str, Any]:
    """The ``versions`` object of a release-data file."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise ReleaseDataError(path, f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ReleaseDataError(path, "not JSON (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ReleaseDataError(
            path, f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("versions"), dict):
        raise ReleaseDataError(
            path, 'not in the release-data format {"versions": {"1.2.3": {"date": ...}}}'
        )
    versions: Mapping[str, Any] = data["versions"]
    return versions


def release_day(value: Any) -> date | None:
    """The date of a release-data entry, or None when it has none SPEC 6 would take.

    >>> release_day("2024-01-31T23:00:00Z"), release_day("1899-12-31"), release_day(None)
    (datetime.date(2024, 1, 31), None, None)
    """
    if not isinstance(value, str):
        return None
    if len(value) == 10 and value[4] == "-" == value[7] and value.isascii():
        # The common case, a plain YYYY-MM-DD, without the regular expression.
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return day if MIN_DATE <= day <= MAX_DATE else None
    match = _DAY_PREFIX.fullmatch(value.strip())
    if match is None:
        return None
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return day if MIN_DATE <= day <= MAX_DATE else None


def plan_releases(
    versions: Mapping[str, Any], result: ReleaseDataResult
) -> dict[str, tuple[str, date]]:
    """Each distinct version's (recorded string, date) by its identity; counts the skipped.

    When two strings parse equal the earliest date is kept, and on a tie the first
    string in the file.
    """
    kept: dict[str, tuple[str, date]] = {}
    unparseable = undated = duplicates = 0
    for text, info in versions.items():
        version = text.strip()
        try:
            key = version_key(version)
        except LifecycleError:
            unparseable += 1
            continue
        if len(key) > VERSION_WIDTH:
            unparseable += 1
            continue
        day = release_day(info.get("date")) if isinstance(info, dict) else None
        if day is None:
            undated += 1
            continue
        known = kept.get(key)
        if known is not None:
            duplicates += 1
            if day >= known[1]:
                continue
        kept[key] = (version, day)
    result.versions += len(versions)
    result.unparseable += unparseable
    result.undated += undated
    result.duplicates += duplicates
    return kept


class ReleaseDataImport:
    """Release-data files merged one after another over one connection, each file
    in a transaction of its own; a context manager.

    On PostgreSQL the files' commits do not wait for the WAL to reach the disk
    (``synchronous_commit`` off): a server crash soon after one could lose it,
    whole, never half of it, and corrupt nothing. Leaving the ``with`` block
    without an error waits once for all of them, so an import that reports
    success is on disk as if each file had waited.
    """

    def __init__(self) -> None:
        self._connection = db.engine().connect()
        # The app's sessions (whose listeners tell this process's read model of its
        # writes), on the one connection of the run.
        self._session = db.sessions()(bind=self._connection)
        self._postgres = self._connection.dialect.name == "postgresql"
        self._integrity_errors = (
            IntegrityError,
            self._connection.dialect.loaded_dbapi.IntegrityError,
        )

    def __enter__(self) -> ReleaseDataImport:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None and self._postgres:
                # A transaction with an id commits synchronously, and flushing its
                # commit record flushes the whole WAL before it.
                with self._session.begin():
                    self._session.execute(select(func.txid_current()))
        finally:
            self._session.close()
            self._connection.close()

    def file(self, path: Path) -> ReleaseDataResult:
        """Merge one file into its product, created (named by its slug) when new.

        Releases the product has already keep their data. Raises
        :class:`ReleaseDataError` for a file that cannot be read or that the
        database refuses; nothing of it is written then.
        """
        slug = release_data_slug(path)
        result = ReleaseDataResult(slug)
        planned = plan_releases(read_release_data(path), result)
        session = self._session
        postgres = self._postgres
        try:
            with session.begin():
                cursor = bulk.cursor(session)
                try:
                    if postgres:
                        cursor.execute("SET LOCAL synchronous_commit = off")
                    product_id, result.created = bulk.product_id(cursor, slug, postgres)
                    if not result.created:
                        for key in bulk.release_keys(cursor, product_id, postgres):
                            if planned.pop(key, None) is not None:
                                result.present += 1
                    rows = [
                        (product_id, version, key, day) for key, (version, day) in planned.items()
                    ]
                    bulk.insert_releases(cursor, rows, postgres)
                finally:
                    cursor.close()
                result.added = len(rows)
                if rows and not result.created:
                    touch(session, product_id)
        except self._integrity_errors as exc:
            # Another writer added the product or a release meanwhile.
            reason = getattr(exc, "orig", None) or exc
            raise ReleaseDataError(path, f"the database refused it ({reason})") from None
        return result
