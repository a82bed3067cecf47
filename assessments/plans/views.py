"""Steps S4–S5 after a completed audit: the plan for the next rung, the 90-day sprint
and its calendar. Services, the access helper and the views live together here: the
views are thin and the calendar is built by the pure ``ladder.method.calendar``."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments.access import audit_for, plan_for
from assessments.models import Audit, Occupation, Plan
from assessments.plans.forms import PlanForm
from assessments.plans.services import plan_revoke_calendar, plan_save, suggestions
from ladder.http import AuthenticatedHttpRequest
from ladder.method import calendar, scoring
from ladder.method.calendar import WEEKDAY_NAMES

# Part of each cached calendar's key: a new version of the code that writes the file
# (ours or icalendar's) never serves a file the old one wrote.
CALENDAR_FORMAT = hashlib.sha256(
    Path(calendar.__file__).read_bytes() + icalendar.__version__.encode()
).hexdigest()[:12]

# Where the method's stories fit: what the next rung looks like for these occupations.
STORY_EXAMPLES: dict[str, tuple[str, ...]] = {
    "15": ("Owning product strategy with the business", "Advising clients on their architecture"),
    "23": ("Leading deal negotiations", "Being the trusted outside counsel a client calls first"),
    "41": (
        "Hosting client events",
        "Building off-market relationships with owners",
        "Negotiating for clients",
    ),
}


def _today(request: HttpRequest) -> date:
    """Today where the person is (their profile's time zone)."""
    zone = getattr(request.user, "time_zone", "UTC")
    return timezone.localdate(timezone=ZoneInfo(zone))


def _completed_audit(request: HttpRequest, code: UUID) -> Audit | HttpResponse:
    audit = audit_for(request, code)
    if audit.is_draft or audit.owner_id is None:
        messages.info(
            request, "Finish the audit (and keep it in your account) before planning the next rung."
        )
        return (
            redirect("assessments:result", audit.code)
            if not audit.is_draft
            else redirect("assessments:step_" + audit.reached, audit.code)
        )
    return audit


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    found = _completed_audit(request, code)
    if isinstance(found, HttpResponse):
        return found
    audit = found
    snapshot = audit.snapshot
    plan = Plan.objects.filter(audit=audit).first()
    # A new plan starts from the person's last one (the next sprint after a check-in).
    previous = (
        None
        if plan
        else Plan.objects.filter(owner=request.user)
        .exclude(audit=audit)
        .order_by("-created_at")
        .first()
    )
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        snapshot=snapshot,
        plan=plan,
        previous=previous,
        today=_today(request),
    )
    if request.method == "POST" and request.POST.get("preview"):
        return render(
            request, "assessments/plan.html#projection", {"form": form, "snapshot": snapshot}
        )
    if request.method == "POST" and form.is_valid():
        saved = plan_save(audit=audit, owner=request.user, data=form.plan_input())
        messages.success(
            request, "Your plan and sprint are saved. Put the events in your calendar."
        )
        return redirect("assessments:sprint", saved.code)
    occupation: Occupation | None = audit.occupation
    context = {
        "audit": audit,
        "snapshot": snapshot,
        "form": form,
        "plan": plan,
        "previous": previous,
        "target": scoring.next_rung(snapshot.rung),
        "suggestions": suggestions(audit, float(snapshot.rung)),
        "examples": STORY_EXAMPLES.get(occupation.code[:2], ()) if occupation else (),
        # Event titles come from the higher-rung work: offered as you type.
        "event_ideas": [
            a["description"] for a in snapshot.activities if a["score"] > snapshot.rung
        ],
    }
    return render(request, "assessments/plan.html", context)


def _calendar(plan: Plan, request: HttpRequest) -> HttpResponse:
    """The sprint's .ics. The file is a pure function of the sprint and the plan's last
    change, so its hash is the ETag (a calendar app polling an unchanged sprint gets a
    304) and the bytes are kept in the cache under it instead of rebuilt per request."""
    sprint = calendar.Sprint(
        name=f"Ladder sprint: {plan.audit.title} → rung {plan.target_rung}",
        time_zone=plan.owner.time_zone,
        starts=plan.sprint_start,
        ends=plan.sprint_end,
        events=tuple(
            calendar.RecurringEvent(
                uid=str(e.uid),
                title=e.title,
                weekday=e.weekday,
                start=e.start,
                minutes=e.minutes,
                description="Time for the higher-rung work of your Ladder sprint.",
            )
            for e in plan.events.all()
        ),
        review_uid=str(plan.review_uid),
        url=request.build_absolute_uri(reverse("assessments:sprint", args=[plan.code])),
    )
    digest = hashlib.sha256(
        f"{CALENDAR_FORMAT}|{sprint!r}|{plan.updated_at.isoformat()}".encode()
    ).hexdigest()[:40]
    etag = f'"{digest}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    key = f"ladder:ics:{digest}"
    body = cache.get(key)
    if not isinstance(body, bytes):
        body = calendar.sprint_calendar(sprint, stamp=plan.updated_at)
        cache.set(key, body, timeout=60 * 60 * 24)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, private=True)  # one person's events: no shared cache
    return response


@login_required
@require_safe
def sprint(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    plan = plan_for(request, code)
    today = _today(request)
    context = {
        "plan": plan,
        "snapshot": plan.audit.snapshot,
        "rows": list(plan.activities.all()),
        "events": list(plan.events.all()),
        "days_left": max(0, (plan.sprint_end - max(today, plan.sprint_start)).days),
        "started": today >= plan.sprint_start,
        "finished": today > plan.sprint_end,
        "feed_url": request.build_absolute_uri(
            reverse("assessments:calendar_feed", args=[plan.calendar_token])
        ),
        "weekdays": WEEKDAY_NAMES,
    }
    return render(request, "assessments/sprint.html", context)


@never_cache
@login_required
@require_safe
def calendar_download(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    plan = plan_for(request, code)
    response = _calendar(plan, request)
    response["Content-Disposition"] = 'attachment; filename="ladder-sprint.ics"'
    return response


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private subscription address calendar apps poll; no log-in, the token is the key."""
    plan = get_object_or_404(Plan.objects.select_related("audit", "owner"), calendar_token=token)
    return _calendar(plan, request)


@login_required
@require_POST
def calendar_revoke(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    plan = plan_for(request, code)
    plan_revoke_calendar(plan=plan)
    messages.success(
        request, "The old subscription address no longer works. Subscribe again with the new one."
    )
    return redirect("assessments:sprint", plan.code)


@login_required
@require_safe
def report(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    plan = plan_for(request, code)
    snapshot = plan.audit.snapshot
    return render(
        request,
        "assessments/report.html",
        {
            "plan": plan,
            "snapshot": snapshot,
            "rows": list(plan.activities.all()),
            "events": list(plan.events.all()),
            "weekdays": WEEKDAY_NAMES,
        },
    )
