"""The source switch in real chromium: the map of the real StatFin 12r5 month, labelled, accessible.

The portal test warehouse holds the synthetic rows and, as the demo does, the real 2026M06 month
(tests/portal/conftest.py). ``overview-statfin`` is the screenshot kept in docs/screenshots.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_portal_browser import axe_violations

pytestmark = pytest.mark.browser
SOURCE_LINE = "KEHA-keskus, Työnvälitystilasto (Tilastokeskus, StatFin 12r5), päivitetty 21.7.2026"


def test_map_of_the_real_month_is_labelled_and_accessible(page, portal_url):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(portal_url + "/fi/?indicator=unemployment_share&level=municipality&source=statfin")
    page.wait_for_selector("#map[data-ready='2026-06']")
    assert page.locator("path.leaflet-interactive").count() == 308
    assert any("/api/v1/values" in u and "source=statfin" in u for u in requests)
    assert SOURCE_LINE in page.locator(".source-line").inner_text()
    assert page.locator(".source-switch a[aria-current]").inner_text() == "Julkinen tilasto (StatFin)"
    # the Åland municipalities withheld by StatFin are grey (suppressed), not coloured as a value
    assert "salattu" in page.locator("#legend").inner_text()
    page.wait_for_load_state("networkidle")
    screenshot(page, "overview-statfin")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_switching_source_keeps_the_level_and_the_map_follows(page, portal_url):
    page.goto(portal_url + "/en/?indicator=unemployed&level=region")
    page.wait_for_selector("#map[data-ready='2025-12']")
    page.get_by_role("navigation", name="Data source").get_by_role("link", name="Real public statistics (StatFin)").click()
    page.wait_for_selector("#map[data-ready='2026-06']")
    assert "source=statfin" in page.url and "level=region" in page.url
    assert page.locator("path.leaflet-interactive").count() == 19
    page.locator("path.leaflet-interactive").first.click()
    page.wait_for_url("**/en/area/region/*?source=statfin")
    assert "updated 21 July 2026" in page.locator(".source-line").inner_text()


@pytest.mark.parametrize("path", ["/sv/explore?indicator=unemployment_share&level=municipality&area=091&source=statfin",
                                  "/en/area/municipality/091?source=statfin"])
def test_explorer_and_area_page_in_the_real_source_are_accessible(page, portal_url, path):
    page.goto(portal_url + path)
    page.wait_for_load_state("networkidle")
    assert "2026-06" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    assert page.js_errors == []
