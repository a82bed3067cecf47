"""Baseline (a) of `make bench`: a bare Django view. No apps, no middleware, no
database, no template; what is left is Django's request handling itself."""

import os

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
ROOT_URLCONF = "tests.bench.urls_bare"
USE_TZ = True
