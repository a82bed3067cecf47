"""The migrations match the models: a model change without its migration would pass
every other test (they build the database from the models' migrations) and then fail
on the first deploy."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit:
        pytest.fail(f"models changed without a migration (exit {exit.code}):\n{out.getvalue()}")
