"""Actions on audits that touch more than one row. Views call these; nothing else
writes audits."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from assessments.checkins import services as checkins
from assessments.library import services as library
from assessments.models import Activity, Audit, Checkin, Plan, RungSnapshot, TaskStatement
from ladder.method import planning, runway, scoring

UNCLAIMED_DRAFT_DAYS = 30


class StaleVersion(Exception):
    """The audit changed (in another tab) since the form was opened."""

    def __init__(self, current: Audit) -> None:
        super().__init__("stale version")
        self.current = current


class Incomplete(Exception):
    """The audit can't be completed yet; the message says why."""


def new_anonymous_key() -> str:
    return secrets.token_urlsafe(32)


DOUBLE_CLICK = timedelta(seconds=30)


def audit_start(*, owner: User | None, anonymous_key: str = "") -> Audit:
    """A new draft audit for a person, or for a visitor holding ``anonymous_key``.

    A second start within a few seconds, before anything was typed (a double-clicked
    button), returns the draft the first one made.
    """
    if owner is None and not anonymous_key:
        raise ValueError("an audit needs an owner or an anonymous key")
    with transaction.atomic():
        _one_at_a_time(f"audit-start:{owner.pk if owner else anonymous_key}")
        return _untouched_draft(owner, anonymous_key) or Audit.objects.create(
            owner=owner, anonymous_key="" if owner else anonymous_key
        )


def _one_at_a_time(name: str) -> None:
    """Hold a lock named ``name`` until the transaction ends, so two requests doing the
    same thing at once (a double click) take turns. On PostgreSQL an advisory lock;
    SQLite (development only) already lets one writer in at a time."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, signed=True)])


def _untouched_draft(owner: User | None, anonymous_key: str) -> Audit | None:
    mine = (
        Audit.objects.filter(owner=owner)
        if owner
        else Audit.objects.filter(anonymous_key=anonymous_key)
    )
    return mine.filter(
        status=Audit.Status.DRAFT, version=1, created_at__gte=timezone.now() - DOUBLE_CLICK
    ).first()


@dataclass(frozen=True)
class ActivityDraft:
    description: str
    task_id: int | None = None


def _bump(audit: Audit, expected_version: int, **fields: Any) -> None:
    """Claim the next version of a draft, or raise StaleVersion with what is saved now."""
    now = timezone.now()
    updated = Audit.objects.filter(
        pk=audit.pk, version=expected_version, status=Audit.Status.DRAFT
    ).update(version=F("version") + 1, updated_at=now, **fields)
    if updated != 1:
        raise StaleVersion(Audit.objects.get(pk=audit.pk))
    # The row now holds exactly this (the update matched the version we expected).
    audit.version, audit.updated_at = expected_version + 1, now
    for name, value in fields.items():
        setattr(audit, name, value)


def _reach(audit: Audit, step: Audit.Step) -> str:
    order = list(Audit.Step)
    return max(Audit.Step(audit.reached), step, key=order.index)


@transaction.atomic
def audit_save_role(
    *, audit: Audit, expected_version: int, job_title: str, occupation_id: int | None
) -> None:
    _bump(
        audit,
        expected_version,
        job_title=job_title,
        occupation_id=occupation_id,
        reached=_reach(audit, Audit.Step.ACTIVITIES),
    )


@transaction.atomic
def audit_save_activities(
    *, audit: Audit, expected_version: int, drafts: Sequence[ActivityDraft], advance: bool
) -> None:
    """Replace the list of activities. An activity whose description is unchanged
    keeps its row (id, share, score), so forms open in other tabs still match it.
    When the shares no longer add up (an activity was added or removed), the time
    step has to be done again before the scores."""
    existing = {a.description.casefold(): a for a in audit.activities.all()}
    wanted_tasks = {d.task_id for d in drafts if d.task_id is not None}
    valid_tasks = (
        set(
            TaskStatement.objects.filter(
                pk__in=wanted_tasks, occupation_id=audit.occupation_id
            ).values_list("pk", flat=True)
        )
        if wanted_tasks and audit.occupation_id
        else set()
    )
    kept: list[Activity] = []
    new: list[Activity] = []
    for position, draft in enumerate(drafts, start=1):
        task_id = draft.task_id if draft.task_id in valid_tasks else None
        row = existing.pop(draft.description.casefold(), None)
        if row is None:
            new.append(
                Activity(
                    audit=audit, position=position, description=draft.description, task_id=task_id
                )
            )
        else:
            row.position, row.description = position, draft.description
            row.task_id = task_id if task_id is not None else row.task_id
            kept.append(row)
    reached = _reach(audit, Audit.Step.TIME) if advance else audit.reached
    shares = [row.share for row in kept] + [None] * len(new)
    if reached == Audit.Step.SCORES and (None in shares or sum(s or 0 for s in shares) != 100):
        reached = Audit.Step.TIME
    _bump(audit, expected_version, reached=reached)
    Activity.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    # Positions are unique per audit: park the kept rows out of the way first.
    for row in kept:
        row.position += 1000
    Activity.objects.bulk_update(kept, ["position"])
    for row in kept:
        row.position -= 1000
    Activity.objects.bulk_update(kept, ["position", "description", "task_id"])
    Activity.objects.bulk_create(new)


@transaction.atomic
def audit_save_shares(
    *,
    audit: Audit,
    expected_version: int,
    shares: dict[int, int],
    activities: Sequence[Activity] | None = None,
) -> None:
    """Save the shares of time. ``activities``: the audit's rows as the caller read them
    for the form (saves reading them again). Safe to use: the version claim succeeds only
    if nothing changed the audit since the form's version, the rows included."""
    _bump(audit, expected_version, reached=_reach(audit, Audit.Step.SCORES))
    if activities is None:
        activities = list(audit.activities.filter(pk__in=shares))
    activities = [a for a in activities if a.pk in shares and a.audit_id == audit.pk]
    for activity in activities:
        activity.share = shares[activity.pk]
    Activity.objects.bulk_update(activities, ["share"])


# --- Evidence for the person's own words ----------------------------------------------

log = logging.getLogger(__name__)

MATCHES_SHOWN = 3  # task statements shown beside an activity
MIN_SIMILARITY = 0.10  # below this a task is not "like" the activity at all


def _tasks_like(text: str, occupation: str | None) -> list[tuple[str, int, float]]:
    """The task statements most like ``text`` as (occupation code, O*NET task id,
    similarity): the occupation's own first, then other occupations', none that the
    matcher calls no match."""
    picked: list[tuple[str, int, float]] = []
    if occupation:
        own = library.match_keys(text, occupation=occupation, scope="occupation", top=3)
        if not own.no_match:
            picked += [(m.onet_soc_code, m.task_id, m.similarity) for m in own.matches]
    every = library.match_keys(text, occupation=occupation, scope="all", top=6)
    if not every.no_match:
        seen = {(code, task_id) for code, task_id, _ in picked}
        picked += [
            (m.onet_soc_code, m.task_id, m.similarity)
            for m in every.matches
            if (m.onet_soc_code, m.task_id) not in seen
        ]
    return [p for p in picked if p[2] >= MIN_SIMILARITY][:MATCHES_SHOWN]


def activities_match(*, audit: Audit, activities: Sequence[Activity]) -> None:
    """Match each activity whose description changed since its matches were computed
    (or that has none yet) and save them; the others keep theirs. Two queries however
    many activities, and nothing sent anywhere: the matcher runs in this process."""
    stale = [a for a in activities if a.matched_text != a.description]
    if not stale:
        return
    occupation = audit.occupation.code if audit.occupation is not None else None
    try:
        found = {a.pk: _tasks_like(a.description, occupation) for a in stale}
    except Exception:  # the step works without evidence; the next view tries again
        log.exception("The activity matcher failed for audit %s", audit.pk)
        return
    tasks = library.tasks_by_key({task_id for rows in found.values() for _, task_id, _ in rows})
    for activity in stale:
        activity.matches = [
            {"task": tasks[(code, task_id)].pk, "similarity": round(similarity, 3)}
            for code, task_id, similarity in found[activity.pk]
            if (code, task_id) in tasks
        ]
        activity.matched_text = activity.description
    Activity.objects.bulk_update(stale, ["matches", "matched_text"])


@transaction.atomic
def audit_save_scores(
    *,
    audit: Audit,
    expected_version: int,
    scores: dict[int, tuple[int, bool | None]],
    gaps: dict[int, bool | None] | None = None,
    ai_sources: str | None = None,
    links: dict[int, tuple[int | None, bool]] | None = None,
) -> RungSnapshot:
    """Save the scores (in a reassessment also the "has AI closed the gap?" answers
    and the AI news sources), each activity's link to a task statement ("this is what
    I do", or none of them), and complete the audit in one transaction."""
    fields = {} if ai_sources is None else {"ai_sources": ai_sources}
    _bump(audit, expected_version, **fields)
    gaps = gaps or {}
    links = links or {}
    activities = list(audit.activities.filter(pk__in=scores))
    for activity in activities:
        activity.score, activity.three_year = scores[activity.pk]
        activity.gap_closed = gaps.get(activity.pk)
        activity.task_id, activity.no_task = links.get(
            activity.pk, (activity.task_id, activity.no_task)
        )
    Activity.objects.bulk_update(
        activities, ["score", "three_year", "gap_closed", "task_id", "no_task"]
    )
    return audit_complete(audit=audit)


def _scored(activities: Sequence[Activity]) -> list[scoring.Scored]:
    scored = []
    for a in activities:
        if a.share is None or a.score is None:
            raise Incomplete("Every activity needs a share of time and a score.")
        scored.append(scoring.Scored(a.description, a.share, a.score))
    if not scoring.MIN_ACTIVITIES <= len(scored) <= scoring.MAX_ACTIVITIES:
        raise Incomplete("An audit has 5 to 10 activities.")
    if problem := scoring.share_total_problem([a.share for a in scored]):
        raise Incomplete(problem)
    return scored


NO_EVIDENCE: dict[str, Any] = {"task": None, "no_task": False}


def _evidence_of(activity: Activity) -> dict[str, Any]:
    """What the snapshot keeps of an activity's link to a task statement: the task
    and its evidence as they were, or "none of these", or nothing chosen."""
    task = activity.task
    if task is None:
        return {**NO_EVIDENCE, "no_task": activity.no_task}
    return {
        "task": {
            "task_id": task.task_id,
            "onet_soc_code": task.occupation.code,
            "occupation": task.occupation.title,
            "text": task.text,
            "suggested_score": float(task.suggested_score)
            if task.suggested_score is not None
            else None,
            "exposure": task.exposure,
            "exposure_words": task.get_exposure_display() if task.exposure else "",
            "observed_use": task.observed_use,
            "hands_on": task.hands_on,
        },
        "no_task": False,
    }


def build_snapshot(
    *,
    audit: Audit,
    scored: Sequence[scoring.Scored],
    now: datetime,
    scenarios: Sequence[runway.Scenario],
    evidence: Sequence[dict[str, Any]] | None = None,
) -> RungSnapshot:
    """The unsaved rung snapshot of ``audit``, field for field as ``audit_complete`` writes it.

    ``audit.occupation`` should already be loaded (or assigned) to avoid a query;
    ``scenarios`` are slow, baseline and fast, as ``library.scenarios()`` returns them.
    """
    today = timezone.localdate(now)
    value = scoring.rung(scored)
    runway_range = runway.runway_range(float(value), today, scenarios)
    baseline = scenarios[1]
    occupation = audit.occupation
    return RungSnapshot(
        audit=audit,
        owner_id=audit.owner_id,
        taken_at=now,
        rung=value,
        low_share=scoring.low_rung_share(scored),
        high_share=scoring.high_rung_share(scored),
        activities=[
            {"description": a.description, "share": a.share, "score": a.score, **more}
            for a, more in zip(scored, evidence or [NO_EVIDENCE] * len(scored), strict=True)
        ],
        occupation_code=occupation.code if occupation else "",
        occupation_title=occupation.title if occupation else "",
        benchmark_rung=occupation.rung if occupation else None,
        frontier=scoring.round_half_up(runway.frontier_at(today, baseline), 2),
        runway_shortest_days=runway_range.shortest_days,
        runway_longest_days=runway_range.longest_days,
        runway_text=runway_range.describe(),
        scenarios=[
            {
                "key": s.key,
                "label": s.label,
                "doubling_days": round(s.doubling_days, 1),
                "runway_days": days,
            }
            for s, days in runway_range.by_scenario
        ],
        rubric_version=scoring.RUBRIC_VERSION,
    )


@transaction.atomic
def audit_complete(*, audit: Audit, now: datetime | None = None) -> RungSnapshot:
    """Write the immutable rung snapshot and make the audit read-only.

    Safe to call twice (a double-clicked button): the second call returns the
    snapshot the first one wrote.
    """
    # of=("self",): PostgreSQL can't lock the nullable side of the occupation join.
    locked = (
        Audit.objects.select_for_update(of=("self",))
        .select_related("occupation", "owner")
        .get(pk=audit.pk)
    )
    if locked.status == Audit.Status.COMPLETE:
        return locked.snapshot
    activities = list(locked.activities.select_related("task__occupation"))
    scored = _scored(activities)
    now = now or timezone.now()
    snapshot = build_snapshot(
        audit=locked,
        scored=scored,
        now=now,
        scenarios=library.scenarios(),
        evidence=[_evidence_of(a) for a in activities],
    )
    snapshot.save()
    Audit.objects.filter(pk=locked.pk).update(
        status=Audit.Status.COMPLETE, completed_at=now, version=F("version") + 1
    )
    if locked.owner is not None:
        checkins.schedule_after_audit(locked.owner, now)
    audit.refresh_from_db()
    return snapshot


@transaction.atomic
def audits_claim(*, user: User, anonymous_key: str) -> int:
    """Give a visitor's audits (drafts and results) to the account they just signed
    up for or logged in to. Returns how many were claimed."""
    if not anonymous_key:
        return 0
    codes = list(
        Audit.objects.select_for_update()
        .filter(owner__isnull=True, anonymous_key=anonymous_key)
        .values_list("pk", flat=True)
    )
    if not codes:
        return 0
    RungSnapshot.objects.filter(audit_id__in=codes, owner__isnull=True).update(owner=user)
    claimed = Audit.objects.filter(pk__in=codes, owner__isnull=True).update(
        owner=user, anonymous_key=""
    )
    latest = RungSnapshot.objects.filter(owner=user).order_by("-taken_at").first()
    if latest is not None:
        checkins.schedule_after_audit(user, latest.taken_at)
    return claimed


def audits_purge_unclaimed(*, now: datetime | None = None, days: int = UNCLAIMED_DRAFT_DAYS) -> int:
    """Delete visitors' audits nobody claimed within ``days``. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    _, by_model = Audit.objects.filter(owner__isnull=True, updated_at__lt=cutoff).delete()
    return by_model.get(Audit._meta.label, 0)


@transaction.atomic
def reassessment_start(*, owner: User, previous: Audit, checkin: Checkin | None = None) -> Audit:
    """This quarter's audit, as a draft copied from ``previous`` (activities, shares,
    scores), ready for the person to change what has changed.

    Opening it twice (a double click, a second tab, the email link again) returns
    the same draft.
    """
    # One at a time per audit copied: a double click makes one draft.
    Audit.objects.select_for_update().filter(pk=previous.pk).first()
    if checkin is not None:
        Checkin.objects.select_for_update().filter(pk=checkin.pk).first()
        started = (
            Audit.objects.filter(pk=checkin.audit_id, owner=owner).first()
            if checkin.audit_id
            else None
        )
        if started is not None:
            return started
    audit = Audit.objects.filter(owner=owner, previous=previous, status=Audit.Status.DRAFT).first()
    if audit is None:
        audit = Audit.objects.create(
            owner=owner,
            job_title=previous.job_title,
            occupation_id=previous.occupation_id,
            previous=previous,
            ai_sources=previous.ai_sources,
            reached=Audit.Step.SCORES,
        )
        Activity.objects.bulk_create(
            Activity(
                audit=audit,
                position=a.position,
                description=a.description,
                share=a.share,
                score=a.score,
                three_year=a.three_year,
                # The links and matches carry over: same words, same evidence.
                task_id=a.task_id,
                no_task=a.no_task,
                matches=a.matches,
                matched_text=a.matched_text,
                previous_score=a.score,
            )
            for a in previous.activities.all()
        )
    if checkin is not None:
        Checkin.objects.filter(pk=checkin.pk).update(audit=audit)
    return audit


def audit_delete(*, audit: Audit) -> None:
    """Delete an audit with its activities and snapshot."""
    Audit.objects.filter(pk=audit.pk).delete()


@dataclass(frozen=True)
class Change:
    """This quarter against the last: the figures the result page compares."""

    before: RungSnapshot
    after: RungSnapshot
    plan: Plan | None
    moved: int  # points actually gained by activities at or above last quarter's next rung
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
    def flat(self) -> bool:
        """A flat quarter: the rung moved less than 0.1 (as shown) while the frontier
        rose, the complacency the method warns about."""
        return self.rung_delta == 0 and self.frontier_delta > 0

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
    """The effort that actually moved since last quarter, by planning's one rule: the
    points gained by this quarter's activities at or above last quarter's next rung,
    matched to last quarter's by description (an activity new this quarter had 0)."""
    then = {a["description"].casefold(): a["share"] for a in before}
    rows = [
        planning.PlannedShare(
            a["description"], a["score"], then.get(a["description"].casefold(), 0), a["share"]
        )
        for a in after
    ]
    return planning.moved_effort(rows, rung_before)


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
