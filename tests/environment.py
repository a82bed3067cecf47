"""Loaded by pytest before Django (``-p tests.environment``): the test defaults.

Values already in the environment win, so CI's DATABASE_URL and REDIS_URL reach
the settings; everything else gets a safe test value.
"""

import os
import re

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("EMAIL_URL", "locmem:")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("CACHE_KEY_PREFIX", "ladder-test")
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# from that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Split across processes (pytest -n, pytest-xdist): each worker gets its own Redis
# database, since tests empty the cache and purge the Celery queue between them.
# (pytest-django gives each worker its own test database already.)
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _base = re.fullmatch(r"(redis://[^/]+)/(\d+)", os.environ["REDIS_URL"])
    if _base:
        _db = (int(_base.group(2)) - int(_worker[2:])) % 16
        os.environ["REDIS_URL"] = f"{_base.group(1)}/{_db}"
