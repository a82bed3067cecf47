"""Plans for the next rung (S4–S5): saving a plan, a new calendar address, and
higher-rung task statements to suggest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction
from django.db.models import Case, Q, Value, When

from accounts.models import User
from assessments.models import Audit, Plan, PlanEvent, PlannedActivity, TaskStatement
from ladder.method import planning, scoring

SPRINT_DAYS = 90


@dataclass(frozen=True)
class EventInput:
    title: str
    weekday: int
    start: time
    minutes: int


@dataclass(frozen=True)
class PlanInput:
    next_role: str
    proxy: str
    proxy_week: str
    skill: str
    own_skill: str
    rows: tuple[planning.PlannedShare, ...]
    sprint_start: date
    events: tuple[EventInput, ...]


@transaction.atomic
def plan_save(*, audit: Audit, owner: User, data: PlanInput) -> Plan:
    """Create or replace the plan of a completed audit. Event rows keep their
    calendar UIDs by position, so a re-imported calendar updates instead of duplicating."""
    snapshot = audit.snapshot
    moved = planning.moved_effort(data.rows, snapshot.rung)
    if planning.moved_effort_problem(data.rows, snapshot.rung, moved):
        raise ValueError("a plan must move at least 20 points upward and raise the rung")
    fields = {
        "owner": owner,
        "target_rung": scoring.next_rung(snapshot.rung),
        "next_role": data.next_role,
        "proxy": data.proxy,
        "proxy_week": data.proxy_week,
        "skill": data.skill,
        "own_skill": data.own_skill if data.skill == Plan.Skill.OWN else "",
        "moved_effort": moved,
        "moved_effort_version": planning.MOVED_EFFORT_VERSION,
        "projected_rung": planning.projected_rung(data.rows),
        "sprint_start": data.sprint_start,
        "sprint_end": data.sprint_start + timedelta(days=SPRINT_DAYS),
    }
    plan, _ = Plan.objects.select_for_update().update_or_create(audit=audit, defaults=fields)
    plan.activities.all().delete()
    PlannedActivity.objects.bulk_create(
        PlannedActivity(
            plan=plan,
            position=i,
            description=row.description,
            score=row.score,
            current_share=row.current,
            planned_share=row.planned,
        )
        for i, row in enumerate(data.rows, start=1)
    )
    existing = {e.position: e for e in plan.events.all()}
    keep = []
    for i, event in enumerate(data.events, start=1):
        row = existing.pop(i, None) or PlanEvent(plan=plan, position=i)
        row.title, row.weekday, row.start, row.minutes = (
            event.title,
            event.weekday,
            event.start,
            event.minutes,
        )
        keep.append(row)
    PlanEvent.objects.filter(pk__in=[e.pk for e in existing.values()]).delete()
    for row in keep:
        row.save()
    return plan


def plan_revoke_calendar(*, plan: Plan) -> None:
    """A new private subscription address; the old one stops working at once."""
    plan.calendar_token = Plan._meta.get_field("calendar_token").get_default()
    plan.save(update_fields=["calendar_token", "updated_at"])


def suggestions(audit: Audit, current: float) -> list[TaskStatement]:
    """Higher-scoring task statements of the person's occupation and of related
    occupations (same SOC major group) that sit higher on the ladder."""
    occupation = audit.occupation
    if occupation is None:
        return []
    related = Q(occupation=occupation) | Q(
        occupation__code__startswith=occupation.code[:2], occupation__rung__gt=occupation.rung or 0
    )
    return list(
        TaskStatement.objects.filter(related, suggested_score__gt=current)
        .select_related("occupation")
        # The person's own occupation first, then related ones higher on the ladder.
        .order_by(
            Case(When(occupation=occupation, then=Value(0)), default=Value(1)),
            "-suggested_score",
            "occupation__title",
            "task_id",
        )[:10]
    )
