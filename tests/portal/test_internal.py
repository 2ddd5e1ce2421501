"""The internal view: roles, sessions, audit log, and no way round the area restriction."""

import pytest

from tests.portal.conftest import ANALYST_PASSWORD, RESEARCHER_PASSWORD
from vaikutus.portal.auth import AuthError, UserStore

HELSINKI_AREA, ESPOO_AREA = "8", "1"


def login(client, username, password):
    return client.post("/fi/login", data={"username": username, "password": password}, follow_redirects=False)


def test_public_cannot_read_internal_values(client):
    response = client.get("/api/v1/internal/values", params={"indicator": "unemployed", "level": "municipality", "area": "091"})
    assert response.status_code == 401
    assert client.get("/fi/internal", follow_redirects=False).headers["location"] == "/fi/login"


def test_wrong_password_fails_without_hint(client):
    response = login(client, "helsinki", "wrong-password-000")
    assert response.status_code == 401
    assert "Tarkista käyttäjätunnus ja salasana" in response.text


def test_analyst_reads_own_area_unsuppressed(client):
    assert login(client, "helsinki", ANALYST_PASSWORD).status_code == 303
    params = {"indicator": "unemployed", "level": "employment_area", "area": HELSINKI_AREA}
    rows = client.get("/api/v1/internal/values", params=params).json()["rows"]
    assert rows and all(r["flag"] is None and r["value"] is not None for r in rows)
    municipal = client.get("/api/v1/internal/values", params={**params, "level": "municipality", "area": "091"})
    assert municipal.status_code == 200


@pytest.mark.parametrize("params", [
    {"level": "employment_area", "area": ESPOO_AREA},
    {"level": "municipality", "area": "049"},  # Espoo
    {"level": "municipality", "area": ["091", "049"]},  # own plus other
    {"level": "region", "area": "01"},
    {"level": "country", "area": "SSS"},
    {"level": "municipality"},  # no area named: would be everything
    {},
])
def test_analyst_cannot_read_other_areas_by_any_route(client, params):
    login(client, "helsinki", ANALYST_PASSWORD)
    query = {"indicator": "unemployed", **params}
    assert client.get("/api/v1/internal/values", params=query).status_code == 403
    assert client.get("/api/v1/internal/download.csv", params=query).status_code == 403


def test_analyst_internal_page_lists_only_own_municipalities(client):
    login(client, "helsinki", ANALYST_PASSWORD)
    html = client.get("/en/internal?indicator=unemployed&level=municipality").text
    assert "Helsinki" in html and "Espoo" not in html and "Vantaa" not in html
    html = client.get("/en/internal?indicator=unemployed&level=region").text
    assert "no access" in html


def test_researcher_reads_everything_and_is_audited(client, portal_warehouse):
    login(client, "researcher", RESEARCHER_PASSWORD)
    response = client.get("/api/v1/internal/download.csv", params={"indicator": "unemployed", "level": "municipality"})
    assert response.status_code == 200 and "_internal" in response.headers["content-disposition"]
    entries = UserStore(portal_warehouse.with_suffix(".users.sqlite")).audit_entries()
    assert any(e["username"] == "researcher" and e["action"] == "internal_values" for e in entries)


def test_logout_ends_the_session(client):
    login(client, "researcher", RESEARCHER_PASSWORD)
    client.post("/fi/logout")
    assert client.get("/api/v1/internal/values", params={"indicator": "unemployed"}).status_code == 401


def test_sessions_expire(tmp_path):
    store = UserStore(tmp_path / "users.sqlite", session_minutes=0)
    store.add_user("r", "long-enough-password", "researcher")
    token = store.login("r", "long-enough-password")
    assert token and store.user_for(token) is None


def test_passwords_are_hashed_and_lockout_after_failures(tmp_path):
    store = UserStore(tmp_path / "users.sqlite")
    store.add_user("a", "long-enough-password", "analyst", 8)
    assert b"long-enough-password" not in (tmp_path / "users.sqlite").read_bytes()
    for _ in range(5):
        assert store.login("a", "wrong-password-xx") is None
    assert store.login("a", "long-enough-password") is None  # locked out


@pytest.mark.parametrize(("role", "area", "message"), [
    ("analyst", None, "needs --area"), ("researcher", 8, "leave --area out"), ("boss", None, "role must be"),
])
def test_user_validation(tmp_path, role, area, message):
    with pytest.raises(AuthError, match=message):
        UserStore(tmp_path / "u.sqlite").add_user("x", "long-enough-password", role, area)
