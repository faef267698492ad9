"""The founding article's tip boxes in Chromium: visible, reached from the takeaways, accessible."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

SEED = "/handling-job-rejection/"
TITLES = ["Dust Yourself Off", "Ask for Advice", "Focus on Improvement", "Apply! Apply! Apply!"]


def test_four_boxes_visible_and_takeaways_jump_to_them(page, site_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(site_url + SEED)
    boxes = page.locator("aside.tip")
    assert boxes.count() == 4
    for index, title in enumerate(TITLES):
        box = boxes.nth(index)
        assert box.is_visible()
        assert title in box.get_by_role("heading").inner_text()
        assert "of 4" in box.get_by_role("heading").inner_text()
    assert "Send out two applications for every rejection" in boxes.nth(3).inner_text()

    takeaways = page.get_by_role("navigation", name="Key takeaways").get_by_role("link")
    assert takeaways.count() == 4
    for index in range(4):
        page.evaluate("window.scrollTo(0, 0)")
        target = boxes.nth(index).get_attribute("id")
        takeaways.nth(index).click()
        assert page.evaluate("location.hash") == f"#{target}"
        top = page.evaluate(f"document.getElementById('{target}').getBoundingClientRect().top")
        assert -2 <= top < 600  # scrolled to the box (sub-pixel rounding)


def test_boxes_are_labelled_landmarks(page, site_url: str) -> None:
    page.goto(site_url + SEED)
    complementary = page.get_by_role("complementary")
    names = [complementary.nth(i).get_attribute("aria-labelledby") for i in range(4)]
    assert all(names)
    assert "Dust Yourself Off" in page.locator(f"#{names[0]}").inner_text()


def test_tips_page_links_land_on_boxes(page, site_url: str) -> None:
    page.goto(site_url + "/tips/")
    page.get_by_role("link", name="Ask for Advice").click()
    page.wait_for_url(f"{site_url}{SEED}#*")
    target = page.evaluate("location.hash").lstrip("#")
    assert page.locator(f"aside#{target}").count() == 1


@pytest.mark.parametrize("path", ["/tips/", SEED])
def test_axe_on_tips(page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
