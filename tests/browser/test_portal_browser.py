"""Click through the portal in real chromium: every page, language switch, time slider, download,
login, and axe-core accessibility checks (no serious or critical WCAG 2.1 AA violation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import RESEARCHER, screenshot

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
PAGES = {
    "overview": "/fi/?indicator=unemployment_share&level=municipality",
    "explore": "/fi/explore?indicator=unemployment_share&level=employment_area&area=8&area=1",
    "area": "/fi/area/employment_area/8",
    "evaluation": "/fi/evaluation",
    "methods": "/fi/methods",
    "data": "/fi/data",
    "login": "/fi/login",
}


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_and_error_free(page, portal_url, name):
    page.goto(portal_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_map_draws_and_time_slider_moves_the_month(page, portal_url):
    page.goto(portal_url + PAGES["overview"])
    page.wait_for_selector("#map[data-ready='2025-12']")
    assert page.locator("path.leaflet-interactive").count() == 308
    slider = page.locator("#period")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_selector("#map[data-ready='2025-09']")
    assert page.locator("#period-output").inner_text() == "2025-09"
    assert "period=2025-09" in page.url  # the address carries the state
    assert "2025-09" in page.locator("#map-status").inner_text()


def test_map_level_switch_and_phone_screen(browser, portal_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(portal_url + "/en/?indicator=activation_rate&level=employment_area")
    page.wait_for_selector("#map[data-ready]")
    assert page.locator("path.leaflet-interactive").count() == 46
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    screenshot(page, "overview-phone")
    context.close()


def test_language_switch_keeps_selection(page, portal_url):
    page.goto(portal_url + PAGES["explore"])
    page.get_by_role("link", name="På svenska").click()
    page.wait_for_load_state("networkidle")
    assert "/sv/explore" in page.url and "area=8" in page.url
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", name="Indikatorer som tidsserier").is_visible()


def test_explorer_chart_and_download(page, portal_url):
    page.goto(portal_url + PAGES["explore"])
    page.wait_for_selector("#chart[data-ready='true'] svg")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Lataa CSV").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("indicator,area_type,area_code,area_name,period,value")
    assert "Helsinki" in text


def test_explorer_form_submits_new_selection(page, portal_url):
    page.goto(portal_url + PAGES["explore"])
    page.select_option("#indicator", "activation_rate")
    page.get_by_role("button", name="Näytä").click()
    page.wait_for_load_state("networkidle")
    assert "indicator=activation_rate" in page.url
    assert page.get_by_role("heading", name="Aktivointiaste (%)").is_visible()


def test_login_to_internal_view(page, portal_url):
    page.goto(portal_url + "/en/login")
    page.get_by_label("Username").fill(RESEARCHER[0])
    page.get_by_label("Password").fill(RESEARCHER[1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/internal")
    assert page.get_by_role("heading", name="Internal view").is_visible()
    screenshot(page, "internal")
    assert axe_violations(page) == []
