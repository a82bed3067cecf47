from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from assessments.audits.services import ActivityDraft
from assessments.library.services import TaskEvidence, second_opinion
from assessments.models import Activity, Occupation
from ladder.converters import is_occupation_code
from ladder.forms import QuickRadioSelect, whole_number
from ladder.method import scoring

# --- The audit wizard -------------------------------------------------------------

MAX_DESCRIPTION = 200
TOO_LONG = "Keep it under 200 characters. If it's really two activities, list them separately."


class VersionedForm(forms.Form):
    """Every wizard step carries the draft version it was opened at, so a save from a
    stale second tab is caught instead of silently overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


NOT_AN_OCCUPATION = "Choose an occupation from the list, or “Not listed”."


class RoleForm(VersionedForm):
    job_title = forms.CharField(
        label="Your job title",
        max_length=120,
        help_text="As you'd say it to someone at a party, e.g. “Senior software engineer”.",
        error_messages={
            "required": "Tell us your job title, so your results make sense when you come back.",
            "max_length": "Keep your job title under 120 characters.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    occupation = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"null_characters_not_allowed": NOT_AN_OCCUPATION},
    )

    def clean_occupation(self) -> int | None:
        code = (self.cleaned_data.get("occupation") or "").strip()
        if not code:
            return None
        found = (
            Occupation.objects.filter(code=code).values_list("pk", flat=True).first()
            if is_occupation_code(code)
            else None
        )
        if found is None:
            raise forms.ValidationError(NOT_AN_OCCUPATION)
        return found


class ActivitiesForm(VersionedForm):
    """Up to ten activity slots; five to ten must be filled to continue."""

    acknowledged = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, scoring.MAX_ACTIVITIES + 1):
            self.fields[f"activity_{i}"] = forms.CharField(
                label=f"Activity {i}",
                required=False,
                max_length=MAX_DESCRIPTION,
                error_messages={"max_length": TOO_LONG},
                widget=forms.TextInput(attrs={"maxlength": MAX_DESCRIPTION}),
            )
            # Where a suggestion came from; anything unreadable just means "typed".
            self.fields[f"task_{i}"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"activity_{i}"], self[f"task_{i}"]) for i in range(1, scoring.MAX_ACTIVITIES + 1)
        ]

    def drafts(self) -> list[ActivityDraft]:
        """The filled slots, in order, whitespace tidied."""
        drafts = []
        for i in range(1, scoring.MAX_ACTIVITIES + 1):
            text = " ".join((self.cleaned_data.get(f"activity_{i}") or "").split())
            if text:
                drafts.append(ActivityDraft(text, whole_number(self.cleaned_data.get(f"task_{i}"))))
        return drafts

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: dict[str, str] = {}
        for i in range(1, scoring.MAX_ACTIVITIES + 1):
            text = " ".join((cleaned.get(f"activity_{i}") or "").split()).casefold()
            if text and text in seen:
                self.add_error(f"activity_{i}", f"You already listed this as {seen[text]}.")
            elif text:
                seen[text] = f"activity {i}"
        return cleaned

    def check_count(self) -> bool:
        """Five to ten activities, or an error saying how many more are needed."""
        count = len(self.drafts())
        if count < scoring.MIN_ACTIVITIES:
            missing = scoring.MIN_ACTIVITIES - count
            self.add_error(
                None,
                f"List at least {scoring.MIN_ACTIVITIES} activities; you have {count}. "
                f"Add {missing} more: most roles hold more distinct activities "
                "than it first seems.",
            )
            return False
        return True


class WholePercentField(forms.IntegerField):
    """A whole-number percentage; a trailing % sign is fine."""

    default_error_messages = {"invalid": "Enter a whole number of percent, like 20 (no decimals)."}

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip()
        return super().to_python(value)


class TimeForm(VersionedForm):
    def __init__(self, *args: Any, activities: Sequence[Activity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        for activity in self.activities:
            self.fields[f"share_{activity.pk}"] = WholePercentField(
                label=activity.description,
                min_value=1,
                max_value=100,
                initial=activity.share,
                error_messages={
                    "required": "Give this activity a share of your week.",
                    "min_value": "At least 1%%. If it takes no time, remove it (Activities step).",
                    "max_value": "At most 100%%.",
                },
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "size": 4, "class": "share-input"}
                ),
            )

    def rows(self) -> list[tuple[Activity, forms.BoundField]]:
        return [(a, self[f"share_{a.pk}"]) for a in self.activities]

    def shares(self) -> dict[int, int]:
        return {a.pk: self.cleaned_data[f"share_{a.pk}"] for a in self.activities}

    def total(self) -> int | None:
        """The sum of what's typed so far (for the live total), ignoring unreadable entries."""
        total = 0
        for activity in self.activities:
            raw = self.data.get(f"share_{activity.pk}", "") if self.is_bound else activity.share
            total += whole_number(raw, percent=True) or 0
        return total

    def total_message(self) -> str:
        total = self.total() or 0
        if total == 100:
            return "just right"
        return f"{100 - total} to go" if total < 100 else f"{total - 100} too many"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = [cleaned.get(f"share_{a.pk}") for a in self.activities]
        if all(isinstance(v, int) for v in values):
            problem = scoring.share_total_problem([v for v in values if v is not None])
            if problem:
                raise forms.ValidationError(problem)
        return cleaned


SCORE_CHOICES = [(n, f"{n} · {scoring.RUBRIC[n][0]}") for n in range(1, 6)]
YES_NO = [("yes", "Yes"), ("no", "No")]


GAP_CHOICES = [
    ("no", "No, it still needs a person"),
    ("yes", "Yes, AI does more of it now"),
]


@dataclass(frozen=True)
class ScoreRow:
    """One activity on the scores step: its fields, and the tasks like it in the data."""

    activity: Activity
    score: forms.BoundField
    three_year: forms.BoundField
    gap: forms.BoundField | None
    match: forms.BoundField | None
    evidence: list[TaskEvidence]

    @property
    def linked(self) -> TaskEvidence | None:
        """The task the person says this is: chosen now, or saved before."""
        chosen = str(self.match.value() or "") if self.match is not None else ""
        for row in self.evidence:
            if str(row.task.pk) == chosen or (not chosen and row.linked):
                return row
        return None

    @property
    def second_opinion(self) -> bool:
        score = self.score.value()
        linked = self.linked
        return linked is not None and bool(
            second_opinion(whole_number(score), linked.task.suggested_score)
        )


class ScoresForm(VersionedForm):
    """Step 4. In a quarterly reassessment (``reassessing``) it also asks, for each
    activity scored 4–5 last time, whether AI has closed the gap, and which AI news
    the person follows."""

    def __init__(
        self,
        *args: Any,
        activities: Sequence[Activity],
        reassessing: bool = False,
        ai_sources: str = "",
        evidence: Mapping[int, Sequence[TaskEvidence]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        self.reassessing = reassessing
        self.evidence = evidence or {}
        if reassessing:
            self.fields["ai_sources"] = forms.CharField(
                label="Where do you follow what AI can do?",
                help_text=(
                    "Newsletters, people or sites you read, so next quarter's scores rest on "
                    "more than headlines. Optional; only you see it."
                ),
                required=False,
                max_length=1000,
                initial=ai_sources,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": "Keep this under 1,000 characters (it has %(show_value)d)."
                },
            )
        for activity in self.activities:
            if reassessing and (activity.previous_score or 0) >= 4:
                self.fields[f"gap_{activity.pk}"] = forms.ChoiceField(
                    label=f"Last quarter you scored this {activity.previous_score}. "
                    "Has AI closed the gap?",
                    choices=GAP_CHOICES,
                    required=False,
                    initial={True: "yes", False: "no"}.get(activity.gap_closed),  # type: ignore[arg-type]
                    widget=QuickRadioSelect,
                )
            self.fields[f"score_{activity.pk}"] = forms.TypedChoiceField(
                label="Score",
                choices=SCORE_CHOICES,
                coerce=int,
                initial=activity.score,
                widget=QuickRadioSelect,
                error_messages={
                    "required": "Choose a score from 1 to 5.",
                    "invalid_choice": "Choose a score from 1 to 5.",
                },
            )
            initial = (
                {True: "yes", False: "no"}.get(activity.three_year)
                if activity.three_year is not None
                else None
            )
            offered = [str(e.task.pk) for e in self.evidence.get(activity.pk, [])]
            if offered:
                chosen = (
                    str(activity.task_id)
                    if str(activity.task_id) in offered
                    else ("none" if activity.no_task else None)
                )
                self.fields[f"match_{activity.pk}"] = forms.ChoiceField(
                    label="Which of these is what you do?",
                    choices=[(pk, pk) for pk in offered] + [("none", "None of these")],
                    required=False,
                    initial=chosen,
                    widget=QuickRadioSelect,
                    error_messages={
                        "invalid_choice": "The tasks offered here have changed: "
                        "choose one of these, or none."
                    },
                )
            self.fields[f"three_year_{activity.pk}"] = forms.ChoiceField(
                label="Could a perfect AI with full information do this within three years?",
                choices=YES_NO,
                required=False,
                initial=initial,
                widget=QuickRadioSelect,
            )

    def rows(self) -> list[ScoreRow]:
        return [
            ScoreRow(
                a,
                self[f"score_{a.pk}"],
                self[f"three_year_{a.pk}"],
                self[f"gap_{a.pk}"] if f"gap_{a.pk}" in self.fields else None,
                self[f"match_{a.pk}"] if f"match_{a.pk}" in self.fields else None,
                list(self.evidence.get(a.pk, [])),
            )
            for a in self.activities
        ]

    def links(self) -> dict[int, tuple[int | None, bool]]:
        """Each activity's task link as chosen: (task id or None, "none of these").
        An activity without a choice keeps the link it had."""
        links: dict[int, tuple[int | None, bool]] = {}
        for a in self.activities:
            chosen = self.cleaned_data.get(f"match_{a.pk}") or ""
            if chosen == "none":
                links[a.pk] = (None, True)
            elif chosen:
                links[a.pk] = (int(chosen), False)
            else:
                links[a.pk] = (a.task_id, a.no_task)
        return links

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for activity in self.activities:
            score = cleaned.get(f"score_{activity.pk}")
            previous = activity.previous_score
            if (
                cleaned.get(f"gap_{activity.pk}") == "yes"
                and previous is not None
                and isinstance(score, int)
                and score >= previous
            ):
                self.add_error(
                    f"score_{activity.pk}",
                    f"You said AI has closed some of the gap: give it a lower score than last "
                    f"quarter's {previous}, or answer no if a person is still what makes it work.",
                )
            if (
                cleaned.get(f"three_year_{activity.pk}") == "yes"
                and isinstance(score, int)
                and score >= 3
            ):
                self.add_error(
                    f"score_{activity.pk}",
                    "You said a perfect AI could do this within three years: that makes it a 1 "
                    "or 2. Lower the score, or change your answer if a person really is essential.",
                )
        return cleaned

    def gaps(self) -> dict[int, bool | None]:
        answers = {"yes": True, "no": False}
        return {
            a.pk: answers.get(self.cleaned_data.get(f"gap_{a.pk}", ""))
            for a in self.activities
            if f"gap_{a.pk}" in self.fields
        }

    def scores(self) -> dict[int, tuple[int, bool | None]]:
        answers = {"yes": True, "no": False}
        return {
            a.pk: (
                self.cleaned_data[f"score_{a.pk}"],
                answers.get(self.cleaned_data[f"three_year_{a.pk}"]),
            )
            for a in self.activities
        }
