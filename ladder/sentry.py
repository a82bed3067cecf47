"""What Sentry may see: errors, never the people in them. Local variables are not
sent at all (see settings), and every string left in an event has its email addresses
replaced, so a refused recipient or an invited address never leaves the server."""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED = "[email]"


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL.sub(REDACTED, value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's hook for every event and breadcrumb trail: addresses out."""
    scrubbed: dict[str, Any] = _scrubbed(event)
    return scrubbed
