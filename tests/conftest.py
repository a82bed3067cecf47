"""The shared cast and helpers. Every test gets a clean cache (rate limits live there)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import get_resolver

from accounts.models import User
from assessments.library.services import clear_derived, load_reference
from assessments.models import Occupation
from tests.factories import make_person
from tests.smtp import SmtpSink


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The reference library is part of every test database, as in production.

    pytest-django runs transactional tests (which empty the tables) after the rest;
    those that need the library ask for ``reference_data``.
    """
    with django_db_blocker.unblock():
        load_reference()
        clear_derived()
    # Import every view now, at the real time: a module-level clock (the health check's
    # STARTED_AT) must not be read first inside a test that travels in time.
    get_resolver().url_patterns  # noqa: B018


@pytest.fixture
def reference_data(db: None) -> None:
    """The reference library, reloaded if a transactional test emptied it."""
    if not Occupation.objects.exists():
        load_reference()
        clear_derived()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Passwords are hashed for every person a test makes; the production hasher is
    slow on purpose and would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
    clear_derived()  # figures computed from reference rows a test may have changed


@pytest.fixture
def individual(db: None) -> User:
    """Maya, a mid-level developer, signed up and verified."""
    return make_person("maya@example.com", "Maya Patel")


@pytest.fixture
def maya(client: Client, individual: User) -> Client:
    """A test client logged in as the individual."""
    client.force_login(individual)
    return client


@pytest.fixture
def second_individual(db: None) -> User:
    """Tom, another person whose data Maya must never see."""
    return make_person("tom@example.com", "Tom Reyes")


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """A real SMTP server, and Django's mail pointed at it."""
    sink = SmtpSink()
    sink.controller.start()
    settings.MAILERS = {"default": sink.mailer}
    yield sink
    with contextlib.suppress(AssertionError):  # a test may have stopped it already
        sink.controller.stop()
