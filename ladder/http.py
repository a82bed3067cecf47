"""Typed requests and htmx navigation, shared by every view.

A view behind ``login_required`` takes an ``AuthenticatedHttpRequest``, whose ``user``
is our ``User`` (not ``AnonymousUser``); any other view takes an ``HtmxHttpRequest``.
Navigation answers an htmx request with django-htmx's response classes and a plain
request with a redirect, so the same URL works with and without JavaScript."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django_htmx.http import HttpResponseClientRedirect, HttpResponseLocation
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """A request that has passed through django-htmx's middleware."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request from a signed-in person (views behind ``login_required``)."""

    user: User


def is_partial(request: HtmxHttpRequest) -> bool:
    """True when the page should answer with only its fragment: an htmx request that
    is not restoring history (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def swap_to(request: HtmxHttpRequest, url: str, *, target: str) -> HttpResponse:
    """Go on to ``url``: htmx fetches it into ``target`` (scrolled to the top, where the
    new heading takes the focus); without JavaScript, a plain redirect."""
    if request.htmx:
        # 204: nothing to swap from this response; htmx follows HX-Location.
        # django-htmx types ``swap`` as a bare style; htmx also takes modifiers.
        return HttpResponseLocation(
            url,
            target=target,
            swap="innerHTML show:window:top",  # type: ignore[arg-type]
            status=204,
        )
    return HttpResponseRedirect(url)


def leave_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Send the browser to ``url`` as a whole page, also from an htmx request (which
    would otherwise swap the other page into this one)."""
    if request.htmx:
        return HttpResponseClientRedirect(url, status=204)
    return HttpResponseRedirect(url)
