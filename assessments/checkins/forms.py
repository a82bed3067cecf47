"""The check-in settings form: another date, or a pause."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

LATEST_CHOICE = timedelta(days=366)


class CheckinSettingsForm(forms.Form):
    next_date = forms.DateField(
        label="Next check-in",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The email arrives at about 9:00 on this day, in your time zone.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"],
        error_messages={"invalid": "Enter a date like 2027-03-01."},
    )
    paused = forms.BooleanField(
        label="Pause check-in emails",
        required=False,
        help_text="Nothing is sent while paused. Your ladder and plans stay as they are.",
    )

    def __init__(
        self, *args: object, today: date, earliest: date | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today
        self.earliest = earliest  # a quarter's minimum gap after the last check-in

    def clean_next_date(self) -> date | None:
        day: date | None = self.cleaned_data["next_date"]
        if day is None:
            return None
        if day <= self.today:
            raise forms.ValidationError("Pick a day after today.")
        if self.earliest and day < self.earliest:
            raise forms.ValidationError(
                f"Your last check-in went out less than 60 days before that: pick "
                f"{self.earliest:%-d %B %Y} or later (one check-in a quarter)."
            )
        if day > self.today + LATEST_CHOICE:
            raise forms.ValidationError("Pick a day within the next year; a quarter is 90 days.")
        return day

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("paused") and "next_date" in cleaned and cleaned["next_date"] is None:
            self.add_error("next_date", "Pick the day of your next check-in, or pause them.")
        return cleaned
