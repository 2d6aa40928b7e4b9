"""The public lifecycle pages (SPEC 11): the product list and one page per product.

Server-rendered, autoescaped HTML that needs no JavaScript; every status is
written out in words, colour only repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from app.catalogue import store
from app.catalogue.store import ProductSnapshot
from app.eligibility import query as queries
from app.eligibility import service as eligibility
from app.errors import ApiError, NotFound, Unprocessable
from app.web.as_of import BadAsOf, parse_as_of
from app.web.timeline import build_timeline
from lifecycle.cycles import Cycle, Release
from lifecycle.errors import LifecycleError
from lifecycle.policy import Policy
from lifecycle.status import Status, is_covered, support_level
from platforms.matrix import version_match_key

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

SLUG = "<string(maxlength=64):slug>"

ENVIRONMENTS = (("production", "Production"), ("non_production", "Non-production"))
SUBSCRIPTIONS = (
    ("production", "Production"),
    ("basic", "Basic (non-production)"),
    ("none", "None"),
)
SEVERITIES = (("urgent", "Urgent"), ("high", "High"), ("normal", "Normal"), ("low", "Low"))
SUPPORT_LEVEL_WORDS = {
    "full": "full support",
    "security_fixes_only": "security fixes only",
    "defect_evaluation_only": "defect evaluation only",
    "none": "no support",
}


@dataclass(frozen=True, slots=True)
class PlatformItem:
    name: str
    version: str
    vendor_eol: date | None
    vendor_ended: bool


@dataclass(frozen=True, slots=True)
class CycleRow:
    key: str
    status: Status
    released_on: date | None
    released_in_future: bool
    security_only_from: date | None
    eol_on: date | None
    eosl_on: date | None
    latest: Release | None
    upcoming: Release | None
    newest_prerelease: Release | None
    next_change: date | None
    platforms: tuple[PlatformItem, ...]


@dataclass(frozen=True, slots=True)
class ProductRow:
    slug: str
    name: str
    description: str | None
    cycle: str | None
    status: Status | None
    planned_on: date | None
    supported: tuple[tuple[str, str], ...]
    latest: Release | None
    next_change: date | None


@bp.errorhandler(BadAsOf)
def _bad_as_of(error: BadAsOf) -> tuple[str, int]:
    return error_page(400, "Invalid date", str(error)), 400


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    body = error_page(error.status, error.title, error.detail)
    response = Response(body, status=error.status, mimetype="text/html")
    response.headers.update(getattr(error, "headers", None) or {})
    return response


def error_page(status: int, title: str, detail: str) -> str:
    return render_template("error.html", status=status, title=title, detail=detail)


@bp.get("/")
def index() -> str:
    as_of, given = parse_as_of(request.args)
    rows = [_product_row(snapshot, as_of) for snapshot in store.each_product()]
    return render_template("index.html", products=rows, as_of=as_of, as_of_given=given)


@bp.get(f"/products/{SLUG}")
def product(slug: str) -> tuple[str, int]:
    as_of, given = parse_as_of(request.args)
    try:
        snapshot = store.product(slug)
    except NotFound:
        detail = f"No product is named {slug!r}. The list of products is on the home page."
        return error_page(404, "Product not found", detail), 404
    # A page without a version check depends only on the snapshot and the date: a
    # product with dozens of cycles is rendered once per change, not per visit.
    cacheable = set(request.args) <= {"as_of"}
    key = (as_of, given)
    cached = snapshot.pages.get(key) if cacheable else None
    if cached is not None:
        return cached, 200
    html, status = _render_product(snapshot, as_of, given)
    if cacheable and status == 200:
        snapshot.pages.put(key, html)
    return html, status


def _render_product(snapshot: ProductSnapshot, as_of: date, given: bool) -> tuple[str, int]:
    rows = [_cycle_row(snapshot, cycle, as_of) for cycle in snapshot.cycles.newest_first]
    label = f"as of {as_of}" if given else f"today, {as_of}"
    timeline = build_timeline(snapshot.cycles, as_of, label)
    check = _check(snapshot, as_of)
    status = 422 if check["error"] else 200
    return (
        render_template(
            "product.html",
            product=snapshot,
            cycles=rows,
            timeline=timeline,
            as_of=as_of,
            as_of_given=given,
            check=check,
            platform_choices=_platform_choices(snapshot),
            environments=ENVIRONMENTS,
            subscriptions=SUBSCRIPTIONS,
            severities=SEVERITIES,
            level_words=SUPPORT_LEVEL_WORDS,
            policy=policy_words(snapshot.policy),
            example_version=_example_version(snapshot, as_of),
            calendar_url=url_for("feeds.product_calendar", slug=snapshot.slug),
            feed_url=url_for("feeds.product_feed", slug=snapshot.slug),
        ),
        status,
    )


def policy_words(policy: Policy) -> str:
    """The support policy in a sentence or two, for customers."""
    major = policy.cycle == "major"
    kind = "major release" if major else "minor release line"
    kinds = "major releases" if major else "minor release lines"
    n = policy.full_support_cycles
    full = f"The newest {kind} gets" if n == 1 else f"The {n} newest {kinds} get"
    m = policy.security_cycles
    if m == 0:
        security = "; an older one reaches end of life as soon as a newer one is released"
    elif m == 1:
        security = ", and the one before them gets security fixes only"
    else:
        security = f", and the {m} before them get security fixes only"
    if n == 1 and m == 1:
        security = ", and the one before it gets security fixes only"
    months = policy.eosl_months
    eosl = (
        "End of service life comes together with end of life."
        if months == 0
        else f"End of service life follows {months} month{'s' if months != 1 else ''} "
        "after end of life."
    )
    scope = " Every minor release under a supported major release is covered." if major else ""
    return f"{full} full support{security}.{scope} {eosl}"


def _product_row(snapshot: ProductSnapshot, as_of: date) -> ProductRow:
    newest = next((c for c in snapshot.cycles.newest_first if not c.is_prerelease_only), None)
    status = newest.status(as_of) if newest else None
    return ProductRow(
        slug=snapshot.slug,
        name=snapshot.name,
        description=snapshot.description,
        cycle=newest.key if newest else None,
        status=status,
        planned_on=newest.dates.released_on if status is Status.PLANNED and newest else None,
        supported=tuple(
            (c.key, SUPPORT_LEVEL_WORDS[support_level(s).value])
            for c in snapshot.cycles.newest_first
            if is_covered(s := c.status(as_of))
        ),
        latest=_latest_of_product(snapshot, as_of),
        next_change=min(
            (d for c in snapshot.cycles.newest_first if (d := c.next_change(as_of)) is not None),
            default=None,
        ),
    )


def _latest_of_product(snapshot: ProductSnapshot, as_of: date) -> Release | None:
    for cycle in snapshot.cycles.newest_first:
        latest = cycle.latest(as_of)
        if latest is not None:
            return latest
    return None


def _example_version(snapshot: ProductSnapshot, as_of: date) -> str:
    latest = _latest_of_product(snapshot, as_of)
    return f"e.g. {latest.version}" if latest is not None else "e.g. 2.1.0"


def _cycle_row(snapshot: ProductSnapshot, cycle: Cycle, as_of: date) -> CycleRow:
    dates = cycle.dates
    platforms = []
    for slug, version in snapshot.matrix.row(cycle.key):
        found = snapshot.registry.find(slug, version)
        if found is None:
            platforms.append(PlatformItem(slug, version, None, False))
            continue
        platform, platform_version = found
        platforms.append(
            PlatformItem(
                platform.name,
                platform_version.version,
                platform_version.vendor_eol,
                not platform_version.vendor_supported(as_of),
            )
        )
    upcoming = min(
        (r for r in cycle.ga_releases if r.released_on > as_of),
        key=lambda r: (r.released_on, r.parsed),
        default=None,
    )
    return CycleRow(
        key=cycle.key,
        status=cycle.status(as_of),
        released_on=dates.released_on,
        released_in_future=dates.released_on is not None and dates.released_on > as_of,
        security_only_from=dates.security_only_from,
        eol_on=dates.eol_on,
        eosl_on=dates.eosl_on,
        latest=cycle.latest(as_of),
        upcoming=upcoming,
        newest_prerelease=cycle.prereleases[-1] if cycle.prereleases else None,
        next_change=cycle.next_change(as_of),
        platforms=tuple(platforms),
    )


def _platform_choices(snapshot: ProductSnapshot) -> list[tuple[str, list[tuple[str, str]]]]:
    """The registry's platform versions, grouped by platform, as (value, label) options."""
    groups = []
    for platform in sorted(snapshot.registry.platforms.values(), key=lambda p: p.name.casefold()):
        options = [
            (f"{platform.slug}:{v.version}", f"{platform.name} {v.version}")
            for v in platform.versions
        ]
        if options:
            groups.append((platform.name, options))
    return groups


def _check(snapshot: ProductSnapshot, as_of: date) -> dict[str, Any]:
    """The version check form's state, and the verdict when a version was given."""
    args = request.args
    form = {
        "version": args.get("version", "").strip(),
        "platform": args.get("platform", "").strip(),
        "platform_version": args.get("platform_version", "").strip(),
        "environment": args.get("environment", "production").strip() or "production",
        "subscription": args.get("subscription", "production").strip() or "production",
        "severity": args.get("severity", "").strip(),
    }
    state: dict[str, Any] = {"form": form, "verdict": None, "error": None, "field": None}
    if not form["version"]:
        return state
    platform: str | None = form["platform"] or None
    platform_version: str | None = form["platform_version"] or None
    if platform is not None and platform_version is None:
        # The select sends "slug:version"; a hand-made link may send the two fields.
        platform, sep, rest = platform.partition(":")
        platform_version = rest if sep else None
        if not sep:
            state["error"], state["field"] = (
                "Choose a platform and version from the list.",
                "platform",
            )
            return state
    fields = {
        "product": snapshot.slug,
        "version": form["version"],
        "platform": platform,
        "platform_version": platform_version,
        "environment": form["environment"],
        "subscription": form["subscription"],
        "severity": form["severity"] or None,
    }
    try:
        # The same parsing and judging as the API, the batch, triage and the CLI.
        query = queries.parse_query(fields, as_of)
        verdict = eligibility.judge_with(query, snapshot)
    except Unprocessable as exc:
        field, messages = next(iter((exc.errors or {"version": [exc.detail]}).items()))
        state["error"] = f"Invalid {field.replace('_', ' ')}: {' '.join(messages)}"
        state["field"] = field
        return state
    except LifecycleError as exc:
        state["error"] = str(exc)
        state["field"] = getattr(exc, "field", None) or "version"
        return state
    body = verdict.to_dict()
    state["verdict"] = body
    state["status"] = verdict.status
    check = verdict.platform
    if check is not None:
        # As recorded, and as written when that differs (an alias: "Ubuntu 22.04 (jammy)").
        known = snapshot.registry.platforms.get(check.platform)
        name = f"{known.name if known else check.platform} {check.version}"
        if check.given and version_match_key(check.given) != version_match_key(check.version):
            name += f" ({check.given})"
        state["platform_name"] = name
    return state
