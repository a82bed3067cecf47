"""Coaches' forms: the dashboard's search, invitations, and notes."""

from __future__ import annotations

from typing import Any

from django import forms

from assessments.coaching.dashboard import SHOWS, SORT_LABELS


class DashboardForm(forms.Form):
    q = forms.CharField(label="Find a client", required=False, max_length=100)
    show = forms.ChoiceField(label="Show", choices=list(SHOWS.items()), required=False)
    sort = forms.ChoiceField(label="Sort by", choices=list(SORT_LABELS.items()), required=False)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    message = forms.CharField(
        label="A note with the invitation (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "Keep the note under 500 characters (it has %(show_value)d)."
        },
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "Keep a note under 2,000 characters (it has %(show_value)d)."
        },
    )
    activity = forms.IntegerField(required=False, widget=forms.HiddenInput)
    coach_score = forms.TypedChoiceField(
        label="Your score",
        choices=[("", "No score")] + [(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("activity") is None:
            cleaned["coach_score"] = None  # a score belongs to an activity
        empty = not (cleaned.get("body") or "").strip() and cleaned.get("coach_score") is None
        if empty and not self.errors:
            raise forms.ValidationError("Write a note or give a score.")
        return cleaned


MAX_REPLY = 2000


class ReplyForm(forms.Form):
    """A client's answer to their coach's notes on one result."""

    body = forms.CharField(error_messages={"required": "Write a reply first."})
    to = forms.CharField(required=False, max_length=100)  # a coach link's code

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if len(body) > MAX_REPLY:
            raise forms.ValidationError(
                f"Keep a reply under {MAX_REPLY:,} characters (it has {len(body):,})."
            )
        return body

    def typed(self) -> str:
        """The reply as typed, to give back beside an error (minus what can't be shown)."""
        return str(self.data.get("body") or "").replace("\x00", "").strip()
