"""The landing page, the health check and the error pages."""

import pytest
from django.db import connection, connections
from django.test import Client

from ladder import views


def test_landing_explains_the_ladder_and_invites_a_start(client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Where does your work sit as AI climbs?" in html
    for principle in [
        "AI climbs from the bottom",
        "Human contact predicts staying power",
        "Lower rungs have shorter runways",
        "Moving early beats pivoting late",
        "judgment, trust and emotional intelligence",
        "Hybrid roles win",
    ]:
        assert principle in html
    assert 'href="/accounts/signup/"' in html
    assert "Log in" in html


def test_navigation_knows_who_is_signed_in(client, individual, django_assert_num_queries):
    client.force_login(individual)
    with django_assert_num_queries(2):  # session, user
        html = client.get("/").content.decode()
    assert "Maya Patel" in html
    assert "Log out" in html
    assert "Sign up" not in html


def test_healthz_answers_when_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["database"]) == ("ok", "ok")


def test_healthz_is_503_when_the_database_is_unreachable(client, db, monkeypatch):
    # A real connection to a database that isn't there: a missing file for SQLite,
    # a closed port for PostgreSQL.
    broken_settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        broken_settings["NAME"] = "/nonexistent-dir/ladder.sqlite3"
    else:
        broken_settings["PORT"] = "1"
    broken = type(connections["default"])(broken_settings, alias="broken")
    monkeypatch.setattr(views, "connection", broken)
    response = client.get("/healthz")
    broken.close()
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_missing_page_is_our_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can't find that page" in html
    assert 'href="/static/css/ladder.css"' in html


def test_server_error_page_renders_without_request_context(rf):
    response = views.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_permission_denied_page(rf, db):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    response = views.permission_denied(request)
    assert response.status_code == 403
    assert "You can't open this page" in response.content.decode()


def test_csrf_failure_is_a_friendly_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/login/code/",
    ],
)
def test_public_pages_use_our_design(client, db, path):
    html = client.get(path).content.decode()
    assert 'href="/static/css/ladder.css"' in html
    assert 'class="site-header"' in html
