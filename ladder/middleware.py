"""Per-person request handling: dates in the person's own time zone, and pages made for
one signed-in person kept out of shared caches.

Both look at ``request.user`` only after the URL is resolved, and not at all for a view
marked ``@sessionless`` (the health check), which must answer 503 rather than 500 while
the database that holds sessions is down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control


def sessionless[View: Callable[..., Any]](view: View) -> View:
    """Mark a view that must never read the session or the signed-in person."""
    view.sessionless = True  # type: ignore[attr-defined]
    return view


def _sessionless(view_func: Callable[..., Any]) -> bool:
    return getattr(view_func, "sessionless", False)


class PersonTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()  # until process_view knows whose page this is
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], *args: Any) -> None:
        if _sessionless(view_func) or not request.user.is_authenticated:
            return
        name = getattr(request.user, "time_zone", None)
        try:
            zone = ZoneInfo(name) if name else None
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is not None:
            timezone.activate(zone)


class PrivatePagesMiddleware:
    """``Cache-Control: private`` on every response to a signed-in person, so no proxy
    or shared cache keeps one person's ladder for the next. Downloads say ``no-store``
    themselves (``never_cache``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_sessionless", False):
            return response
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], *args: Any) -> None:
        if _sessionless(view_func):
            request._sessionless = True  # type: ignore[attr-defined]
