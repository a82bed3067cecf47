"""Project-wide pages: the landing page, the health check and the error pages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ladder.middleware import sessionless


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "landing.html")


STARTED_AT = timezone.now()  # a fresh deploy gives the sweep an hour to run
SWEEP_LATE_AFTER = timedelta(hours=1)  # beat sweeps every 15 minutes


@sessionless  # a session cookie must not make a database outage a 500
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers (and, with a worker configured, the check-in
    sweep ran within the hour); 503 otherwise, saying which part is wrong."""
    from assessments.models import Heartbeat

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        beat = (
            Heartbeat.objects.filter(name="checkin-sweep").values_list("beat_at", flat=True).first()
        )
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    now = timezone.now()
    late = settings.SWEEP_EXPECTED and now - max(beat or STARTED_AT, STARTED_AT) > SWEEP_LATE_AFTER
    body = {
        "status": "error" if late else "ok",
        "database": "ok",
        "sweep": {
            "expected": settings.SWEEP_EXPECTED,
            "last_run": beat.isoformat() if beat else None,
            "minutes_ago": int((now - beat).total_seconds() // 60) if beat else None,
            "late": late,
        },
    }
    return JsonResponse(body, status=503 if late else 200)


def _error_page(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return HttpResponse(render_to_string(template, request=request), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, "errors/400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "errors/403.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: whatever broke may be in a context processor.
    return HttpResponse(render_to_string("errors/500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, 403, "errors/csrf.html")
