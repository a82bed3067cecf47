"""Step S6 in the browser: the check-in link from the email, the reassessment it
starts, "what changed since last quarter", one-click unsubscribe and the check-in
settings."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from assessments.audits import services
from assessments.checkins import links
from assessments.checkins import services as checkins
from assessments.checkins.forms import CheckinSettingsForm
from assessments.models import Audit, Checkin, RungSnapshot
from ladder.http import AuthenticatedHttpRequest

# --- What changed since last quarter ---------------------------------------------------


# --- The link in the email -------------------------------------------------------------


def _problem(request: HttpRequest, kind: str, status: int) -> HttpResponse:
    return render(request, "assessments/checkin_problem.html", {"kind": kind}, status=status)


def _previous_audit(checkin: Checkin) -> Audit | None:
    """What the reassessment copies: the person's latest completed audit."""
    return (
        Audit.objects.filter(owner_id=checkin.user_id, status=Audit.Status.COMPLETE)
        .order_by("-completed_at")
        .first()
    )


def _done(checkin: Checkin) -> bool:
    """The check-in this link was for is done: its reassessment is complete, or
    the person completed an audit some other way since the email went out."""
    started = checkin.audit
    if started is not None:
        return not started.is_draft
    since = checkin.sent_at or checkin.created_at
    return RungSnapshot.objects.filter(owner_id=checkin.user_id, taken_at__gte=since).exists()


@require_http_methods(["GET", "HEAD", "POST"])
def checkin_link(request: HttpRequest, token: str) -> HttpResponse:
    """The email's link. A GET only shows a page with a button (mail scanners open
    links); the button starts the reassessment, after logging in if needed."""
    try:
        checkin = links.checkin_for_token(token)
    except links.LinkProblem as problem:
        return _problem(request, problem.kind, 410 if problem.kind == "expired" else 404)
    if _done(checkin):
        return _problem(request, "used", 410)
    if not request.user.is_authenticated:
        return render(request, "assessments/checkin_link.html", {"checkin": checkin})
    if request.user.pk != checkin.user_id:
        return _problem(request, "someone-else", 404)
    previous = _previous_audit(checkin)
    if previous is None:
        return _problem(request, "nothing", 410)
    if request.method == "POST":
        assert isinstance(request.user, User)
        audit = services.reassessment_start(owner=request.user, previous=previous, checkin=checkin)
        return redirect("assessments:step_activities", audit.code)
    return render(
        request,
        "assessments/checkin_link.html",
        {"checkin": checkin, "previous": previous, "snapshot": previous.snapshot},
    )


# --- Unsubscribe -----------------------------------------------------------------------


@csrf_exempt  # RFC 8058: mail apps POST here without cookies or a form token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe. A GET asks; a POST (our button, or the mail app's
    one-click request) pauses check-ins. Changes nothing else."""
    try:
        user = links.user_for_unsubscribe(token)
    except links.LinkProblem as problem:
        return _problem(request, problem.kind, 410 if problem.kind == "stale" else 404)
    done = request.method == "POST"
    if done:
        User.objects.filter(pk=user.pk).update(checkins_paused=True)
    return render(request, "assessments/unsubscribe.html", {"done": done, "person": user})


# --- Settings --------------------------------------------------------------------------


HISTORY = 8


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkin_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    zone = ZoneInfo(user.time_zone)
    today = timezone.localtime(timezone.now(), zone).date()
    has_result = RungSnapshot.objects.filter(owner=user).exists()
    current = (
        timezone.localtime(user.next_checkin_at, zone).date() if user.next_checkin_at else None
    )
    last = (
        Checkin.objects.filter(user=user, kind=Checkin.Kind.CHECKIN)
        .exclude(state=Checkin.State.SKIPPED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    earliest = timezone.localtime(last, zone).date() + checkins.MIN_GAP if last else None
    if request.method == "POST":
        form = CheckinSettingsForm(request.POST, today=today, earliest=earliest)
        if form.is_valid():
            day = form.cleaned_data["next_date"]
            if user.checkins_paused and not form.cleaned_data["paused"]:
                user.unsubscribe_version += 1  # the links in older emails stop working
            user.checkins_paused = form.cleaned_data["paused"]
            if day is not None:
                user.next_checkin_at = checkins.due_on(day, user.time_zone)
            user.save(update_fields=["checkins_paused", "next_checkin_at", "unsubscribe_version"])
            if user.checkins_paused:
                messages.success(request, "Check-in emails are paused.")
            else:
                messages.success(request, f"Your next check-in is on {day:%-d %B %Y}.")
            return redirect("assessments:checkin_settings")
    else:
        # A date already past (after a long pause) would only fail: offer tomorrow.
        shown = max(current, today + timedelta(days=1)) if current else None
        form = CheckinSettingsForm(
            initial={"next_date": shown, "paused": user.checkins_paused},
            today=today,
            earliest=earliest,
        )
    return render(
        request,
        "assessments/checkin_settings.html",
        {
            "form": form,
            "has_result": has_result,
            "current": current,
            "history": list(Checkin.objects.filter(user=user)[:HISTORY]),
            "verified": EmailAddress.objects.filter(
                user=user, verified=True, primary=True
            ).exists(),
            "reassess_url": reverse("assessments:reassess"),
        },
    )
