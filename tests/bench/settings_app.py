"""Ladder's own settings for `make bench`: ``ladder.settings``, read from the environment
exactly as in a deployment, with one change: static files are collected into the
bench's temporary directory (``BENCH_STATIC_ROOT``), never into the checkout's
``staticfiles/``.

Persistent connections need nothing here: ``ladder.settings`` reads ``CONN_MAX_AGE``
from ``DB_CONN_MAX_AGE`` and always turns ``CONN_HEALTH_CHECKS`` on.
"""

import os
from pathlib import Path

from ladder.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
