"""Step S6 in the browser: the check-in link from the email, the reassessment it
starts, "what changed since last quarter", one-click unsubscribe and the check-in
settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from assessments import checkins, services
from assessments.models import Audit, Checkin, Plan, RungSnapshot
from ladder import scoring

# --- What changed since last quarter ---------------------------------------------------


@dataclass(frozen=True)
class Change:
    """This quarter against the last: the figures the result page compares."""

    before: RungSnapshot
    after: RungSnapshot
    plan: Plan | None
    moved: int  # percentage points that actually left activities at or below last rung
    lowered: Sequence[str]  # activities the person said AI has closed the gap on

    @property
    def rung_delta(self) -> Decimal:
        return scoring.round_half_up(self.after.rung, 1) - scoring.round_half_up(
            self.before.rung, 1
        )

    @property
    def low_delta(self) -> int:
        return self.after.low_share - self.before.low_share

    @property
    def frontier_delta(self) -> Decimal:
        return scoring.round_half_up(self.after.frontier, 1) - scoring.round_half_up(
            self.before.frontier, 1
        )

    @property
    def days(self) -> int:
        return (
            timezone.localdate(self.after.taken_at) - timezone.localdate(self.before.taken_at)
        ).days

    @property
    def short_by(self) -> int:
        return max(0, self.plan.moved_effort - self.moved) if self.plan else 0

    @property
    def met_plan(self) -> bool | None:
        return None if self.plan is None else self.moved >= self.plan.moved_effort


def moved_since(
    rung_before: Decimal, before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]
) -> int:
    """Points of the week that left activities at or below last quarter's rung,
    matching snapshot activities by their description (planning's moved-effort rule)."""
    now = {a["description"].casefold(): a["share"] for a in after}
    shown = scoring.round_half_up(rung_before, 1)
    low = [a for a in before if a["score"] <= shown]
    # Net, not gross: time shuffled between two low activities moved nothing upward.
    before_share: int = sum(a["share"] for a in low)
    after_share: int = sum(now.get(a["description"].casefold(), 0) for a in low)
    return max(0, before_share - after_share)


def change_for(audit: Audit, snapshot: RungSnapshot) -> Change | None:
    """How a reassessment compares with the audit it was copied from (2 queries)."""
    if audit.previous_id is None:
        return None
    before = RungSnapshot.objects.filter(audit_id=audit.previous_id).first()
    if before is None:
        return None
    plan = Plan.objects.filter(audit_id=audit.previous_id).first()
    lowered = [a.description for a in audit.activities.all() if a.gap_closed]
    moved = moved_since(before.rung, before.activities, snapshot.activities)
    return Change(before, snapshot, plan, moved, lowered)


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


@require_http_methods(["GET", "POST"])
def checkin_link(request: HttpRequest, token: str) -> HttpResponse:
    """The email's link. A GET only shows a page with a button (mail scanners open
    links); the button starts the reassessment, after logging in if needed."""
    try:
        checkin = checkins.checkin_for_token(token)
    except checkins.LinkProblem as problem:
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


@login_required
@require_POST
def reassess(request: HttpRequest) -> HttpResponse:
    """Start this quarter's reassessment from My ladder, without waiting for the email."""
    assert isinstance(request.user, User)
    previous = (
        Audit.objects.filter(owner=request.user, status=Audit.Status.COMPLETE)
        .order_by("-completed_at")
        .first()
    )
    if previous is None:
        messages.info(request, "A check-in starts from a completed audit: do your first one.")
        return redirect("assessments:my_ladder")
    audit = services.reassessment_start(owner=request.user, previous=previous)
    return redirect("assessments:step_activities", audit.code)


# --- Unsubscribe -----------------------------------------------------------------------


@csrf_exempt  # RFC 8058: mail apps POST here without cookies or a form token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe. A GET asks; a POST (our button, or the mail app's
    one-click request) pauses check-ins. Changes nothing else."""
    user = checkins.user_for_unsubscribe(token)
    if user is None:
        return _problem(request, "invalid", 404)
    done = request.method == "POST"
    if done:
        User.objects.filter(pk=user.pk).update(checkins_paused=True)
    return render(request, "assessments/unsubscribe.html", {"done": done, "person": user})


# --- Settings --------------------------------------------------------------------------

LATEST_CHOICE = timedelta(days=366)


class CheckinSettingsForm(forms.Form):
    next_date = forms.DateField(
        label="Next check-in",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The email arrives at about 9:00 on this day, in your time zone.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"],
        error_messages={"invalid": "Enter a date like 2027-03-01."},
    )
    paused = forms.BooleanField(
        label="Pause check-in emails",
        required=False,
        help_text="Nothing is sent while paused. Your ladder and plans stay as they are.",
    )

    def __init__(
        self, *args: object, today: date, earliest: date | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today
        self.earliest = earliest  # a quarter's minimum gap after the last check-in

    def clean_next_date(self) -> date | None:
        day: date | None = self.cleaned_data["next_date"]
        if day is None:
            return None
        if day <= self.today:
            raise forms.ValidationError("Pick a day after today.")
        if self.earliest and day < self.earliest:
            raise forms.ValidationError(
                f"Your last check-in went out less than 60 days before that: pick "
                f"{self.earliest:%-d %B %Y} or later (one check-in a quarter)."
            )
        if day > self.today + LATEST_CHOICE:
            raise forms.ValidationError("Pick a day within the next year; a quarter is 90 days.")
        return day

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("paused") and "next_date" in cleaned and cleaned["next_date"] is None:
            self.add_error("next_date", "Pick the day of your next check-in, or pause them.")
        return cleaned


HISTORY = 8


@login_required
@require_http_methods(["GET", "POST"])
def checkin_settings(request: HttpRequest) -> HttpResponse:
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
            user.checkins_paused = form.cleaned_data["paused"]
            if day is not None:
                user.next_checkin_at = checkins.due_on(day, user.time_zone)
            user.save(update_fields=["checkins_paused", "next_checkin_at"])
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
