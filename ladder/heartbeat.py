"""A dead-man's switch: after each background sweep, one GET to ``HEARTBEAT_URL``
(a healthchecks.io check, say), which raises the alarm when the pings stop."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


def ping(url: str) -> bool:
    """GET ``url``; False (and a warning in the log) if it didn't answer 2xx. A ping
    must never break the sweep that sends it."""
    if not url:
        return False
    if not url.startswith(("https://", "http://")):
        log.warning("HEARTBEAT_URL must be an http(s) address, not %r", url)
        return False
    request = urllib.request.Request(url, headers={"User-Agent": "Ladder heartbeat"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status: int = response.status
            return 200 <= status < 300
    except (urllib.error.URLError, OSError, ValueError) as error:
        log.warning("Heartbeat ping to %s failed: %s", url, error)
        return False
