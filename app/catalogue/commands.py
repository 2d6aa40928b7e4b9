"""The catalogue's commands (SPEC 7): ``demo``, ``export``, ``import`` and
``import-release-data``, and (SPEC 17) ``products`` and ``platforms``, the slugs a support
engineer can type. The work is done in :mod:`app.catalogue.transfer`.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import with_appcontext

from app.catalogue.demo import demo_document
from app.catalogue.export import dump_document, export_document
from app.catalogue.files import CatalogueFileError, load_catalogue, parse_catalogue
from app.catalogue.release_data import ReleaseDataError, ReleaseDataImport, ReleaseDataResult
from app.catalogue.transfer import import_catalogue

# Enough to find the pattern in a badly broken file without flooding the terminal.
MAX_PROBLEMS_SHOWN = 50


def _fail(title: str, error: CatalogueFileError) -> NoReturn:
    lines = error.lines()
    click.echo(f"Error: {title} (nothing was written):", err=True)
    for line in lines[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"  {line}", err=True)
    if len(lines) > MAX_PROBLEMS_SHOWN:
        click.echo(f"  ... and {len(lines) - MAX_PROBLEMS_SHOWN} more.", err=True)
    sys.exit(2)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load a small demo catalogue (idempotent).

    Three products and three platforms with a support matrix, dated so that on
    2026-11-23 every status is on show and they keep changing through 2027:
    aperturedb (major cycles 1 security_only, 2 current, 3 planned, 4 a
    pre-release), fluxgate (cycles at eol and eosl) and clusterd (minor cycles,
    three lines supported, like Kubernetes); platforms ubuntu, rhel and
    windows-server with their vendors' EOL dates.

    It is an import of the demo catalogue (see `import --help`): running it
    again changes nothing and says so.
    """
    try:
        summary = import_catalogue(load_catalogue(demo_document()))
    except CatalogueFileError as exc:
        _fail("the demo catalogue conflicts with what the database holds", exc)
    if not summary.changed:
        click.echo("The demo catalogue is loaded already; nothing changed.")
        return
    click.echo("Loaded the demo catalogue:")
    click.echo(summary.describe())
    # The command as a fresh shell in the project's folder can run it (see the README).
    click.echo(
        "Try: .venv/bin/flask --app app check aperturedb 1.4.2 --platform ubuntu "
        "--platform-version jammy\n"
        '     .venv/bin/flask --app app triage --subject "[High] replication stalls" '
        "aperturedb 1.4.2"
    )


@click.command("export")
@with_appcontext
@click.argument(
    "file", required=False, type=click.Path(dir_okay=False, writable=True, allow_dash=True)
)
def export_command(file: str | None) -> None:
    """Write the whole catalogue as JSON to FILE (default: standard output).

    The format is versioned: {"format": "lifecycle-catalogue", "version": 1,
    "products": [...], "platforms": [...]}; each product with its policy,
    description, releases (version as recorded, released_on, notes) and matrix
    rows, each platform with its versions and vendor_eol. The output depends
    only on the catalogue (sorted by slug and version), so `export`, `import`
    into an empty database and `export` again give the same bytes.
    """
    document = export_document()
    text = dump_document(document)
    if file is None or file == "-":
        click.echo(text, nl=False)
        return
    with click.open_file(file, "w", encoding="utf-8", atomic=True) as out:
        out.write(text)
    releases = sum(len(p["releases"]) for p in document["products"])
    click.echo(
        f"Exported {len(document['products'])} products ({releases} releases) and "
        f"{len(document['platforms'])} platforms to {file}.",
        err=True,
    )


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--replace",
    is_flag=True,
    help="Make the catalogue exactly FILE: delete the products, releases, platforms "
    "and matrix rows it does not list.",
)
@click.option(
    "--dry-run", is_flag=True, help="Check FILE and say what would change; write nothing."
)
def import_command(file: str, replace: bool, dry_run: bool) -> None:
    """Import a catalogue file written by `export` (all-or-nothing).

    By default the file is MERGED into the catalogue, matching products and
    platforms by slug: what the database lacks is added; products take the
    file's name, description and policy, platforms its name and vendor_eol
    dates; a matrix row listed in the file replaces that cycle's row. Nothing
    is deleted, and recorded history is never rewritten: a release the
    database has with another date, notes or spelling (2.1 for 2.1.0), or a
    platform version spelled otherwise, is a conflict. With --replace the
    catalogue becomes exactly the file.

    Everything is checked first (strict: unknown fields are refused; versions,
    policies and dates are checked; matrix rows must name platform versions
    known in the file or the database) and written in one transaction. On any
    problem nothing is written, each problem is shown with its place
    (products[3].releases[12].version: Invalid version: 'x'), and the exit
    status is 2.
    """
    try:
        with click.open_file(file, "rb") as source:
            raw = source.read()
    except OSError as exc:
        click.echo(f"Error: cannot read {file}: {exc.strerror}.", err=True)
        sys.exit(2)
    try:
        summary = import_catalogue(parse_catalogue(raw), replace=replace, dry_run=dry_run)
    except CatalogueFileError as exc:
        _fail(f"{file} was not imported", exc)
    if not summary.changed:
        click.echo(f"Nothing to change: the database holds {file} already.")
        return
    click.echo(f"Would import {file}:" if dry_run else f"Imported {file}:")
    click.echo(summary.describe())
    if dry_run:
        click.echo("Dry run: nothing was written.")


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return files


@click.command("import-release-data")
@with_appcontext
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print only bad files and the summary.")
def import_release_data_command(files: tuple[Path, ...], quiet: bool) -> None:
    """Import version histories in the release-data format.

    Each FILE (or each *.json in a directory) is {"versions": {"1.2.3":
    {"date": "2024-01-01"}, ...}} about the product named by the file
    (renovate.json: renovate), created with its slug as name when new. Its
    releases are merged in: releases the product has already keep their data.
    A datetime keeps its date part.

    Versions that do not parse, or have no date (or one outside 1900-2999),
    are skipped and counted; when two strings parse equal, the earliest date
    is kept. A file that is not JSON, not of this shape, or whose name cannot
    be a slug is reported and skipped; the exit status is then 1. One line per
    file, then a summary; one transaction per file.
    """
    started = time.perf_counter()
    total = ReleaseDataResult(slug="")
    created = bad = done = 0
    # The cyclic collector would walk the growing version caches again and
    # again; nothing here makes reference cycles that need it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with ReleaseDataImport() as importer:
            for path in _expand(files):
                try:
                    result = importer.file(path)
                except ReleaseDataError as exc:
                    click.echo(f"Skipped {exc}.", err=True)
                    bad += 1
                    continue
                done += 1
                created += result.created
                total.add(result)
                if not quiet:
                    click.echo(result.describe())
    finally:
        if collecting:
            gc.enable()
    seconds = time.perf_counter() - started
    click.echo(
        f"{done + bad} files ({done} imported, {bad} bad): {created} products created, "
        f"{total.versions} versions read, {total.added} releases added, "
        f"{total.present} present already, {total.duplicates} duplicates merged, "
        f"{total.unparseable} skipped unparseable, {total.undated} skipped undated, "
        f"in {seconds:.1f} s."
    )
    if bad:
        sys.exit(1)


@click.command("products")
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON, and only that.")
@with_appcontext
def products_command(as_json: bool) -> None:
    """List the products: the slug to give `check` and `triage`, and the name."""
    from sqlalchemy import select

    from app import db
    from app.catalogue.models import Product

    with db.reading() as session:
        rows = session.execute(select(Product.slug, Product.name).order_by(Product.slug)).all()
    if as_json:
        click.echo(json.dumps([{"slug": slug, "name": name} for slug, name in rows], indent=2))
        return
    if not rows:
        click.echo("No products yet (load some with `flask --app app demo` or `import`).")
        return
    width = max(len(slug) for slug, _ in rows)
    for slug, name in rows:
        click.echo(_safe(f"{slug:<{width}}  {name}"))


@click.command("platforms")
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON, and only that.")
@with_appcontext
def platforms_command(as_json: bool) -> None:
    """List the platforms: the slug to give --platform, the name, and each version with
    its aliases and its vendor's end of life."""
    from app.catalogue.platforms import list_platforms

    platforms = list_platforms()
    if as_json:
        click.echo(json.dumps(platforms, indent=2, default=str))
        return
    if not platforms:
        click.echo("No platforms yet.")
        return
    width = max(len(p["slug"]) for p in platforms)
    for platform in platforms:
        versions = ", ".join(_version_words(v) for v in platform["versions"]) or "no versions"
        click.echo(_safe(f"{platform['slug']:<{width}}  {platform['name']}: {versions}"))


def _version_words(version: dict[str, Any]) -> str:
    text = str(version["version"])
    if version.get("aliases"):
        text += f" ({', '.join(version['aliases'])})"
    if version["vendor_eol"] is not None:
        text += f" [vendor end of life {version['vendor_eol']}]"
    return text


def _safe(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


COMMANDS = (
    demo_command,
    export_command,
    import_command,
    import_release_data_command,
    products_command,
    platforms_command,
)
