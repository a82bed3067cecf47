"""A completed audit's result page and its charts, shown to the person and (read
only) to their coach."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessments.audits.services import change_for
from assessments.coaching import services as coaching
from assessments.library import services as library
from assessments.library.services import frontier_on
from assessments.models import Audit, RungSnapshot
from ladder.method import chart, runway, scoring


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
    baseline = library.scenarios()[1]
    return chart.timeline_chart(
        [(timezone.localdate(a.snapshot.taken_at), float(a.snapshot.rung)) for a in completed],
        lambda day: runway.frontier_at(day, baseline),
        timezone.localdate(),
    )


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
        # The snapshot's rows, with each activity's evidence as it was at completion.
        "activities": sorted(snapshot.activities, key=lambda a: (-a["score"], -a["share"])),
        # Built only when the template's cache of the rendered chart misses (a snapshot
        # never changes; its chart depends only on the day, for the frontier's label).
        "chart": lambda: snapshot_chart(snapshot, with_activities=False),
        "activity_chart": lambda: snapshot_chart(snapshot),
        "chart_day": timezone.localdate().isoformat(),
        "concentration": scoring.concentration_warning(scored),
        "next_rung": scoring.next_rung(snapshot.rung),
        "rubric": scoring.RUBRIC,
        "claimed": audit.owner_id is not None,
        "change": change_for(audit, snapshot),
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
