"""Everything Ladder holds about a person, as plain data for the JSON download."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from assessments.models import Audit


def person_data(user: User) -> dict[str, Any]:
    """The person's profile, audits with activities, and rung snapshots."""
    audits = (
        Audit.objects.filter(owner=user)
        .select_related("occupation", "snapshot")
        .prefetch_related("activities")
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
        "created_at": audit.created_at.isoformat(),
        "completed_at": audit.completed_at.isoformat() if audit.completed_at else None,
        "activities": [
            {
                "description": a.description,
                "share": a.share,
                "score": a.score,
                "could_ai_do_it_within_three_years": a.three_year,
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
    }
