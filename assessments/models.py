"""Ladder's data: the reference library (occupations, their task statements, AI
time-horizon measurements) and, built on it, people's audits."""

from __future__ import annotations

from django.db import models

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
    employment = models.PositiveIntegerField("US employment, 2021", null=True, blank=True)
    median_wage = models.PositiveIntegerField("US median wage, 2021", null=True, blank=True)

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

    class Meta:
        ordering = [models.F("suggested_score").desc(nulls_last=True), "task_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "task_id"], name="task_unique_per_occupation"
            ),
        ]

    def __str__(self) -> str:
        return self.text


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
