"""Every page renders in Finnish, Swedish and English, keeps its state in the address and 404s cleanly."""

import re

import pytest

from vaikutus.portal.i18n import LANGUAGES, messages
from vaikutus.portal.pages import format_number

PAGES = ["/{lang}/", "/{lang}/explore", "/{lang}/area/municipality/091", "/{lang}/evaluation",
         "/{lang}/methods", "/{lang}/data", "/{lang}/login"]


def test_locales_are_complete():
    finnish = set(messages("fi"))
    for lang in LANGUAGES:
        own = set(messages(lang))
        assert own == finnish, f"{lang} lacks {finnish - own}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_in_each_language(client, lang, page):
    response = client.get(page.format(lang=lang))
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert messages(lang)["skip_to_content"] in response.text
    assert "{{" not in response.text and "nav_" not in response.text  # no raw template or key


def test_language_switch_keeps_the_view(client):
    html = client.get("/fi/explore?indicator=activation_rate&level=region&area=01").text
    assert 'href="/sv/explore?indicator=activation_rate&amp;level=region&amp;area=01"' in html


def test_explore_table_shows_suppressed_as_symbol_not_zero(client):
    html = client.get("/en/explore?indicator=unemployed&level=municipality&area=035&from=2024-01&to=2025-12").text
    table = html[html.index("<tbody>"):]
    assert "…" in table or re.search(r'class="num">\d', table)
    assert 'class="num">0<' not in table


def test_area_profile_compares_with_country(client):
    html = client.get("/en/area/employment_area/8").text
    assert "Helsinki" in html and "Whole country" in html and "Rank" in html


@pytest.mark.parametrize("url", ["/xx/", "/fi/area/municipality/999", "/favicon.ico/", "/fi/explore?indicator=nope"])
def test_unknown_pages_are_404_pages(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "<h1>" in response.text


def test_root_redirects_by_accept_language(client):
    assert client.get("/", headers={"accept-language": "sv-FI"}, follow_redirects=False).headers["location"] == "/sv/"
    assert client.get("/", follow_redirects=False).headers["location"] == "/fi/"


@pytest.mark.parametrize(("value", "lang", "text"), [
    (1234.56, "fi", "1\u00a0234,6"), (1234.56, "en", "1,234.6"), (12.0, "sv", "12"), (None, "fi", ""),
])
def test_number_formats(value, lang, text):
    assert format_number(value, lang) == text
