"""Ladder's data: the reference library (occupations, their task statements, AI
time-horizon measurements) and, built on it, people's audits."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from ladder.outbox import Outbox

PHYSICAL_SHARE_THRESHOLD = 0.10  # above this, the occupation is largely physical work


class Occupation(models.Model):
    """An O*NET-SOC 2019 occupation and where it sits on the ladder."""

    code = models.CharField("O*NET-SOC code", max_length=10, unique=True)
    soc2018 = models.CharField("SOC 2018 code", max_length=7)
    title = models.CharField(max_length=150)
    rung = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rung_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    taskweighted_tier = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    share_physical = models.FloatField(null=True, blank=True)
    gpt4_exposure = models.FloatField("GPT-4 exposure (β)", null=True, blank=True)
    human_exposure = models.FloatField("human-rated exposure (β)", null=True, blank=True)
    ai_applicability = models.FloatField(null=True, blank=True)
    observed_exposure = models.FloatField(
        "observed exposure (Anthropic Economic Index)", null=True, blank=True
    )
    employment = models.PositiveIntegerField("US employment, 2021", null=True, blank=True)
    median_wage = models.PositiveIntegerField("US median wage, 2021", null=True, blank=True)

    # Not stored: the title people use that found it in a search ("Realtor"), when its
    # own title doesn't hold the words typed (set by library.services.find_occupations).
    matched_title: str | None = None

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["soc2018"])]

    def __str__(self) -> str:
        return self.title

    @property
    def major_group(self) -> str:
        """The SOC major group ("15" for computer and mathematical occupations)."""
        return self.code[:2]

    @property
    def is_largely_physical(self) -> bool:
        return (self.share_physical or 0) > PHYSICAL_SHARE_THRESHOLD


class TaskStatement(models.Model):
    """One O*NET task statement of an occupation, with a suggested 1–5 score."""

    class Exposure(models.TextChoices):
        NONE = "E0", "No exposure"
        LLM = "E1", "A language model alone halves the time"
        TOOLS = "E2", "A language model with tools halves the time"

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="tasks")
    task_id = models.PositiveIntegerField("O*NET task id")
    text = models.TextField()
    task_type = models.CharField(max_length=12, blank=True)
    suggested_score = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    exposure = models.CharField(max_length=2, choices=Exposure.choices, blank=True)
    importance = models.DecimalField(
        "importance to the occupation (1–5)", max_digits=3, decimal_places=2, null=True, blank=True
    )
    observed_use = models.FloatField(
        "share of the task seen done with Claude", null=True, blank=True
    )
    hands_on = models.BooleanField("physical or manual work", default=False)

    class Meta:
        ordering = [models.F("suggested_score").desc(nulls_last=True), "task_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "task_id"], name="task_unique_per_occupation"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class OccupationTitle(models.Model):
    """A job title people use for an occupation: O*NET's alternate titles ("Realtor",
    "RN") and titles incumbents reported in its surveys. One title may belong to
    several occupations."""

    class Kind(models.TextChoices):
        ALTERNATE = "alternate", "Alternate title"
        REPORTED = "reported", "Reported title"

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="titles")
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "title", "kind"], name="title_unique_per_occupation"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class HorizonMeasurement(models.Model):
    """A frontier AI model measured by METR: how long a task (in expert minutes) it
    completes with 50% success."""

    suite = models.CharField(max_length=40)
    model = models.CharField(max_length=80)
    released = models.DateField()
    is_sota = models.BooleanField("state of the art when released")
    p50_minutes = models.FloatField()
    p50_ci_low = models.FloatField(null=True, blank=True)
    p50_ci_high = models.FloatField(null=True, blank=True)
    p80_minutes = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["suite", "released", "model"]
        constraints = [
            models.UniqueConstraint(fields=["suite", "model"], name="horizon_unique_per_suite"),
        ]

    def __str__(self) -> str:
        return f"{self.model} ({self.suite})"


class Audit(models.Model):
    """One run of the method's steps S1–S3: a person's activities, their shares of the
    week and their scores. A draft until completed; completed audits are read-only."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETE = "complete", "Complete"

    class Step(models.TextChoices):
        ROLE = "role", "Your role"
        ACTIVITIES = "activities", "Activities"
        TIME = "time", "Time"
        SCORES = "scores", "Scores"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audits",
    )
    # For a visitor without an account: the secret kept in their session.
    anonymous_key = models.CharField(max_length=64, blank=True, db_index=True)
    job_title = models.CharField(max_length=120, blank=True)
    occupation = models.ForeignKey(
        Occupation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    reached = models.CharField(
        "furthest step reached", max_length=12, choices=Step.choices, default=Step.ROLE
    )
    version = models.PositiveIntegerField(default=1)
    # A quarterly reassessment starts as a copy of the audit before it.
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ai_sources = models.TextField("AI news you follow", max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status", "-created_at"]),
            models.Index(
                fields=["status", "updated_at"],
                name="audit_unclaimed_idx",
                condition=models.Q(owner__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(anonymous_key=""),
                name="audit_has_owner_or_key",
            ),
        ]

    def __str__(self) -> str:
        return self.job_title or "Untitled audit"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def title(self) -> str:
        return self.job_title or (self.occupation.title if self.occupation else "Untitled audit")


class Activity(models.Model):
    """An activity that creates value in the role: its share of the week and its score."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200)
    share = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    three_year = models.BooleanField(
        "could a perfect AI do this within three years?", null=True, blank=True
    )
    # The O*NET task the person says this is ("this is what I do"), or none of them.
    task = models.ForeignKey(
        TaskStatement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    no_task = models.BooleanField("none of the matched tasks", default=False)
    # The task statements most like the description, computed once per text (the
    # description they were computed for): [{"task": pk, "similarity": 0–1}], best first.
    matches = models.JSONField(default=list, blank=True)
    matched_text = models.CharField(max_length=200, blank=True)
    # In a reassessment: last quarter's score, and the answer to "has AI closed the gap?"
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    gap_closed = models.BooleanField("has AI closed the gap?", null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "position"], name="activity_position_unique"),
            models.CheckConstraint(
                condition=models.Q(share__isnull=True) | models.Q(share__gte=1, share__lte=100),
                name="activity_share_1_to_100",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="activity_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class RungSnapshot(models.Model):
    """The result of a completed audit, frozen: what the person saw, exactly, even if
    the reference data or the rubric change later. Never edited."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="snapshot")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="snapshots",
    )
    taken_at = models.DateTimeField()
    rung = models.DecimalField(max_digits=3, decimal_places=2)
    low_share = models.PositiveSmallIntegerField()
    high_share = models.PositiveSmallIntegerField()
    activities = models.JSONField()  # [{"description", "share", "score"}]
    occupation_code = models.CharField(max_length=10, blank=True)
    occupation_title = models.CharField(max_length=150, blank=True)
    benchmark_rung = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    frontier = models.DecimalField(
        "AI frontier (baseline) when taken", max_digits=3, decimal_places=2
    )
    runway_shortest_days = models.PositiveIntegerField()
    runway_longest_days = models.PositiveIntegerField()
    runway_text = models.CharField(max_length=80)
    scenarios = models.JSONField()  # [{"key", "doubling_days", "runway_days"}]
    rubric_version = models.CharField(max_length=20)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["owner", "-taken_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rung__gte=1, rung__lte=5), name="snapshot_rung_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Rung {self.rung} on {self.taken_at:%Y-%m-%d}"


def _calendar_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class Plan(models.Model):
    """Steps S4–S5: the one-rung-higher version of the role, the shift of next
    quarter's week toward it, one focus skill, and the 90-day sprint that makes it real."""

    class Skill(models.TextChoices):
        NEGOTIATION = "negotiation", "Negotiation"
        RELATIONSHIPS = "relationships", "Relationship management"
        EXECUTIVE = "executive", "Executive communication"
        JUDGMENT = "judgment", "Domain judgment"
        OWN = "own", "My own"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="plan")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans"
    )
    target_rung = models.PositiveSmallIntegerField()
    next_role = models.TextField("the one-rung-higher version of your role", max_length=1000)
    proxy = models.CharField("a colleague one level up", max_length=200, blank=True)
    proxy_week = models.TextField("what their week looks like", max_length=1000, blank=True)
    skill = models.CharField(max_length=20, choices=Skill.choices)
    own_skill = models.CharField(max_length=80, blank=True)
    moved_effort = models.PositiveSmallIntegerField()
    # The definition the figure was computed with (ladder.method.planning): plans
    # saved before version 2 keep the figure they were shown.
    moved_effort_version = models.PositiveSmallIntegerField(default=1)
    projected_rung = models.DecimalField(max_digits=3, decimal_places=2)
    sprint_start = models.DateField()
    sprint_end = models.DateField()
    calendar_token = models.CharField(max_length=64, unique=True, default=_calendar_token)
    review_uid = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(moved_effort__gte=20, moved_effort__lte=100),
                name="plan_moves_20",
            ),
            models.CheckConstraint(
                condition=models.Q(sprint_end__gt=models.F("sprint_start")),
                name="plan_sprint_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan for {self.audit}"

    @property
    def skill_name(self) -> str:
        return self.own_skill if self.skill == self.Skill.OWN else self.get_skill_display()


class PlannedActivity(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200)
    score = models.PositiveSmallIntegerField()
    current_share = models.PositiveSmallIntegerField()
    planned_share = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="planned_position_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="planned_score_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(current_share__lte=100, planned_share__lte=100),
                name="planned_shares_to_100",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class PlanEvent(models.Model):
    """A recurring calendar event that forces the higher-rung work."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    position = models.PositiveSmallIntegerField()
    uid = models.UUIDField(default=uuid.uuid4, editable=False)  # stable: re-imports update
    title = models.CharField(max_length=200)
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="event_weekday"),
            models.CheckConstraint(
                condition=models.Q(minutes__gte=15, minutes__lte=240), name="event_minutes"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Checkin(Outbox):
    """One quarterly check-in email (or its one reminder) to one person.

    Unique per person, period and kind, so however many sweeps run, a period gets at
    most one check-in and one reminder. ``state`` moves pending → sending → sent, or
    back to pending with a later ``next_attempt_at`` after a temporary SMTP failure,
    or to failed (permanent failure, or out of time) or skipped (nobody to send to:
    the address isn't verified, the person paused check-ins). See ``ladder.outbox``."""

    class Kind(models.TextChoices):
        CHECKIN = "checkin", "Check-in"
        REMINDER = "reminder", "Reminder"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    period = models.DateField(help_text="The day the quarterly check-in fell due.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHECKIN)
    # What the email reported on, and the reassessment its link started.
    snapshot = models.ForeignKey(
        RungSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    audit = models.ForeignKey(
        Audit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "kind"], name="checkin_unique_per_period"
            ),
        ]
        indexes = [
            # The sweep's questions: what is ready to send, what got stuck sending.
            # (next_attempt_at, id): the sweep's order, so even with 100,000 pending it
            # reads its batch of 500 from the index instead of sorting the table.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="checkin_pending_idx",
                condition=models.Q(state="pending"),
            ),
            models.Index(
                fields=["claimed_at"],
                name="checkin_sending_idx",
                condition=models.Q(state="sending"),
            ),
            models.Index(
                fields=["sent_at"],
                name="checkin_sent_idx",
                condition=models.Q(state="sent", kind="checkin"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.period:%Y-%m-%d} ({self.state})"


class Comment(models.Model):
    """A coach's note on a client's audit, or on one of its activities (optionally
    with the coach's own score beside the client's), or the client's reply. The
    client is emailed once per batch of new notes, not once per note."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="comments")
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    # Deleting an account keeps the words for the other person, without the name.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    by_coach = models.BooleanField(default=True)
    # The coaching relationship it belongs to: a coach sees only their own
    # conversation with the client, never another coach's.
    link = models.ForeignKey(
        "accounts.CoachLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    body = models.TextField(max_length=2000, blank=True)
    coach_score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the note went into an email to the client (their own replies need none).
    notified_at = models.DateTimeField(null=True, blank=True)
    email = models.ForeignKey(
        "NoteEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coach_score__isnull=True)
                | models.Q(coach_score__gte=1, coach_score__lte=5),
                name="comment_coach_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(body="") | models.Q(coach_score__isnull=False),
                name="comment_says_something",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="comment_unnotified_idx",
                condition=models.Q(notified_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60] or f"Score {self.coach_score}"


class CoachDigest(Outbox):
    """The one weekly digest email to a coach: unique per coach and week."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    week = models.DateField(help_text="The Monday of the week it covers.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coach", "week"], name="digest_unique_per_week"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="digest_pending_idx",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"Digest for week of {self.week}"


class NoteEmail(Outbox):
    """One email to a client about a batch of their coach's new notes (the notes
    point at it). A batch closes when the coach has been quiet for half an hour."""

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_emails"
    )

    class Meta:
        verbose_name = "coach-note email"
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="noteemail_pending_idx",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"Coach notes for {self.client} ({self.state})"


class InvitationEmail(Outbox):
    """One sending of an invitation email ("send again" makes another)."""

    link = models.ForeignKey("accounts.CoachLink", on_delete=models.CASCADE, related_name="emails")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="invitationemail_pending_idx",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.link.email} ({self.state})"


class Heartbeat(models.Model):
    """When a background job last finished a run (the check-in sweep), so /healthz
    can say whether the worker and beat are alive."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M}"
