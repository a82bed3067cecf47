"""The benchmark search form."""

from __future__ import annotations

from django import forms

SORT_CHOICES = [
    ("relevance", "Best match"),
    ("-rung", "Rung, highest first"),
    ("rung", "Rung, lowest first"),
    ("-exposure", "AI exposure, highest first"),
    ("exposure", "AI exposure, lowest first"),
]


class BenchmarkSearchForm(forms.Form):
    q = forms.CharField(
        label="Occupation",
        required=False,
        max_length=100,
        help_text=(
            'Words of a job title or an everyday name, e.g. "software dev", "realtor", "therapist".'
        ),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={
            "max_length": "Keep it under 100 characters: a job title or a few words of one."
        },
    )
    # A sort link from an old bookmark or a hand-edited URL falls back to best match.
    sort = forms.CharField(required=False)

    def clean_sort(self) -> str:
        sort: str = self.cleaned_data.get("sort") or ""
        return sort if sort in dict(SORT_CHOICES) else "relevance"
