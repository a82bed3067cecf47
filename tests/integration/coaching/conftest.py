"""The coach and the client of the coaching tests."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.factories import make_person


@pytest.fixture
def coach(db: None) -> User:
    return make_person("grace@example.com", "Grace Lindqvist")


@pytest.fixture
def client_person(db: None) -> User:
    return make_person("ana@example.com", "Ana Silva")
