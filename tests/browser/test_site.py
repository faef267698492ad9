"""The site in a real Chromium: navigation, keyboard, small screens, accessibility, privacy."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

SEED = "/handling-job-rejection/"


def test_home_to_article_to_tag_to_search(page, site_url: str) -> None:
    page.goto(site_url + "/")
    page.get_by_role("link", name="Handling Job Rejection").first.click()
    page.wait_for_url(site_url + SEED)
    assert page.locator("h1").inner_text() == "Handling Job Rejection"

    page.locator("main").get_by_role("link", name="resilience", exact=True).first.click()
    page.wait_for_url(site_url + "/tag/resilience/")
    assert "resilience" in page.locator("h1").inner_text().lower()
    assert page.get_by_role("link", name="Handling Job Rejection").count() >= 1

    page.goto(site_url + "/search/")
    search_box = page.get_by_role("textbox").first
    search_box.fill("rejection")
    result = page.locator(".pagefind-ui__result-link", has_text="Handling Job Rejection")
    result.first.wait_for(timeout=10_000)
    result.first.click()
    page.wait_for_url(f"{site_url}{SEED}**")
    assert page.locator("h1").inner_text() == "Handling Job Rejection"


def test_keyboard_only_skip_link_and_visible_focus(page, site_url: str) -> None:
    page.goto(site_url + SEED)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href'),"
        " outline: getComputedStyle(document.activeElement).outlineStyle})"
    )
    assert focused["href"] == "#main"
    assert "skip" in focused["text"].lower()
    assert focused["outline"] not in ("", "none")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"

    # Tab onward until a link into the article body's tags is focused, then follow it by Enter.
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("() => document.activeElement.getAttribute('href') || ''")
        if href.endswith("/tag/rejection/"):
            break
    else:
        pytest.fail("the tag link was not reachable with the keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(site_url + "/tag/rejection/")


@pytest.mark.parametrize(
    "path", ["/", SEED, "/tag/resilience/", "/archives/", "/search/", "/about/"]
)
def test_no_horizontal_scroll_at_320px(chromium, site_url: str, path: str) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    tab.goto(site_url + path)
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    context.close()
    assert width <= 320


@pytest.mark.parametrize(
    "path", ["/", SEED, "/tag/resilience/", "/archives/", "/no-such-page/", "/search/", "/privacy/"]
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(chromium, site_url: str, path: str, scheme: str) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    tab = context.new_page()
    tab.goto(site_url + path)
    results = Axe().run(tab)
    context.close()
    assert results.violations_count == 0, results.generate_report()


def test_404_page_is_served_for_unknown_paths(page, site_url: str) -> None:
    response = page.goto(site_url + "/no-such-page/")
    assert response is not None and response.status == 404
    assert page.get_by_role("link", name="search").count() >= 1


def test_reading_needs_no_javascript(chromium, site_url: str) -> None:
    context = chromium.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + SEED)
    assert "Dust Yourself Off" in tab.locator("main").inner_text()
    tab.goto(site_url + "/search/")
    fallback = tab.locator("main").get_by_role("link", name="Handling Job Rejection")
    assert fallback.count() == 1
    context.close()


def test_pages_request_nothing_from_other_hosts(page, site_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ("/", SEED, "/search/", "/tags/", "/about/"):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
    own = urlsplit(site_url).netloc
    foreign = [url for url in requested if urlsplit(url).netloc not in (own, "")]
    assert requested and foreign == []


def test_dark_mode_changes_the_palette(chromium, site_url: str) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context = chromium.new_context(color_scheme=scheme)
        tab = context.new_page()
        tab.goto(site_url + SEED)
        colours[scheme] = tab.evaluate("() => getComputedStyle(document.body).backgroundColor")
        context.close()
    assert colours["light"] != colours["dark"]


def test_print_stylesheet_hides_navigation(chromium, site_url: str) -> None:
    context = chromium.new_context()
    tab = context.new_page()
    tab.goto(site_url + SEED)
    tab.emulate_media(media="print")
    assert tab.locator("header nav").first.is_hidden()
    assert tab.locator("h1").is_visible()
    context.close()


LAYOUT_SHIFTS = """
window.__shift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("writing-achievement-led-resume-bullets/", "picture img"),
        ("running-a-focused-job-search/", "img[src$='.svg']"),
    ],
)
def test_images_reserve_their_space_so_nothing_shifts(
    chromium, site_url: str, width: int, path: str, selector: str
) -> None:
    """Cumulative layout shift, as Lighthouse measures it, with every image loaded."""
    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    responses: list[str] = []
    page.on("response", lambda r: responses.append(r.url) if r.ok else None)
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(f"{site_url}/{path}", wait_until="load")
    image = page.locator(selector)
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i.complete && i.naturalWidth > 0 }",
        arg=selector,
    )
    page.mouse.wheel(0, 4000)
    page.wait_for_timeout(200)
    shift = page.evaluate("window.__shift")
    box = image.bounding_box()
    natural = image.evaluate("i => [i.naturalWidth, i.naturalHeight, i.currentSrc]")
    context.close()
    assert shift < 0.01, f"layout shifted by {shift}"
    assert box is not None and box["width"] <= width
    assert abs(box["width"] / box["height"] - natural[0] / natural[1]) < 0.02
    if selector == "picture img":
        assert natural[2].endswith(".avif")  # Chromium takes the smallest format offered
        assert any("/images/sized/" in url for url in responses)
