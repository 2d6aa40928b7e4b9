"""The lifecycle pages in headless Chromium (Debian's), driven by Playwright.

The tests also write the screenshots in ``docs/``. Without Chromium they skip,
except under ``CI=true``, where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, ROOT
from tests.factories import WEB, seeded_app, serve

AS_OF = WEB.as_of

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = ROOT / "docs"
LATER = "2027-07-01"


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message + "; under CI=true this is a failure, not a skip.")
    pytest.skip(message)


@pytest.fixture(scope="module")
def base_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser")
    with seeded_app("sqlite", sqlite_template, tmp, WEB) as app, serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - installed with the test extra
        _unavailable(f"Playwright is not installed ({exc})")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (make system-deps installs it)")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    except Exception as exc:
        playwright.stop()
        _unavailable(f"Chromium cannot start ({exc.__class__.__name__}: {exc})")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    # A Content-Security-Policy violation shows up as a console error.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == [], errors


def _statuses(page: Any) -> dict[str, str]:
    rows = page.locator("table.cycles tbody tr")
    return {
        rows.nth(i).locator("th").inner_text().strip().removeprefix("Cycle "): rows.nth(i)
        .locator(".badge")
        .inner_text()
        .strip()
        for i in range(rows.count())
    }


def test_index_lists_the_products(page: Any, base_url: str) -> None:
    answer = page.goto(f"{base_url}/?as_of={AS_OF}")
    assert answer.status == 200
    assert page.locator("h1").inner_text() == "Product lifecycles"
    names = page.locator("table.products tbody th a").all_inner_texts()
    assert names == ["ApertureDB", "Keystone Gateway", "Nebula Agent", "Relay CLI"]
    keystone = page.locator("table.products tbody tr", has_text="Keystone Gateway")
    assert keystone.locator(".badge").inner_text() == "current (full support)"
    assert "no releases" in page.locator("tbody tr", has_text="Relay CLI").inner_text()
    page.screenshot(path=str(DOCS / "index.png"), full_page=True)


def test_product_page_shows_cycles_and_timeline(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/products/aperturedb?as_of={AS_OF}")
    assert _statuses(page) == {
        "5": "planned",
        "4": "current (full support)",
        "3": "security fixes only",
        "2": "end of life",
        "1": "end of service life",
    }
    timeline = page.locator("svg.timeline-svg")
    assert timeline.is_visible()
    assert timeline.locator("text.lane-label").all_text_contents() == ["5", "4", "3", "2", "1"]
    assert timeline.locator("rect.phase-current").count() == 5
    assert "as of 2026-11-23" in timeline.locator(".marker text").text_content()
    row = page.locator("table.cycles tbody tr", has_text="Ubuntu 20.04").first
    assert "vendor support ended" in row.inner_text()
    page.screenshot(path=str(DOCS / "product.png"), full_page=True)


def test_check_form_shows_the_verdict_in_words(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/products/aperturedb?as_of={AS_OF}")
    page.fill("#version", "3.1.0")
    page.select_option("#platform", "ubuntu:20.04")
    page.select_option("#severity", "urgent")
    page.click("#check button[type=submit]")
    verdict = page.locator("#verdict")
    verdict.wait_for()
    assert "ApertureDB 3.1.0 is not covered" in verdict.locator("h3").inner_text()
    reasons = verdict.locator(".reasons li").all_inner_texts()
    assert any("receives security fixes only" in r for r in reasons), reasons
    assert any("vendor's end of life" in r for r in reasons), reasons
    assert page.input_value("#version") == "3.1.0"
    assert "as_of=2026-11-23" in page.url
    box = page.locator("#check").bounding_box()
    margin, scrolled = 20, page.evaluate("window.scrollY")
    # bounding_box() is relative to the viewport, a full-page clip to the page.
    clip = {
        "x": max(box["x"] - margin, 0),
        "y": max(box["y"] + scrolled - margin, 0),
        "width": box["width"] + 2 * margin,
        "height": box["height"] + 2 * margin,
    }
    page.screenshot(path=str(DOCS / "verdict.png"), clip=clip, full_page=True)

    page.fill("#version", "4.1.0")
    page.select_option("#platform", "ubuntu:24.04")
    page.click("#check button[type=submit]")
    assert "ApertureDB 4.1.0 is covered" in page.locator("#verdict h3").inner_text()


def test_as_of_switch_changes_the_statuses(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/products/aperturedb?as_of={AS_OF}")
    assert _statuses(page)["4"] == "current (full support)"
    page.fill("#as_of", LATER)
    page.click("form.as-of button[type=submit]")
    page.wait_for_url(f"**as_of={LATER}**")
    statuses = _statuses(page)
    assert statuses["5"] == "current (full support)"
    assert statuses["4"] == "security fixes only"
    assert statuses["3"] == "end of life"
    assert f"as of {LATER}" in page.locator(".as-of-text").inner_text()


def test_pages_fit_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        for path in ("/", "/products/aperturedb", "/products/keystone"):
            page.goto(f"{base_url}{path}?as_of={AS_OF}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
    finally:
        context.close()


def test_the_api_reference_renders_offline_under_its_policy(page: Any, base_url: str) -> None:
    """SPEC 17: /api/docs serves its renderer itself. Every request off this server is
    refused here, as behind a desk's firewall, and the page must still draw the API with
    no Content-Security-Policy violation (the page fixture fails on any console error)."""
    origin = base_url.rstrip("/")
    outside: list[str] = []

    def route(handled: Any) -> None:
        url = handled.request.url
        if url.startswith(origin) or url.startswith(("blob:", "data:")):
            handled.continue_()
        else:
            outside.append(url)
            handled.abort()

    page.route("**/*", route)
    violations: list[str] = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', "
        "e => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI))"
    )
    answer = page.goto(f"{base_url}/api/docs")
    assert answer is not None and answer.status == 200
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    page.wait_for_selector("text=Is a version covered", timeout=30_000)
    page.get_by_text("/api/v1/eligibility").first.wait_for(timeout=30_000)
    assert outside == [] and violations == []
    assert page.locator("html").get_attribute("lang") == "en"
