"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")

application = get_wsgi_application()

# The activity matcher's index takes a few seconds to build: build it as the worker
# starts, not while the first person waits on the scores step.
from assessments.library.services import warm_matcher  # noqa: E402 - needs the app loaded

warm_matcher()
