"""The internal segment view in real chromium: reached from the internal view's tabs, accessible
(axe-core: no serious or critical WCAG 2.1 AA violation), chart drawn, and usable on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RESEARCHER, screenshot
from tests.browser.test_portal_browser import axe_violations

pytestmark = pytest.mark.browser


def _login(page, portal_url: str) -> None:
    page.goto(portal_url + "/en/login")
    page.get_by_label("Username").fill(RESEARCHER[0])
    page.get_by_label("Password").fill(RESEARCHER[1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/internal")


def test_segment_view_is_accessible_and_draws_its_chart(page, portal_url):
    _login(page, portal_url)
    page.get_by_role("link", name="Client segments").click()
    page.wait_for_url("**/en/internal/segments")
    page.select_option("#level", "employment_area")  # submits the form by itself
    page.wait_for_url("**level=employment_area**")
    page.select_option("#area", "8")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#chart[data-ready='true'] svg")
    assert page.get_by_role("heading", name="Helsinki: starts 2024-01–2024-12").is_visible()
    assert page.locator("table caption").count() == 7
    screenshot(page, "internal-segments")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_segment_view_reflows_on_a_phone(browser, portal_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, portal_url)
    page.goto(portal_url + "/fi/internal/segments?level=municipality&area=091")
    page.wait_for_selector("#chart[data-ready='true']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no page-wide horizontal scrolling"
    assert axe_violations(page) == []
    context.close()
