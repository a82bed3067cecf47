"""The ladder model is framework-free: importing any of it loads neither Django nor
Celery (checked in a fresh interpreter, where nothing else has loaded them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    f"ladder.method.{path.stem}"
    for path in (ROOT / "ladder" / "method").glob("*.py")
    if path.stem != "__init__"
)
PROBE = (
    "import importlib, sys; importlib.import_module(sys.argv[1]); "
    "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery'})))"
)


def test_the_model_has_its_modules():
    assert "ladder.method.scoring" in MODULES
    assert len(MODULES) >= 8


@pytest.mark.parametrize("module", MODULES)
def test_importing_the_model_loads_neither_django_nor_celery(module):
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    ).stdout.strip()
    assert loaded == "", f"{module} loads {loaded}"


def test_the_probe_sees_django_when_it_is_loaded():
    """The check above can fail: a module that does load Django is caught."""
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE, "django.conf"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    ).stdout.strip()
    assert loaded == "django"


def test_celery_finds_the_app_as_celery_dash_a_ladder_does():
    """``celery -A ladder`` looks the app up by name; with no import in
    ``ladder/__init__.py`` it must still find ``ladder.celery.app``."""
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from celery.app.utils import find_app; app = find_app('ladder'); "
            "print(app.main, sorted(app.conf.beat_schedule))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DEBUG": "true"},
    ).stdout.strip()
    assert found.startswith("ladder ")
    assert "'send-checkins'" in found
