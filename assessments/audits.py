"""A person's audits after the wizard: the result, "My ladder", deleting an audit."""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from assessments import coaching, quarterly, reference, services
from assessments.access import SESSION_KEY, anonymous_key, audit_for
from assessments.models import Audit, RungSnapshot
from assessments.views import HtmxHttpRequest, frontier_on
from ladder import chart, runway, scoring


def snapshot_chart(snapshot: RungSnapshot, *, with_activities: bool = True) -> chart.LadderChart:
    """The ladder chart of a result: the person, their benchmark, their activities."""
    markers = [chart.Marker("You", float(snapshot.rung), "you")]
    if snapshot.benchmark_rung is not None:
        markers.append(
            chart.Marker(snapshot.occupation_title, float(snapshot.benchmark_rung), "occupation")
        )
    if with_activities:
        markers += [
            chart.Marker(a["description"], a["score"], "activity") for a in snapshot.activities
        ]
    # The frontier as it stood when the result was taken, so chart and text agree.
    taken = timezone.localdate(snapshot.taken_at)
    label = (
        "AI frontier today"
        if taken == timezone.localdate()
        else f"AI frontier on {taken:%-d %b %Y}"
    )
    return chart.ladder_chart("Your rung on the ladder", markers, frontier_on(taken), label)


def timeline(completed: list[Audit]) -> chart.TimelineChart:
    """The person's rung per audit against the baseline frontier over time."""
    baseline = reference.scenarios()[1]
    return chart.timeline_chart(
        [(timezone.localdate(a.snapshot.taken_at), float(a.snapshot.rung)) for a in completed],
        lambda day: runway.frontier_at(day, baseline),
        timezone.localdate(),
    )


@require_GET
def result(request: HtmxHttpRequest, code: UUID) -> HttpResponse:
    audit = audit_for(request, code, related=("snapshot", "plan"))
    if audit.is_draft:
        return redirect("assessments:step_" + audit.reached, audit.code)
    return result_page(request, audit)


def result_page(
    request: HttpRequest, audit: Audit, *, reply_error: str | None = None, reply_body: str = ""
) -> HttpResponse:
    """A completed audit's result (also shown again when a reply to a coach needs fixing)."""
    snapshot = audit.snapshot
    if audit.previous_id is not None:  # "what changed" and the notes both read them
        prefetch_related_objects([audit], "activities")
    scored = [scoring.Scored(a["description"], a["share"], a["score"]) for a in snapshot.activities]
    context = {
        "audit": audit,
        "snapshot": snapshot,
        "activities": sorted(scored, key=lambda a: (-a.score, -a.share)),
        # Built only when the template's cache of the rendered chart misses (a snapshot
        # never changes; its chart depends only on the day, for the frontier's label).
        "chart": lambda: snapshot_chart(snapshot, with_activities=False),
        "activity_chart": lambda: snapshot_chart(snapshot),
        "chart_day": timezone.localdate().isoformat(),
        "concentration": scoring.concentration_warning(scored),
        "next_rung": scoring.next_rung(snapshot.rung),
        "rubric": scoring.RUBRIC,
        "claimed": audit.owner_id is not None,
        "change": quarterly.change_for(audit, snapshot),
        "reply_error": reply_error,
        "reply_body": reply_body,
        **(notes := coaching.comment_context(audit)),
        "coaches": coaching.coaches_of(request.user)
        if audit.owner_id is not None
        and audit.owner_id == request.user.pk
        and (notes["has_notes"] or reply_error)
        else [],
    }
    return render(request, "assessments/result.html", context, status=400 if reply_error else 200)


@login_required
@require_GET
def my_ladder(request: HtmxHttpRequest) -> HttpResponse:
    audits = list(
        Audit.objects.filter(owner_id=request.user.pk)
        .select_related("snapshot", "occupation", "plan")
        .order_by("-created_at")
    )
    key = anonymous_key(request)
    pending = (
        list(Audit.objects.filter(owner__isnull=True, anonymous_key=key).select_related("snapshot"))
        if key
        else []
    )
    drafts = [a for a in audits if a.is_draft]
    completed = [a for a in audits if not a.is_draft]
    latest = completed[0].snapshot if completed else None
    over_time = timeline(completed) if len(completed) > 1 else None
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "assessments/my_ladder.html",
        {
            "pending": pending,
            "drafts": drafts,
            "completed": completed,
            "latest": latest,
            "chart": (lambda: snapshot_chart(latest, with_activities=False)) if latest else None,
            "chart_day": timezone.localdate().isoformat(),
            "timeline": over_time,
            "next_checkin": timezone.localtime(user.next_checkin_at, ZoneInfo(user.time_zone))
            if user.next_checkin_at
            and user.next_checkin_at > timezone.now()
            and not user.checkins_paused
            else None,
            "reassessing": any(a.previous_id for a in drafts),
        },
    )


@require_http_methods(["GET", "POST"])
def delete(request: HtmxHttpRequest, code: UUID) -> HttpResponse:
    audit = audit_for(request, code)
    if request.method == "POST":
        services.audit_delete(audit=audit)
        messages.success(request, f"“{audit.title}” is deleted.")
        return redirect("assessments:my_ladder" if request.user.is_authenticated else "home")
    return render(request, "assessments/delete.html", {"audit": audit})


@login_required
@require_POST
def claim(request: HtmxHttpRequest) -> HttpResponse:
    """Add the audits made in this browser before logging in to the account."""
    assert isinstance(request.user, User)
    claimed = services.audits_claim(user=request.user, anonymous_key=anonymous_key(request))
    request.session.pop(SESSION_KEY, None)
    if claimed:
        messages.success(
            request, f"Added to your ladder: {claimed} audit{'s' if claimed != 1 else ''}."
        )
    return redirect("assessments:my_ladder")


@login_required
@require_POST
def discard(request: HtmxHttpRequest) -> HttpResponse:
    """ "Not mine": delete the audits made in this browser before logging in."""
    key = anonymous_key(request)
    if key:
        Audit.objects.filter(owner__isnull=True, anonymous_key=key).delete()
    request.session.pop(SESSION_KEY, None)
    messages.info(request, "Those results are deleted; your ladder is unchanged.")
    return redirect("assessments:my_ladder")
