"""Everything Ladder holds about a person, as plain data for the JSON download.

The private calendar subscription token is left out on purpose: it is a key, not
data, and a shared export must not let anyone subscribe to the person's calendar."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.models import CoachLink, User
from assessments.models import Audit, Checkin, Comment, Plan
from ladder.http import AuthenticatedHttpRequest
from ladder.method import calendar
from ladder.method.calendar import WEEKDAY_NAMES


def person_data(user: User) -> dict[str, Any]:
    """The person's profile, audits with activities, rung snapshots and plans
    (with their sprint and calendar events), in a fixed number of queries."""
    audits = (
        Audit.objects.filter(owner=user)
        .select_related("occupation", "snapshot", "plan")
        .prefetch_related("activities", "plan__activities", "plan__events")
    )
    # Whose audits the person may see: their own and their active clients'. A coach's
    # notes on a former client's audit are exported as their words only.
    shared = {user.pk} | set(
        CoachLink.objects.filter(coach=user, state=CoachLink.State.ACTIVE).values_list(
            "client_id", flat=True
        )
    )
    return {
        "format": "ladder-export/1",
        "profile": {
            "email": user.email,
            "name": user.name,
            "time_zone": user.time_zone,
            "joined": user.date_joined.isoformat(),
        },
        "audits": [_audit(audit) for audit in audits],
        "checkins": {
            "next_checkin_at": user.next_checkin_at.isoformat() if user.next_checkin_at else None,
            "paused": user.checkins_paused,
            "emails": [_checkin(c) for c in Checkin.objects.filter(user=user)],
        },
        "coaching": {
            "weekly_digest": user.coach_digest,
            "links": [
                _link(link, user)
                for link in CoachLink.objects.filter(Q(coach=user) | Q(client=user))
                .select_related("coach", "client")
                .order_by("created_at")
            ],
            "comments": [
                _comment(c, visible=c.audit.owner_id in shared)
                for c in Comment.objects.filter(Q(author=user) | Q(audit__owner=user))
                .select_related("author", "audit", "activity")
                .order_by("created_at")
            ],
        },
    }


def _person(person: User | None) -> dict[str, str] | None:
    return None if person is None else {"name": person.name, "email": person.email}


def _link(link: CoachLink, user: User) -> dict[str, Any]:
    return {
        "my_role": "coach" if link.coach_id == user.pk else "client",
        "coach": _person(link.coach),
        "client": _person(link.client),
        "invited_by": link.invited_by,
        "invited_address": link.email,
        "state": link.state,
        "created_at": link.created_at.isoformat(),
        "answered_at": link.responded_at.isoformat() if link.responded_at else None,
        "ended_at": link.ended_at.isoformat() if link.ended_at else None,
    }


def _comment(comment: Comment, *, visible: bool) -> dict[str, Any]:
    return {
        "audit": str(comment.audit.code) if visible else None,
        "activity": comment.activity.description if comment.activity and visible else None,
        "author": comment.author.display_name if comment.author else None,
        "by_coach": comment.by_coach,
        "text": comment.body,
        "coach_score": comment.coach_score,
        "created_at": comment.created_at.isoformat(),
    }


def _checkin(checkin: Checkin) -> dict[str, Any]:
    return {
        "period": checkin.period.isoformat(),
        "kind": checkin.kind,
        "state": checkin.state,
        "attempts": checkin.attempts,
        "sent_at": checkin.sent_at.isoformat() if checkin.sent_at else None,
        "note": checkin.last_error,
    }


def _audit(audit: Audit) -> dict[str, Any]:
    snapshot = getattr(audit, "snapshot", None) if not audit.is_draft else None
    return {
        "code": str(audit.code),
        "job_title": audit.job_title,
        "occupation": {"code": audit.occupation.code, "title": audit.occupation.title}
        if audit.occupation
        else None,
        "status": audit.status,
        "ai_news_sources": audit.ai_sources,
        "created_at": audit.created_at.isoformat(),
        "completed_at": audit.completed_at.isoformat() if audit.completed_at else None,
        "activities": [
            {
                "description": a.description,
                "share": a.share,
                "score": a.score,
                "could_ai_do_it_within_three_years": a.three_year,
                "last_quarter_score": a.previous_score,
                "ai_closed_the_gap": a.gap_closed,
            }
            for a in audit.activities.all()
        ],
        "snapshot": None
        if snapshot is None
        else {
            "code": str(snapshot.code),
            "taken_at": snapshot.taken_at.isoformat(),
            "rung": str(snapshot.rung),
            "low_rung_share": snapshot.low_share,
            "high_rung_share": snapshot.high_share,
            "activities": snapshot.activities,
            "benchmark": {
                "occupation": snapshot.occupation_title,
                "rung": str(snapshot.benchmark_rung),
            }
            if snapshot.benchmark_rung is not None
            else None,
            "frontier": str(snapshot.frontier),
            "runway": {
                "text": snapshot.runway_text,
                "shortest_days": snapshot.runway_shortest_days,
                "longest_days": snapshot.runway_longest_days,
                "scenarios": snapshot.scenarios,
            },
            "rubric_version": snapshot.rubric_version,
        },
        "plan": _plan(plan) if (plan := getattr(audit, "plan", None)) is not None else None,
    }


def _plan(plan: Plan) -> dict[str, Any]:
    # Never the calendar token: see the module docstring.
    return {
        "code": str(plan.code),
        "target_rung": plan.target_rung,
        "next_role": plan.next_role,
        "proxy": plan.proxy,
        "proxy_week": plan.proxy_week,
        "skill": plan.skill,
        "skill_name": plan.skill_name,
        "moved_effort": plan.moved_effort,
        "moved_effort_version": plan.moved_effort_version,
        "projected_rung": str(plan.projected_rung),
        "sprint": {"start": plan.sprint_start.isoformat(), "end": plan.sprint_end.isoformat()},
        "activities": [
            {
                "description": a.description,
                "score": a.score,
                "current_share": a.current_share,
                "planned_share": a.planned_share,
            }
            for a in plan.activities.all()
        ],
        "events": [
            {
                "uid": str(e.uid),
                "title": e.title,
                "weekday": WEEKDAY_NAMES[e.weekday],
                "start": e.start.strftime("%H:%M"),
                "minutes": e.minutes,
            }
            for e in plan.events.all()
        ],
        "quarterly_review": {
            "uid": str(plan.review_uid),
            "first": plan.sprint_end.isoformat(),
            "minutes": calendar.REVIEW_MINUTES,
            "every_months": calendar.REVIEW_EVERY_MONTHS,
        },
        "created_at": plan.created_at.isoformat(),
        "updated_at": plan.updated_at.isoformat(),
    }


@never_cache  # a download of everything of one person's: nothing keeps a copy
@login_required
@require_safe
def download(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Everything of the person's, as a JSON file download (``accounts:export``)."""
    response = JsonResponse(
        person_data(request.user), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ladder-data-{stamp}.json"'
    return response
