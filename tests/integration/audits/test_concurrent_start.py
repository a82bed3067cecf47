"""A double-clicked "Start my audit" whose two requests arrive together (issue "Hold
under attack", item 13): one draft, for a person and for a visitor. Real threads, each
with its own PostgreSQL connection; the sequential case is in test_wizard.py."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from assessments.models import Audit

REQUIRED = os.environ.get("LADDER_REQUIRE_SERVICES") == "1"
CLICKS = 6

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        if REQUIRED:
            pytest.fail("CI must run these on PostgreSQL")
        pytest.skip("needs PostgreSQL: on SQLite requests take turns anyway")


def together(clients: list[Client]) -> list[str]:
    """Every client presses Start at the same moment; where each was sent."""
    gate = threading.Barrier(len(clients))
    places: list[str] = []

    def press(browser: Client) -> None:
        gate.wait()
        try:
            places.append(browser.post(reverse("assessments:start"))["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return places


def test_clicks_arriving_together_make_one_draft_for_a_person(postgresql):
    person = User.objects.create_user(email="maya@example.com", password="x" * 12)
    clients = []
    for _ in range(CLICKS):
        browser = Client()
        browser.force_login(person)
        clients.append(browser)
    places = together(clients)
    assert len(places) == CLICKS
    assert len(set(places)) == 1
    assert Audit.objects.filter(owner=person).count() == 1


def test_clicks_arriving_together_make_one_draft_for_a_visitor(postgresql):
    first = Client()
    assert first.get(reverse("assessments:start")).status_code == 200  # the start page
    clients = [first]
    for _ in range(CLICKS - 1):
        browser = Client()
        browser.cookies = first.cookies  # the same browser, clicking again
        clients.append(browser)
    places = together(clients)
    assert len(set(places)) == 1
    assert Audit.objects.filter(owner=None).count() == 1
    # And the draft is the visitor's: its first step opens.
    assert first.get(places[0]).status_code == 200
