"""Small, strict readers for configuration from the environment.

Each helper raises ``ImproperlyConfigured`` with the variable's name when a value
cannot be understood, so a typo in a deployment fails at start-up instead of
silently falling back to a default.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's value, stripped, or ``default`` when unset."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    """A boolean such as ``true``/``false``, ``1``/``0``, ``yes``/``no``."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    """A whole number."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def mailer_from_url(url: str) -> dict[str, Any]:
    """Turn ``EMAIL_URL`` into one entry of Django's ``MAILERS`` setting.

    Understood schemes: ``console:``, ``locmem:``, ``dummy:``, ``smtp://`` (plain,
    STARTTLS with ``?tls=1``) and ``smtps://`` (implicit TLS). User and password may be
    given in the URL; ``?timeout=`` sets the socket timeout in seconds (default 10).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"BACKEND": simple[scheme]}
    if scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtps://, console: or locmem:, not {url!r}."
        )
    if not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL {url!r} has no host.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        timeout = float(query.get("timeout", "10"))
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL timeout must be a number in {url!r}.") from None
    options: dict[str, Any] = {
        "host": parts.hostname,
        "port": parts.port or (465 if scheme == "smtps" else 25),
        "timeout": timeout,
        "use_ssl": scheme == "smtps",
        "use_tls": query.get("tls", "").lower() in _TRUE,
    }
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
