"""The evaluation page in real chromium: charts draw (an area's when it is opened), the summary
table sorts, no serious or critical axe-core violation with an area open, and it reflows on a
phone. The portal test warehouse carries a small stored trial evaluation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_portal_browser import axe_violations

pytestmark = pytest.mark.browser


def test_charts_draw_and_an_opened_area_stays_accessible(page, portal_url):
    page.goto(portal_url + "/en/evaluation")
    page.wait_for_selector("[data-source='path-trial'][data-evaluation-chart='gap'][data-ready]")
    page.wait_for_selector("[data-source='path-did'][data-ready]")
    closed = page.locator("#area-T08 [data-evaluation-chart='trajectory']")
    assert closed.get_attribute("data-ready") is None  # not drawn while its section is closed
    page.click("#area-T08 > summary")
    page.wait_for_selector("#area-T08 [data-evaluation-chart='gap'][data-ready]")
    assert page.locator("#area-T08 svg").count() >= 2
    screenshot(page, "evaluation")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_summary_sorts_by_effect_from_the_header_link(page, portal_url):
    page.goto(portal_url + "/fi/evaluation")
    page.click("#summary thead a[href*='sort=effect']")
    page.wait_for_url("**sort=effect**")
    assert page.locator("#summary th[aria-sort='ascending']").count() == 1
    assert page.locator("#summary tbody tr").first.locator("th").inner_text() == "Helsinki"


def test_evaluation_page_on_a_phone(browser, portal_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(portal_url + "/sv/evaluation")
    page.wait_for_selector("[data-source='path-trial'][data-ready]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    screenshot(page, "evaluation-phone")
    context.close()
