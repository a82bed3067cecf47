"""The cast of the whole-project tests (``tests.factories.make_world``), made once per
module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from assessments.library.services import clear_derived, load_reference
from assessments.models import Occupation
from tests.factories import World, make_world


@pytest.fixture(scope="module")
def cast(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The cast, made once per module in a transaction rolled back at its end. Each
    test runs in a savepoint inside it (pytest-django's ``db``), so whatever a test
    writes is gone before the next; 600 cells stay fast."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Occupation.objects.exists():  # a transactional test emptied the library
            load_reference()
            clear_derived()
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            world = make_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(cast: World, db: None) -> World:
    return cast
