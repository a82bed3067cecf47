"""The check-in and reminder emails: what they say and how they are built."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from assessments.checkins.links import LINK_MAX_AGE, link_token, unsubscribe_token
from assessments.library import services as library
from assessments.models import Checkin, Plan
from ladder.mail import absolute_url, render_email
from ladder.method import runway, scoring


def email_context(checkin: Checkin, *, now: datetime) -> dict[str, Any]:
    """What the email says: last quarter's rung and sprint, the activities to
    re-check, and the links. ``checkin.snapshot`` must be set."""
    snapshot = checkin.snapshot
    assert snapshot is not None
    user = checkin.user
    plan = Plan.objects.filter(audit_id=snapshot.audit_id).first()
    scenarios = library.scenarios()
    frontier_now = scoring.round_half_up(
        runway.frontier_at(timezone.localdate(now), scenarios[1]), 1
    )
    link_checkin = checkin
    if checkin.kind == Checkin.Kind.REMINDER:
        link_checkin = Checkin.objects.get(
            user_id=checkin.user_id, period=checkin.period, kind=Checkin.Kind.CHECKIN
        )
        link_checkin.user = user
    high = sorted(
        (a for a in snapshot.activities if a["score"] >= 4),
        key=lambda a: (-a["score"], -a["share"]),
    )
    return {
        "user": user,
        "reminder": checkin.kind == Checkin.Kind.REMINDER,
        "snapshot": snapshot,
        "rung": scoring.round_half_up(snapshot.rung, 1),
        "frontier_then": scoring.round_half_up(snapshot.frontier, 1),
        "frontier_now": frontier_now,
        "plan": plan,
        "high": high,
        "link": absolute_url(reverse("assessments:checkin", args=[link_token(link_checkin)])),
        "link_expires": timezone.localtime(now + LINK_MAX_AGE, ZoneInfo(user.time_zone)),
        "settings_url": absolute_url(reverse("assessments:checkin_settings")),
        "unsubscribe_url": absolute_url(
            reverse("assessments:unsubscribe", args=[unsubscribe_token(user)])
        ),
    }


def build_message(checkin: Checkin, *, now: datetime) -> EmailMultiAlternatives:
    context = email_context(checkin, now=now)
    return render_email(
        "checkin_reminder" if context["reminder"] else "checkin",
        context,
        to=[checkin.user.email],
        headers={
            # RFC 8058 one-click unsubscribe: mail apps POST to this address.
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        time_zone=checkin.user.time_zone,  # dates as the person reads them
    )
