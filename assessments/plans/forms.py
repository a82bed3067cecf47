"""The plan form: next quarter's week, the focus skill, the sprint and its events.
It only validates and normalises; the arithmetic is ``ladder.method.planning``."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from django import forms

from assessments.audits.forms import WholePercentField
from assessments.models import Plan, RungSnapshot
from assessments.plans.services import PlanInput
from ladder.forms import QuickRadioSelect, whole_number
from ladder.method import planning, scoring
from ladder.method.calendar import WEEKDAY_NAMES

if TYPE_CHECKING:
    from assessments.plans.services import PlanInput

NEW_ROWS = 3
EVENT_ROWS = 3
MIN_EVENTS = 2
SPRINT_START_WINDOW = 365  # days either side of today; a saved start may stay put


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


SCORE_CHOICES = [("", "Score…"), *[(str(n), f"{n} · {scoring.RUBRIC[n][0]}") for n in range(1, 6)]]


class PlanForm(forms.Form):
    next_role = forms.CharField(
        label="The one-rung-higher version of your role",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Describe the job you'd have one rung up: what you'd own, who you'd work with.",
        error_messages={
            "required": "Describe the next-rung version of your role, even in a sentence."
        },
    )
    proxy = forms.CharField(
        label="A colleague one level up",
        max_length=200,
        required=False,
        help_text=(
            "Someone whose role survived earlier waves of technology: "
            "their week is a map of the next rung."
        ),
    )
    proxy_week = forms.CharField(
        label="What their week looks like",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    skill = forms.ChoiceField(
        label="One skill to build this quarter",
        choices=Plan.Skill.choices,
        widget=QuickRadioSelect,
        error_messages={"required": "Pick one skill to focus on."},
    )
    own_skill = forms.CharField(label="Your own skill", max_length=80, required=False)
    sprint_start = forms.DateField(
        label="Sprint starts",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="90 days from this date.",
    )

    def __init__(
        self,
        *args: Any,
        snapshot: RungSnapshot,
        plan: Plan | None,
        today: date,
        previous: Plan | None = None,
        **kwargs: Any,
    ) -> None:
        """``previous``: the person's last plan, which a new plan starts from (its role,
        colleague, skill and events; the week is this result's)."""
        super().__init__(*args, **kwargs)
        self.snapshot = snapshot
        self.today = today
        self.saved_start = plan.sprint_start if plan else None
        self.current = snapshot.activities  # [{"description", "share", "score"}]
        saved_rows = list(plan.activities.all()) if plan else []
        planned = {a.description: a.planned_share for a in saved_rows}
        for i, activity in enumerate(self.current, start=1):
            self.fields[f"planned_{i}"] = WholePercentField(
                label=activity["description"],
                min_value=0,
                max_value=100,
                initial=planned.get(activity["description"], activity["share"]),
                error_messages={"min_value": "0%% or more.", "max_value": "At most 100%%."},
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "size": 4, "class": "share-input"}
                ),
            )
        new_rows = [a for a in saved_rows if a.current_share == 0]
        for i in range(1, NEW_ROWS + 1):
            row = new_rows[i - 1] if i <= len(new_rows) else None
            self.fields[f"new_description_{i}"] = forms.CharField(
                label=f"New activity {i}",
                max_length=200,
                required=False,
                initial=row.description if row else "",
            )
            self.fields[f"new_score_{i}"] = forms.ChoiceField(
                label="Its score",
                choices=SCORE_CHOICES,
                required=False,
                initial=str(row.score) if row else "",
            )
            self.fields[f"new_share_{i}"] = WholePercentField(
                label="Planned share",
                min_value=0,
                max_value=100,
                required=False,
                initial=row.planned_share if row else None,
                error_messages={"min_value": "0%% or more.", "max_value": "At most 100%%."},
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "size": 4, "class": "share-input"}
                ),
            )
        source = plan or previous
        events = list(source.events.all()) if source else []
        for i in range(1, EVENT_ROWS + 1):
            event = events[i - 1] if i <= len(events) else None
            self.fields[f"event_title_{i}"] = forms.CharField(
                widget=forms.TextInput(attrs={"list": "event-ideas"}),
                label=f"Event {i}",
                max_length=200,
                required=False,
                initial=event.title if event else "",
            )
            self.fields[f"event_weekday_{i}"] = forms.TypedChoiceField(
                label="Day",
                choices=list(enumerate(WEEKDAY_NAMES)),
                coerce=int,
                required=False,
                initial=event.weekday if event else 4,
            )
            self.fields[f"event_start_{i}"] = forms.TimeField(
                label="Time",
                required=False,
                initial=event.start if event else time(9, 0),
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"event_minutes_{i}"] = forms.IntegerField(
                label="Minutes",
                min_value=15,
                max_value=240,
                required=False,
                initial=event.minutes if event else 60,
                widget=forms.NumberInput(attrs={"size": 4}),
            )
        if source:
            self.initial.update(
                next_role=source.next_role,
                proxy=source.proxy,
                proxy_week=source.proxy_week,
                skill=source.skill,
                own_skill=source.own_skill,
            )
        self.initial.setdefault("sprint_start", plan.sprint_start if plan else today)

    # --- Rows, for the template and the arithmetic -------------------------------------

    def current_rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(a, self[f"planned_{i}"]) for i, a in enumerate(self.current, start=1)]

    def new_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"new_description_{i}"], self[f"new_score_{i}"], self[f"new_share_{i}"])
            for i in range(1, NEW_ROWS + 1)
        ]

    def event_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return [
            (
                self[f"event_title_{i}"],
                self[f"event_weekday_{i}"],
                self[f"event_start_{i}"],
                self[f"event_minutes_{i}"],
            )
            for i in range(1, EVENT_ROWS + 1)
        ]

    def _number(self, name: str) -> int:
        raw = self.data.get(name) if self.is_bound else self[name].initial
        return whole_number(raw, percent=True) or 0

    def shares(self) -> list[planning.PlannedShare]:
        """The plan as typed so far (for the live projection); unreadable entries count as 0."""
        rows = [
            planning.PlannedShare(
                a["description"], a["score"], a["share"], self._number(f"planned_{i}")
            )
            for i, a in enumerate(self.current, start=1)
        ]
        for i in range(1, NEW_ROWS + 1):
            description = (
                self.data.get(f"new_description_{i}")
                if self.is_bound
                else self[f"new_description_{i}"].initial
            ) or ""
            score = (
                self.data.get(f"new_score_{i}") if self.is_bound else self[f"new_score_{i}"].initial
            ) or ""
            rung = whole_number(score)
            if str(description).strip() and rung in scoring.RUBRIC:
                rows.append(
                    planning.PlannedShare(
                        str(description).strip(), rung, 0, self._number(f"new_share_{i}")
                    )
                )
        return rows

    def total(self) -> int:
        return sum(r.planned for r in self.shares())

    def moved(self) -> int:
        return planning.moved_effort(self.shares(), self.snapshot.rung)

    def projected(self) -> str:
        rows = [r for r in self.shares() if r.planned]
        return (
            str(scoring.round_half_up(planning.projected_rung(rows), 1))
            if rows and self.total() == 100
            else "–"
        )

    def moved_problem(self) -> str | None:
        return planning.moved_effort_problem(self.shares(), self.snapshot.rung)

    def abrupt(self) -> list[planning.PlannedShare]:
        return planning.abrupt_cuts(self.shares())

    # --- Validation ----------------------------------------------------------------------

    def clean_sprint_start(self) -> date:
        start: date = self.cleaned_data["sprint_start"]
        if start != self.saved_start and abs((start - self.today).days) > SPRINT_START_WINDOW:
            raise forms.ValidationError(
                "Start the sprint within a year of today (%(earliest)s to %(latest)s).",
                params={
                    "earliest": _day(self.today - timedelta(days=SPRINT_START_WINDOW)),
                    "latest": _day(self.today + timedelta(days=SPRINT_START_WINDOW)),
                },
            )
        return start

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(1, NEW_ROWS + 1):
            description = (cleaned.get(f"new_description_{i}") or "").strip()
            share = cleaned.get(f"new_share_{i}") or 0
            score = cleaned.get(f"new_score_{i}") or ""
            if description and (not score or not share):
                self.add_error(
                    f"new_description_{i}", "Give this new activity a score and a planned share."
                )
            elif not description and (share or score):
                self.add_error(
                    f"new_description_{i}",
                    "Describe the new activity, or clear its score and share.",
                )
        complete = 0
        for i in range(1, EVENT_ROWS + 1):
            title = (cleaned.get(f"event_title_{i}") or "").strip()
            parts = [
                cleaned.get(f"event_start_{i}"),
                cleaned.get(f"event_minutes_{i}"),
                cleaned.get(f"event_weekday_{i}"),
            ]
            if title and any(p is None or p == "" for p in parts):
                self.add_error(f"event_title_{i}", "Give this event a day, a time and a length.")
            elif title:
                complete += 1
        if complete < MIN_EVENTS:
            self.add_error(
                None,
                "Put at least two recurring events in your calendar: "
                "they force the higher-rung work to happen.",
            )
        if cleaned.get("skill") == Plan.Skill.OWN and not (cleaned.get("own_skill") or "").strip():
            self.add_error("own_skill", "Name the skill you'll build.")
        if not self.errors:
            if problem := scoring.share_total_problem([r.planned for r in self.shares()]):
                raise forms.ValidationError(problem)
            if problem := self.moved_problem():
                raise forms.ValidationError(problem)
        return cleaned

    def plan_input(self) -> PlanInput:
        from assessments.plans.services import EventInput, PlanInput

        data = self.cleaned_data
        events = tuple(
            EventInput(
                title=data[f"event_title_{i}"].strip(),
                weekday=data[f"event_weekday_{i}"],
                start=data[f"event_start_{i}"],
                minutes=data[f"event_minutes_{i}"],
            )
            for i in range(1, EVENT_ROWS + 1)
            if (data.get(f"event_title_{i}") or "").strip()
        )
        return PlanInput(
            next_role=data["next_role"].strip(),
            proxy=data["proxy"].strip(),
            proxy_week=data["proxy_week"].strip(),
            skill=data["skill"],
            own_skill=data["own_skill"].strip(),
            rows=tuple(r for r in self.shares() if r.planned or r.current),
            sprint_start=data["sprint_start"],
            events=events,
        )
